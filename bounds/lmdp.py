r"""Latent MDPs with context in hindsight: Zhou, Wang & Du (2023), "Horizon-Free and Variance-Dependent
Reinforcement Learning for Latent Markov Decision Processes", ICML 2023, arXiv:2210.11604, as SymPy bounds.

The paper's full text was not available (spec ``gosprl_grouping_avgreward_lmdp.md`` section 0): the rates come
from the abstract (provenance ``A``), with their constants, log factors and lower-order terms hidden. ``Var*``
is "a variance quantity describing the determinism of the LMDP" (abstract); the definition evaluated by the
experiments is ours (:func:`solvers.latent.var_star`, documented there). All regrets are in the horizon-free
scaling: the total reward of an episode is at most 1.

Bounds registered here
----------------------
``lmdp-regret-upper``  (abstract: both solvers)
    ``Reg(K) = O~(sqrt(Var* M Gamma S A K))`` plus a lower-order term; only logarithmic in ``H``.
``lmdp-regret-lower``  (abstract: the Gamma = 2 hard family, variance-bounded LMDPs)
    ``Reg(K) = Omega(sqrt(Var* M S A K))``.
``lmdp-regret-upper-iclr``  (the ICLR 2023 version's abstract, for comparison)
    ``O~(sqrt(M Gamma S A K))`` (no ``Var*``).
``lmdp-regret-kwon``  (Kwon et al. 2021, rescaled to total reward at most 1, quoted in the ICLR 2023 version)
    ``O~(sqrt(M S^2 A H K))``: the earlier, horizon-dependent rate.
"""
from __future__ import annotations

import sympy

from .core import Bound, register

Var_star, M, Gamma, S, A, K, H = sympy.symbols("Var_star M Gamma S A K H", nonnegative=True)

SOURCE = "Zhou, Wang & Du (2023), arXiv:2210.11604"
_SYMBOLS = {"Var_star": "Var*, the maximal total variance of the optimal alpha vectors (definition: "
                        "solvers.latent.var_star), in [0, 1/4]",
            "M": "number of contexts", "Gamma": "max transition degree max_{m,s,a} |supp P_m(.|s,a)| <= S",
            "S": "states", "A": "actions", "K": "episodes"}
_SCALING = "total reward of an episode at most 1 (horizon-free scaling)"
_HINDSIGHT = "the context is revealed at the end of every episode"

REGRET_UPPER = register(Bound(
    name="lmdp-regret-upper", expr=sympy.sqrt(Var_star * M * Gamma * S * A * K), symbols=_SYMBOLS,
    source=f"{SOURCE}, abstract (main theorem, both solvers; O~ hides log factors, a lower-order term and the "
           "constant)",
    hidden_constant=True, probability="1 - delta", assumptions=(_SCALING, _HINDSIGHT, "deterministic rewards"),
    provenance="A", lhs=r"\mathrm{Reg}(K)"))

REGRET_LOWER = register(Bound(
    name="lmdp-regret-lower", expr=sympy.sqrt(Var_star * M * S * A * K),
    symbols={k: v for k, v in _SYMBOLS.items() if k != "Gamma"},
    source=f"{SOURCE}, abstract (lower bound on Gamma = 2 instances, variance-bounded LMDPs; Omega, constant "
           "and the range of K hidden)",
    hidden_constant=True, kind="lower", assumptions=(_SCALING, _HINDSIGHT, "Gamma = 2"), provenance="A",
    lhs=r"\mathrm{Reg}(K)"))

REGRET_UPPER_ICLR = register(Bound(
    name="lmdp-regret-upper-iclr", expr=sympy.sqrt(M * Gamma * S * A * K),
    symbols={k: v for k, v in _SYMBOLS.items() if k != "Var_star"},
    source="Zhou, Wang & Du (ICLR 2023 submission), OpenReview g9VAye0eIKO, abstract",
    hidden_constant=True, probability="1 - delta", assumptions=(_SCALING, _HINDSIGHT), provenance="A",
    lhs=r"\mathrm{Reg}(K)"))

REGRET_KWON = register(Bound(
    name="lmdp-regret-kwon", expr=sympy.sqrt(M * S ** 2 * A * H * K),
    symbols={"M": "number of contexts", "S": "states", "A": "actions", "H": "horizon", "K": "episodes"},
    source="Kwon et al. (2021), arXiv:2102.04939, rescaled to total reward at most 1 as in the footnote of Zhou, "
           "Wang & Du (ICLR 2023 version)",
    hidden_constant=True, probability="1 - delta", assumptions=(_SCALING, _HINDSIGHT), provenance="A",
    lhs=r"\mathrm{Reg}(K)"))
