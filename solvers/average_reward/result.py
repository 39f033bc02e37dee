"""The result of an average-reward planner and the certified gain bracket shared by RVI, PI and the LP."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mdptheory import mutants

from ..brackets import Bracket, SpanBracket
from ..result import PlanningResult

__all__ = ["AverageRewardResult", "GainBracket", "rounding_slack"]

_U = np.finfo(np.float64).eps

#: The span bracket reported at half its width (a slip in the certificate of the gain).
SPAN_HALVED = mutants.register("rvi", "span-halved",
                               "the gain interval [min d, max d] reported at half its width around its midpoint")


def rounding_slack(terms: int, scale: float) -> float:
    """Rounding bound ``(terms + 4) u scale`` on one computed ``d(s) = (T V)(s) - V(s)``: a sum of ``terms``
    products (``gamma_n`` bound, valid for any summation order, so for Numba's reassociated sums too) plus
    the reward, the shift and the subtraction; ``scale`` bounds the magnitudes involved (Higham 2002, 3.1)."""
    return 1.01 * (terms + 4) * _U * scale


@dataclass
class GainBracket:
    r"""The span bracket of :class:`solvers.brackets.SpanBracket` (Puterman 1994, Thm 8.5.5; Odoni 1969),
    ``min d <= g* <= max d`` for ``d = T V - V``, widened by the rounding of ``d`` so that it holds in floating
    point: ``terms`` is the longest sum in one ``(T V)(s)`` and ``r_max`` the reward scale.

    With ``record=True`` it keeps every ``(lo, hi)`` it returned (the trace of the gain interval).
    """

    terms: int
    r_max: float
    record: bool = False

    def __post_init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []

    def __call__(self, V: np.ndarray, TV: np.ndarray) -> Bracket:
        br = SpanBracket()(V, TV)
        slack = rounding_slack(self.terms, self.r_max + 2.0 * float(np.abs(V).max()) + float(np.abs(TV).max()))
        lo, hi = br.lo - slack, br.hi + slack
        if SPAN_HALVED.active:
            mid, half = 0.5 * (lo + hi), 0.25 * (hi - lo)
            lo, hi = mid - half, mid + half
        if self.record:
            self.lower.append(lo)
            self.upper.append(hi)
        return Bracket(lo=lo, hi=hi, half_width=0.5 * (hi - lo), residual=br.residual)


@dataclass(frozen=True, eq=False)
class AverageRewardResult(PlanningResult):
    r"""Outcome of an average-reward planner (:func:`relative_value_iteration`,
    :func:`average_reward_policy_iteration`, :func:`average_reward_linear_programming`).

    Fields as :class:`~solvers.result.PlanningResult` with these meanings: ``V (S,)`` the **relative values**
    ``h`` (a solution of ``g + h = max_a [R + P h]`` up to the certificate, normalised by ``h[ref_state] = 0``);
    ``Q = R + P h``; ``error_bound`` a certified bound on ``|gain - g*|``; ``residual`` the span of
    ``T h - h``. Added: ``gain`` (the midpoint of the certified interval) and the interval
    ``[gain_lower, gain_upper]`` that contains the optimal gain of every state.
    ``policy_gap_bound``: certified ``g* - g^policy`` (``gain_upper - gain_lower``).
    """

    gain: float = math.nan
    gain_lower: float = -math.inf
    gain_upper: float = math.inf

    @property
    def message(self) -> str:
        what = {"converged": "converged", "max_iter": "stopped at max_iter", "timeout": "stopped at the timeout",
                "callback": "stopped by the callback", "inaccurate": "finished, but the certificate exceeds tol",
                "exact": "exact"}.get(self.status, self.status)
        return (f"{self.method}: {what} after {self.iterations} iterations; optimal gain in "
                f"[{self.gain_lower:.10g}, {self.gain_upper:.10g}] (|gain - g*| <= {self.error_bound:.3g}) "
                f"in {self.wall_time:.3g} s")

    def __repr__(self) -> str:
        return (f"AverageRewardResult(method={self.method!r}, status={self.status!r}, gain={self.gain:.10g}, "
                f"error_bound={self.error_bound:.3g}, iterations={self.iterations}, wall_time={self.wall_time:.3g}s)")
