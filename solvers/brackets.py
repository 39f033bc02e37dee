r"""Bracket strategies: what one sweep ``V -> T V`` certifies about the fixed point (pure NumPy).

The certified loop (:func:`solvers.iteration.certified_iteration`) calls a strategy after every check
sweep and stops when its ``half_width <= tol``. Two strategies:

- :class:`MacQueen` for ``gamma``-discounted operators (VI, Gauss-Seidel, MPI, robust VI, iterative
  policy evaluation); also :func:`a_posteriori` for planners that return ``V`` itself (PI, LP);
- :class:`SpanBracket` for average-reward operators (relative value iteration): the gain interval.

MacQueen (1966) bounds, as in Puterman (1994), section 6.6 (bounds and stopping criteria): for any ``V`` and
``d = T V - V`` with ``m = min d``, ``M = max d`` and a ``gamma``-discounted operator ``T``
(optimality ``T`` or evaluation ``T^pi``, both monotone and constant-shifting),

.. math::  T V + \frac{\gamma m}{1-\gamma} \mathbf 1 \;\le\; V^* \;\le\; T V + \frac{\gamma M}{1-\gamma} \mathbf 1 .

Returning the midpoint ``T V + gamma (m + M) / (2 (1 - gamma))`` certifies
``||V_mid - V*||_inf <= gamma (M - m) / (2 (1 - gamma))`` (the bracket half-width). This is never
larger than the classical sup-norm certificate ``gamma/(1-gamma) ||T V - V||_inf`` of the plain
iterate ``T V``. The same shifts bound ``Q``: ``Q(V) + gamma m/(1-gamma) <= Q* <= Q(V) + gamma M/(1-gamma)``
with ``Q(V) = R + gamma P V``. If ``pi`` is greedy for ``V`` (``T^pi V = T V``) then
``V^pi >= T V + gamma m / (1 - gamma)``, so ``||V* - V^pi||_inf <= gamma (M - m) / (1 - gamma)``
(twice the half-width): the certificate of the returned policy.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mdptheory import mutants

#: The classic slip: "stop when successive iterates are tol apart", i.e. the certificate without its
#: gamma/(1-gamma) (MacQueen) or 1/(1-gamma) (a-posteriori) amplification.
NO_AMPLIFICATION = mutants.register(
    "certificates", "no-amplification",
    "certificates without their gamma/(1-gamma) or 1/(1-gamma) factor (successive differences taken as errors)")


@dataclass(frozen=True)
class Bracket:
    """What one sweep certifies: the fixed-point quantity lies in ``[TV + lo, TV + hi]`` (discounted) or
    in ``[lo, hi]`` (the average-reward gain); the midpoint is within ``half_width`` of it."""

    lo: float          #: discounted: V* >= TV + lo (componentwise); average reward: gain >= lo
    hi: float          #: discounted: V* <= TV + hi; average reward: gain <= hi
    half_width: float  #: certified error of the midpoint
    residual: float    #: ||TV - V||_inf
    supnorm_bound: float | None = None  #: discounted only: gamma/(1-gamma) ||TV - V||, the classical certificate of TV

    @property
    def shift(self) -> float:
        """Constant added to ``T V`` (and to ``Q(V)``) to get the bracket midpoint."""
        return 0.5 * (self.lo + self.hi)


@dataclass(frozen=True)
class MacQueen:
    """MacQueen bracket of a ``gamma``-discounted, monotone, constant-shifting operator (see module doc)."""

    gamma: float
    name = "macqueen-bracket-midpoint"

    def __call__(self, V: np.ndarray, TV: np.ndarray) -> Bracket:
        return macqueen(V, TV, self.gamma)


@dataclass(frozen=True)
class SpanBracket:
    r"""Average-reward bracket (Puterman 1994, Theorem 8.5.5; Odoni 1969): for ``d = T V - V`` of the
    average-reward optimality (or evaluation) operator of a weakly communicating MDP,
    ``min d <= g* <= max d``. The midpoint is within ``span(d) / 2`` of the optimal gain ``g*``; relative
    value iteration stops when ``span(d) <= 2 tol``."""

    name = "span-bracket"

    def __call__(self, V: np.ndarray, TV: np.ndarray) -> Bracket:
        d = TV - V
        m, M = float(d.min()), float(d.max())
        return Bracket(lo=m, hi=M, half_width=0.5 * (M - m), residual=max(abs(m), abs(M)))


def macqueen(V: np.ndarray, TV: np.ndarray, gamma: float) -> Bracket:
    """MacQueen bracket from one application ``TV`` of a ``gamma``-discounted monotone operator to ``V``."""
    d = TV - V
    m, M = float(d.min()), float(d.max())
    c = 1.0 if NO_AMPLIFICATION.active else gamma / (1.0 - gamma)
    res = max(abs(m), abs(M))
    return Bracket(lo=c * m, hi=c * M, half_width=0.5 * c * (M - m), residual=res, supnorm_bound=c * res)


def a_posteriori(V: np.ndarray, TV: np.ndarray, gamma: float) -> float:
    """Certified ``||V - V*||_inf <= ||TV - V||_inf / (1 - gamma)`` for the point ``V`` itself
    (not the midpoint); used by PI, LP and exact policy evaluation, which return ``V`` unchanged."""
    return float(np.max(np.abs(TV - V))) / (1.0 if NO_AMPLIFICATION.active else 1.0 - gamma)
