r"""Average-reward MDPs under a generative model: Wang, Blanchet & Glynn (2024), "Optimal Sample Complexity for
Average Reward Markov Decision Processes", ICLR 2024, arXiv:2310.08833, as SymPy bounds.

The paper's full text was not available (spec ``gosprl_grouping_avgreward_lmdp.md`` section 0): the constants
486, 64, 19, 1/4 and the definition of ``eta*_delta`` come from reviewer reports that quote the paper
(spec tag [V-rev], registered here as provenance ``S``, a secondary source); the log factor ``beta_delta`` was
not retrieved (:func:`beta_delta` refuses to be evaluated); the reduction lemma's constant 9 is our inference
(tag ``I``); the rates are in the abstract (``A``).

Bounds registered here
----------------------
``amdp-dmdp-mixing``  (Theorem 3.1, [V-rev] constants, ``beta`` a free symbol)
    ``v*_gamma - v_gamma^{pi_hat_0} <= 2 zeta/(1-gamma) + 486 sqrt(beta t_minorize / ((1-gamma)^2 n))`` w.p.
    ``1 - delta`` for ``n >= 64 beta / (1-gamma)``, ``gamma >= 1/2``, ``t_minorize <= 1/(1-gamma)``.
``amdp-sample-complexity``  (Theorem 4.2 / abstract, hidden constant and logs)
    total samples ``S A n = O~(S A t_minorize / eps^2)``; ``t_minorize`` and ``t_mix`` are equivalent up to
    universal constants [R].
``amdp-lower-bound``  (Jin & Sidford 2021, quoted in the abstract [A]): ``Omega(S A t_mix / eps^2)``.
``dmdp-mixing-lower-bound``  (Wang, Blanchet & Glynn 2023, arXiv:2302.07477, abstract [A]):
    ``Omega(S A t_minorize / ((1-gamma)^2 eps^2))``.
``amdp-reduction``  (the reduction lemma, form and constant inferred [I], spec section 4.4)
    ``|(1-gamma) v^pi_gamma(s) - alpha^pi| <= c (1-gamma) t_minorize(P_pi)``, ``c = 9``.
``span-bias-tmix``  ([V-rev]: "H <= 8 t_mix") ``span(h*) <= 8 t_mix``.

Parameter identities (exact, :data:`IDENTITIES`, checked by :func:`verify_identities` and the tests): with
Algorithm 4.1's ``gamma = 1 - eps/(19 t)``, ``zeta = (1-gamma) t/4`` and ``n = 4 * 486^2 beta/((1-gamma)^2 t)``,
the DMDP error budget of Theorem 3.1 equals ``t`` and ``eps = 19 (1 - gamma) t``.
"""
from __future__ import annotations

import sympy

from .core import Bound, register

S, A, t, t_mix, eps, gamma, n, zeta, beta, c, delta = sympy.symbols(
    "S A t t_mix epsilon gamma n zeta beta c delta", positive=True)

SOURCE = "Wang, Blanchet & Glynn (2024), arXiv:2310.08833"
_T = "t_minorize (uniform minorization time, >= 1)"
_ERGODIC = "every deterministic stationary policy induces a uniformly ergodic chain"

DMDP_MIXING = register(Bound(
    name="amdp-dmdp-mixing",
    expr=2 * zeta / (1 - gamma) + c * sympy.sqrt(beta * t / ((1 - gamma) ** 2 * n)),
    symbols={"zeta": "perturbation size", "gamma": "discount, 1/2 <= gamma < 1", "beta": "beta_delta(eta*), a log "
             "factor not retrieved (bounds.avgreward.beta_delta refuses)", "t": _T, "n": "samples per (s, a)"},
    constants={"c": 486.0},
    source=f"{SOURCE}, Theorem 3.1 (constants as quoted by reviewers)",
    probability="1 - delta", assumptions=(_ERGODIC, "n >= 64 beta / (1 - gamma)", "t_minorize <= 1/(1-gamma)"),
    provenance="S", lhs=r"v^\star_\gamma - v^{\hat\pi_0}_\gamma"))

SAMPLE_COMPLEXITY = register(Bound(
    name="amdp-sample-complexity", expr=S * A * t / eps ** 2,
    symbols={"S": "states", "A": "actions", "t": _T, "epsilon": "target accuracy in (0, 1]"},
    source=f"{SOURCE}, Theorem 4.2 / abstract (O~, log factors hidden)", hidden_constant=True,
    probability="1 - delta", assumptions=(_ERGODIC, "t >= t_minorize known"), provenance="A",
    lhs=r"\#\mathrm{samples}"))

AMDP_LOWER = register(Bound(
    name="amdp-lower-bound", expr=S * A * t_mix / eps ** 2,
    symbols={"S": "states", "A": "actions", "t_mix": "uniform mixing time", "epsilon": "accuracy"},
    source="Jin & Sidford (2021), quoted in the abstract of arXiv:2310.08833", hidden_constant=True,
    kind="lower", provenance="A", lhs=r"\#\mathrm{samples}"))

DMDP_LOWER = register(Bound(
    name="dmdp-mixing-lower-bound", expr=S * A * t / ((1 - gamma) ** 2 * eps ** 2),
    symbols={"S": "states", "A": "actions", "t": _T, "gamma": "discount", "epsilon": "accuracy"},
    source="Wang, Blanchet & Glynn (2023), arXiv:2302.07477, abstract", hidden_constant=True,
    kind="lower", provenance="A", lhs=r"\#\mathrm{samples}"))

REDUCTION = register(Bound(
    name="amdp-reduction", expr=c * (1 - gamma) * t,
    symbols={"gamma": "discount in (0, 1)", "t": "t_minorize(P_pi) of the policy"},
    constants={"c": 9.0},
    source="Jin & Sidford (2021)-style reduction lemma; the constant 9 is inferred from Algorithm 4.1's 19 = 1 + 2 * 9",
    assumptions=("P_pi uniformly ergodic",), provenance="I",
    lhs=r"|(1-\gamma) v^\pi_\gamma(s) - \alpha^\pi|"))

SPAN_TMIX = register(Bound(
    name="span-bias-tmix", expr=c * t_mix, symbols={"t_mix": "uniform mixing time"}, constants={"c": 8.0},
    source=f"{SOURCE}, section 2 (as quoted by reviewers: H <= 8 t_mix)", assumptions=(_ERGODIC,),
    provenance="S", lhs=r"\mathrm{span}(h^\star)"))

#: Algorithm 4.1's parameters as SymPy expressions of (eps, t, beta).
GAMMA_OF_EPS = 1 - eps / (19 * t)
ZETA_OF = (1 - GAMMA_OF_EPS) * t / 4
N_OF = 4 * 486 ** 2 * beta / ((1 - GAMMA_OF_EPS) ** 2 * t)

#: name -> (lhs, rhs): exact identities of Algorithm 4.1 (spec section 4.4, derived).
IDENTITIES = {
    "dmdp-error-budget-equals-t": (
        (2 * zeta / (1 - gamma) + 486 * sympy.sqrt(beta * t / ((1 - gamma) ** 2 * n))).subs(
            {zeta: ZETA_OF, n: N_OF}).subs(gamma, GAMMA_OF_EPS), t),
    "perturbation-term-is-t-over-2": ((2 * zeta / (1 - gamma)).subs(zeta, ZETA_OF).subs(gamma, GAMMA_OF_EPS), t / 2),
    "eps-equals-19-(1-gamma)-t": (19 * (1 - GAMMA_OF_EPS) * t, eps),
    "eta-star": ((zeta * delta * (1 - gamma) / (9 * S * A ** 2)).subs(zeta, ZETA_OF).subs(gamma, GAMMA_OF_EPS),
                 eps ** 2 * delta / (36 * 361 * t * S * A ** 2)),
}


def verify_identities() -> dict[str, sympy.Expr]:
    """``name -> simplify(lhs - rhs)`` for every identity of :data:`IDENTITIES` (all ``0`` when they hold)."""
    return {k: sympy.simplify(lhs - rhs) for k, (lhs, rhs) in IDENTITIES.items()}


def beta_delta(eta: float, S: int, A: int, gamma: float, delta: float) -> float:
    """Theorem 3.1's log factor ``beta_delta(eta)``. **Not retrieved** from the paper (spec section 4.3: of the
    form ``log(poly(S, A, 1/(1-gamma)) / (delta eta))`` [R]); it refuses to be used as a checked constant until
    it is copied from the PDF."""
    raise NotImplementedError(
        "beta_delta(eta) of Wang, Blanchet & Glynn (2024), Theorem 3.1 was not retrieved from the paper (spec "
        "section 4.3, tag R); copy it from arXiv:2310.08833 before using it as a checked constant. Experiments "
        "set n directly (solvers.average_reward.estimator.epsilon_for_samples).")


def theoretical_n(eps: float, t: float, beta: float) -> float:
    """Algorithm 4.1's samples per pair, ``4 * 486^2 beta / ((1 - gamma)^2 t)`` with ``gamma = 1 - eps/(19 t)``,
    i.e. ``4 * 19^2 * 486^2 beta t / eps^2`` (about ``3.41e8 beta t / eps^2``)."""
    one_minus_gamma = eps / (19.0 * t)
    return 4.0 * 486.0 ** 2 * beta / (one_minus_gamma ** 2 * t)
