r"""OPSRL (Tiapkin et al., NeurIPS 2022, arXiv:2209.14414): regret bounds and the Dirichlet
anti-concentration inequality, as SymPy bounds, plus the ``K_inf`` functional they need.

Provenance. The paper's full text could not be read in this session (the abstract could); the
statements below are tagged accordingly and every recalled constant is a named symbol or hidden:

``opsrl-regret`` [A for the order]
    ``R^T = O~(sqrt(H^3 S A T))`` with probability ``1 - delta`` (abstract), ``T`` = episodes, stage-dependent
    transitions, rewards in ``[0, 1]``. Encoded as ``sqrt(H^3 S A T log(S A H T / delta))`` with a hidden
    constant (the paper's poly-log power and second-order term ``H^3 S^2 A L^k'`` are not re-read [R]),
    so only rate and ratio-trend checks use it.
``minimax-regret-lower`` [A]
    ``Omega(sqrt(H^3 S A T))`` for stage-dependent episodic MDPs (quoted in the OPSRL abstract; Domingues,
    Ménard, Kaufmann, Valko, ALT 2021 [R]). Hidden constant.
``dirichlet-anticoncentration`` [R]
    For ``w ~ Dir(alpha)``, ``alpha = (alpha_0, ..., alpha_m) > 0``, ``alpha_bar = sum alpha``,
    ``p_bar = alpha / alpha_bar`` and ``f: {0..m} -> [0, b_0]`` with ``f(0) = b_0`` and ``f(j) <= b < b_0 / 2``
    for ``j >= 1``: if ``alpha_0 >= c_0 + log_{17/16}(alpha_bar)`` then for every ``mu in (p_bar f, b_0)``
    ``P[w f >= mu] >= c (1 - Phi(sqrt(2 alpha_bar K_inf(p_bar, mu, f))))``; recalled ``c = 1/2``, ``c_0``
    unknown. The ``m = 1`` case is Alfers & Dinges (1984). ``K_inf`` is computed by :func:`k_inf`.

Theorem-1 parameters (``kappa``, ``n0``, ``r0``, ``J``) are algorithm inputs and live with the algorithm:
:func:`solvers.learners.opsrl_theory_parameters` (``bounds`` may not import ``solvers``).
"""
from __future__ import annotations

import math

import numpy as np
import sympy
from scipy.optimize import minimize_scalar
from scipy.special import erfc

from .core import Bound, register

__all__ = ["OPSRL_REGRET", "MINIMAX_LOWER", "DIRICHLET_ANTICONCENTRATION", "k_inf", "anticoncentration_rhs",
           "ANTICONCENTRATION_C"]

H, S, A, T, delta = sympy.symbols("H S A T delta", positive=True)
alpha_bar, K, c = sympy.symbols("alpha_bar K c", positive=True)

_SIZES = {"H": "horizon (stages per episode), integer >= 1", "S": "number of states, integer >= 1",
          "A": "number of actions, integer >= 1", "T": "number of episodes, integer >= 1"}

#: [R] the recalled constant of the anti-concentration inequality (``c = 1/2``).
ANTICONCENTRATION_C = 0.5

OPSRL_REGRET = register(Bound(
    name="opsrl-regret",
    expr=sympy.sqrt(H**3 * S * A * T * sympy.log(S * A * H * T / delta)),
    symbols={**_SIZES, "delta": "confidence level in (0, 1)"},
    source="Tiapkin et al. (2022), OPSRL, Theorem 1 (order from the abstract)",
    hidden_constant=True,
    probability="1 - delta",
    assumptions=("episodic stage-dependent tabular MDP", "rewards known, in [0, 1]",
                 "OPSRL with the Theorem-1 parameters (kappa, n0, r0, J)"),
    kind="upper",
    provenance="A",
    lhs=r"\sum_{t=1}^T V^\star_1(s_1) - V^{\pi^t}_1(s_1)",
))

MINIMAX_LOWER = register(Bound(
    name="minimax-regret-lower",
    expr=sympy.sqrt(H**3 * S * A * T),
    symbols=dict(_SIZES),
    source="Domingues, Ménard, Kaufmann, Valko (ALT 2021), minimax lower bound, as quoted by Tiapkin et al. (2022)",
    hidden_constant=True,
    assumptions=("worst case over stage-dependent episodic MDPs", "T large enough (T >= H S A)"),
    kind="lower",
    provenance="A",
    lhs=r"\inf_{\text{alg}} \sup_{M} \mathbb{E}[R^T]",
))

DIRICHLET_ANTICONCENTRATION = register(Bound(
    name="dirichlet-anticoncentration",
    # 1 - Phi(x) = erfc(x / sqrt 2) / 2 with x = sqrt(2 alpha_bar K)
    expr=c * sympy.erfc(sympy.sqrt(alpha_bar * K)) / 2,
    symbols={"alpha_bar": "total Dirichlet mass sum_i alpha_i > 0",
             "K": "K_inf(p_bar, mu, f) >= 0 (see bounds.opsrl.k_inf)",
             "c": "[R] universal constant, recalled as 1/2 (bounds.opsrl.ANTICONCENTRATION_C)"},
    source="Tiapkin et al. (2022), OPSRL, Dirichlet anti-concentration theorem (statement recalled)",
    assumptions=("alpha_0 >= c_0 + log_{17/16}(alpha_bar) (c_0 unknown [R])",
                 "f(0) = b_0 > 2 max_{j>=1} f(j) >= 0", "p_bar f < mu < b_0"),
    kind="lower",
    provenance="R",
    lhs=r"\mathbb{P}_{w \sim \mathrm{Dir}(\alpha)}[w f \geq \mu]",
))


def k_inf(p, mu: float, f, b: float | None = None) -> float:
    r"""``K_inf(p, mu, f) = inf {KL(p, q) : q in simplex, q f >= mu}`` by its 1-D dual (Honda & Takemura).

    For ``f`` with values in ``[0, b]`` (``b = max f`` by default) and ``p f < mu < b``:
    ``K_inf = max_{lambda in [0, 1/(b - mu)]} sum_i p_i log(1 - lambda (f_i - mu))``, a concave
    maximisation solved by bounded Brent search (``scipy.optimize.minimize_scalar``).
    Returns ``0`` when ``mu <= p f``; raises for ``mu >= b`` (no feasible ``q`` puts mass beyond ``b``).

    Parameters
    ----------
    p : array (m,)
        Probability vector.
    mu : float
        Threshold.
    f : array (m,)
        Function values (``>= 0``).
    b : float, optional
        Upper end of the support of ``f``.
    """
    p = np.asarray(p, dtype=float)
    f = np.asarray(f, dtype=float)
    if p.shape != f.shape or p.ndim != 1:
        raise ValueError(f"p and f must be 1-D arrays of the same length, got shapes {p.shape} and {f.shape}")
    if np.any(p < 0) or abs(p.sum() - 1) > 1e-9:
        raise ValueError(f"p must be a probability vector, got sum {p.sum():.6g} and min {p.min():.3g}")
    b = float(f.max()) if b is None else float(b)
    mean = float(p @ f)
    if mu <= mean:
        return 0.0
    if mu >= b:
        raise ValueError(f"mu = {mu:g} must be below the upper end b = {b:g} of f for K_inf to be finite")
    on = p > 0
    pp, ff = p[on], f[on] - mu

    def neg(lam):
        arg = 1.0 - lam * ff
        if np.any(arg <= 0):
            return np.inf
        return -float(pp @ np.log(arg))

    hi = 1.0 / (b - mu)
    res = minimize_scalar(neg, bounds=(0.0, hi * (1 - 1e-12)), method="bounded",
                          options={"xatol": 1e-12 * hi, "maxiter": 500})
    return max(0.0, -float(res.fun))


def anticoncentration_rhs(alpha_bar_value, k_value, c_value: float = ANTICONCENTRATION_C, scale: float = 1.0):
    """``c (1 - Phi(sqrt(2 scale alpha_bar K)))``; ``scale != 1`` gives the deliberately wrong variants."""
    x = np.sqrt(scale * np.asarray(alpha_bar_value, dtype=float) * np.asarray(k_value, dtype=float))
    return c_value * erfc(x) / 2


def anticoncentration_condition(alpha_0: float, alpha_bar_value: float, c0: float = 0.0) -> bool:
    """Whether ``alpha_0 >= c0 + log_{17/16}(alpha_bar)`` (the theorem's prior-mass condition; ``c0`` [R])."""
    return alpha_0 >= c0 + math.log(alpha_bar_value) / math.log(17.0 / 16.0)
