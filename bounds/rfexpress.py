r"""Pure exploration (Ménard et al., ICML 2021, arXiv:2007.13442; Kaufmann et al., ALT 2021, arXiv:2006.06294):
the (eps, delta)-PAC guarantees of RF-Express and BPI-UCRL, their sample complexities, the lower bounds they
are compared with, and the technical lemma that turns the implicit inequality on the stopping time into an
explicit bound.

Provenance. The full texts were not available; the statements are recalled [R] (the team's digest of the
papers, section 4) and the constants of RF-Express's algorithm are those of the official code [C]
(``omardrwch/rl_fast_active_learning: algorithms/adaptive_rf.py``). The sample-complexity constant
``C_1 = 5587 e^6 log(...)^2`` is recalled only: the bounds below are registered with ``hidden_constant=True``
(their leading terms), and :func:`rf_express_tau_recalled` gives the recalled explicit form for the report.

``rf-express-pac`` [R]
    With ``beta(n, delta) = log(3 S A H / delta) + S log(8 e (n + 1))``, at the stopping time every reward
    ``r`` with values in ``[0, 1]`` has ``V*_1(s_1; r) - V^{pi_r}_1(s_1; r) <= eps`` for the policy ``pi_r``
    planned in the empirical model, with probability ``>= 1 - delta`` (simultaneously for all rewards).
``rf-express-tau`` [R, hidden constant]
    ``tau <= c (S A H^3 / eps^2) (log(3 S A H / delta) + S) log^2(...) + 1``.
``rf-ucrl-tau`` [R, hidden constant]
    ``tau <= c (S A H^4 / eps^2) (log(1/delta) + S)`` up to logs (Kaufmann et al. 2021).
``bpi-ucrl-pac`` [R], ``bpi-ucrl-tau`` [R, hidden constant]
    The recommendation is eps-optimal with probability ``>= 1 - delta``; ``tau = O~(S A H^3 (log(1/delta) + S) /
    eps^2)`` (the ICML analysis, a factor ``H`` better than ALT'21).
``bpi-lower`` [R, hidden constant, lower]
    ``Omega(S A H^3 log(1/delta) / eps^2)`` episodes for BPI with stage-dependent transitions (Domingues et al.,
    ALT 2021).
``rfe-lower`` [R, hidden constant, lower]
    ``Omega(S^2 A H^2 / eps^2)`` for reward-free exploration (Jin et al., ICML 2020, their normalisation).
``rf-express-lemma13`` [R via a third-party formalisation, exact]
    If ``tau >= 1/alpha`` satisfies ``tau <= C sqrt(tau (A L + B L^2)) + D (A L + E L^2)`` with
    ``L = log(alpha tau)``, ``alpha >= e``, ``A, B, C, D >= 0``, ``B <= E``, then
    ``tau <= C^2 (A + B) C_1^2 + (D + 2 sqrt(D) C) (A + E) C_1^2 + 1`` with
    ``C_1 = (8/5) log(11 alpha^2 (A + E) (C + sqrt(D))^2)``. A restatement without the square on
    ``(C + sqrt(D))`` is wrong (the formalisation's note; our claim ``rfexpress-lemma13`` finds inputs where it
    fails). :func:`lemma13_largest_tau` finds the largest ``tau`` satisfying the hypothesis numerically.
"""
from __future__ import annotations

import math

import numpy as np
import sympy
from scipy.optimize import brentq

from mdptheory import mutants

from .core import Bound, register

__all__ = ["RF_EXPRESS_PAC", "RF_EXPRESS_TAU", "RF_UCRL_TAU", "BPI_UCRL_PAC", "BPI_UCRL_TAU", "BPI_LOWER",
           "RFE_LOWER", "LEMMA13", "rf_express_leading", "rf_express_tau_recalled", "lemma13_bound",
           "lemma13_hypothesis", "lemma13_largest_tau"]

#: The mis-stated constant (no square on ``C + sqrt(D)``), as a mutant of the lemma's bound.
NO_SQUARE = mutants.register("rf-express-lemma", "no-square",
                             "Lemma 13's C_1 = (8/5) log(11 alpha^2 (A+E) (C + sqrt D)) without the square")

eps, delta, S, A, H = sympy.symbols("epsilon delta S A H", positive=True)
_SYM = {"epsilon": "accuracy eps > 0", "delta": "confidence level in (0, 1)", "S": "number of states",
        "A": "number of actions", "H": "horizon (stage-dependent transitions)"}
_ASSUME = ("episodic MDP with stage-dependent transitions", "deterministic rewards in [0, 1]", "fixed start state")

RF_EXPRESS_PAC = register(Bound(
    name="rf-express-pac", expr=eps, symbols={"epsilon": _SYM["epsilon"]},
    source="Ménard et al. (2021), RF-Express, Theorem (reward-free (eps, delta)-PAC) [R]",
    probability="1 - delta", assumptions=_ASSUME, kind="upper", provenance="R",
    lhs=r"\sup_r V^\star_1(s_1; r) - V^{\hat\pi_r}_1(s_1; r)"))

_RFE_LEAD = S * A * H**3 * (sympy.log(3 * S * A * H / delta) + S) / eps**2
RF_EXPRESS_TAU = register(Bound(
    name="rf-express-tau", expr=_RFE_LEAD, symbols=dict(_SYM), hidden_constant=True,
    source="Ménard et al. (2021), RF-Express, sample-complexity theorem [R]",
    probability="1 - delta", assumptions=_ASSUME, kind="upper", provenance="R", lhs=r"\tau"))

RF_UCRL_TAU = register(Bound(
    name="rf-ucrl-tau", expr=S * A * H**4 * (sympy.log(3 * S * A * H / delta) + S) / eps**2, symbols=dict(_SYM),
    hidden_constant=True, source="Kaufmann et al. (2021), RF-UCRL, sample-complexity theorem [R]",
    probability="1 - delta", assumptions=_ASSUME, kind="upper", provenance="R", lhs=r"\tau"))

BPI_UCRL_PAC = register(Bound(
    name="bpi-ucrl-pac", expr=eps, symbols={"epsilon": _SYM["epsilon"]},
    source="Ménard et al. (2021), BPI-UCRL, Theorem ((eps, delta)-PAC for BPI) [R]",
    probability="1 - delta", assumptions=_ASSUME, kind="upper", provenance="R",
    lhs=r"V^\star_1(s_1) - V^{\hat\pi}_1(s_1)"))

BPI_UCRL_TAU = register(Bound(
    name="bpi-ucrl-tau", expr=S * A * H**3 * (sympy.log(1 / delta) + S) / eps**2, symbols=dict(_SYM),
    hidden_constant=True, source="Ménard et al. (2021), BPI-UCRL, sample-complexity theorem [R]",
    probability="1 - delta", assumptions=_ASSUME, kind="upper", provenance="R", lhs=r"\tau"))

BPI_LOWER = register(Bound(
    name="bpi-lower", expr=S * A * H**3 * sympy.log(1 / delta) / eps**2, symbols=dict(_SYM), hidden_constant=True,
    source="Domingues et al. (2021), BPI lower bound, stage-dependent transitions [R]",
    assumptions=_ASSUME, kind="lower", provenance="R", lhs=r"\mathbb{E}[\tau]"))

RFE_LOWER = register(Bound(
    name="rfe-lower", expr=S**2 * A * H**2 / eps**2, symbols={k: _SYM[k] for k in ("epsilon", "S", "A", "H")},
    hidden_constant=True, source="Jin et al. (2020), reward-free exploration lower bound [R]",
    assumptions=_ASSUME, kind="lower", provenance="R", lhs=r"\tau"))

La, Lb, Lc, Ld, Le, al = sympy.symbols("A B C D E alpha", nonnegative=True)
_C1 = sympy.Rational(8, 5) * sympy.log(11 * al**2 * (La + Le) * (Lc + sympy.sqrt(Ld))**2)
LEMMA13 = register(Bound(
    name="rf-express-lemma13",
    expr=Lc**2 * (La + Lb) * _C1**2 + (Ld + 2 * sympy.sqrt(Ld) * Lc) * (La + Le) * _C1**2 + 1,
    symbols={"A": "coefficient >= 0", "B": "coefficient >= 0, B <= E", "C": "coefficient >= 0",
             "D": "coefficient >= 0", "E": "coefficient >= B", "alpha": "scale >= e"},
    source="Ménard et al. (2021), Lemma 13 (self-bounding inequality; corrected constant as in a Lean "
           "formalisation by R. Degenne) [R]",
    assumptions=("tau <= C sqrt(tau (A L + B L^2)) + D (A L + E L^2), L = log(alpha tau)",),
    kind="upper", provenance="R", lhs=r"\tau"))


def rf_express_leading(S: int, A: int, H: int, eps: float, delta: float) -> float:
    """The leading term ``S A H^3 (log(3 S A H / delta) + S) / eps^2`` of RF-Express's bound."""
    return float(RF_EXPRESS_TAU.evaluate(S=S, A=A, H=H, epsilon=eps, delta=delta))


def rf_express_tau_recalled(S: int, A: int, H: int, eps: float, delta: float) -> float:
    """The recalled explicit bound ``(H^3 S A / eps^2)(log(3SAH/delta) + S) C_1 + 1`` with
    ``C_1 = 5587 e^6 log(e^18 (log(3SAH/delta) + S) H^4 S A / eps)^2`` [R: not re-read in the paper]."""
    lead = math.log(3 * S * A * H / delta) + S
    c1 = 5587 * math.e**6 * math.log(math.e**18 * lead * H**4 * S * A / eps) ** 2
    return H**3 * S * A / eps**2 * lead * c1 + 1


def lemma13_bound(A: float, B: float, C: float, D: float, E: float, alpha: float) -> float:
    """The conclusion of Lemma 13 (see the module docstring); the mutant ``rf-express-lemma.no-square`` drops the
    square on ``C + sqrt(D)``."""
    power = 1 if NO_SQUARE.active else 2
    c1 = 1.6 * math.log(11 * alpha**2 * (A + E) * (C + math.sqrt(D)) ** power)
    return C * C * (A + B) * c1**2 + (D + 2 * math.sqrt(D) * C) * (A + E) * c1**2 + 1


def lemma13_hypothesis(tau: float, A: float, B: float, C: float, D: float, E: float, alpha: float) -> float:
    """``C sqrt(tau (A L + B L^2)) + D (A L + E L^2) - tau`` (``>= 0``: ``tau`` satisfies the hypothesis)."""
    L = math.log(alpha * tau)
    return C * math.sqrt(max(tau * (A * L + B * L * L), 0.0)) + D * (A * L + E * L * L) - tau


def lemma13_largest_tau(A: float, B: float, C: float, D: float, E: float, alpha: float,
                        log_max: float = 400.0, n_grid: int = 4000) -> float | None:
    """The largest ``tau >= 1/alpha`` satisfying the hypothesis: a log-spaced scan up to ``e^log_max`` then a
    bracketed root (``None`` if no grid point satisfies it). The function is ``-tau + O(sqrt(tau) log tau)``,
    so beyond the last sign change it stays negative: the scan only has to reach past it."""
    lo = -math.log(alpha)
    grid = np.exp(np.linspace(lo, log_max, n_grid))
    L = np.log(alpha * grid)
    vals = C * np.sqrt(np.maximum(grid * (A * L + B * L * L), 0.0)) + D * (A * L + E * L * L) - grid
    ok = np.flatnonzero(vals >= 0)
    if ok.size == 0:
        return None
    i = int(ok[-1])
    if i == n_grid - 1:
        raise ValueError("the hypothesis holds at the end of the scan: raise log_max")
    return float(brentq(lambda t: lemma13_hypothesis(t, A, B, C, D, E, alpha), grid[i], grid[i + 1],
                        xtol=1e-14, rtol=4 * np.finfo(float).eps))
