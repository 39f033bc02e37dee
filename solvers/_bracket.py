r"""Certificates for discounted planners (pure NumPy, shared by VI, MPI, PI, LP, policy evaluation).

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


@dataclass(frozen=True)
class Bracket:
    lo: float          #: V* >= TV + lo (componentwise)
    hi: float          #: V* <= TV + hi
    half_width: float  #: certified ||V_mid - V*||
    supnorm_bound: float  #: classical certificate gamma/(1-gamma) ||TV - V|| for the iterate TV
    residual: float    #: ||TV - V||_inf

    @property
    def shift(self) -> float:
        """Constant added to ``T V`` (and to ``Q(V)``) to get the bracket midpoint."""
        return 0.5 * (self.lo + self.hi)


def macqueen(V: np.ndarray, TV: np.ndarray, gamma: float) -> Bracket:
    """MacQueen bracket from one application ``TV`` of a ``gamma``-discounted monotone operator to ``V``."""
    d = TV - V
    m, M = float(d.min()), float(d.max())
    c = gamma / (1.0 - gamma)
    res = max(abs(m), abs(M))
    return Bracket(lo=c * m, hi=c * M, half_width=0.5 * c * (M - m), supnorm_bound=c * res, residual=res)


def a_posteriori(V: np.ndarray, TV: np.ndarray, gamma: float) -> float:
    """Certified ``||V - V*||_inf <= ||TV - V||_inf / (1 - gamma)`` for the point ``V`` itself
    (not the midpoint); used by PI, LP and exact policy evaluation, which return ``V`` unchanged."""
    return float(np.max(np.abs(TV - V))) / (1.0 - gamma)
