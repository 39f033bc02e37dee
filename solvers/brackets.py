r"""Bracket strategies: what one sweep ``V -> T V`` certifies about the fixed point, in floating point.

The certified loop (:func:`solvers.iteration.certified_iteration`) calls a strategy after every check
sweep and stops when its ``half_width <= tol``. Two strategies:

- :class:`MacQueen` for ``gamma``-discounted operators (VI, Gauss-Seidel, MPI, robust VI, iterative
  policy evaluation); also :func:`a_posteriori` for planners that return ``V`` itself (PI, LP, direct
  evaluation) and :func:`greedy_gap` for the certificate of a greedy policy;
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

**Floating point.** The formulas above hold for the *exact* ``T V``; a computer returns a rounded
``T~V``. Once ``V`` is a floating-point fixed point, ``T~V - V`` can have a span of exactly 0 while
``V`` is far from ``V*`` (measured: a true error of 16.95 on a Garnet with rewards scaled by 1e12,
gamma = 0.999). Every bracket here therefore adds a bound on the rounding:

- :class:`SweepRounding` bounds ``|T~V - T V|`` componentwise by ``e = a ||T~V|| + b ||V|| + c``
  (standard error analysis of a dot product of ``n`` terms summed in any order, Higham 2002, section
  3.1: ``|fl(x.y) - x.y| <= gamma_n |x|.|y|`` with ``gamma_n = n u / (1 - n u)``, ``u = 2^-53``);
- the bracket is widened by ``e`` on ``T V`` and by ``e`` (plus the rounding of ``T~V - V``) on
  ``m`` and ``M``, hence by about ``e / (1 - gamma)`` in total, plus the rounding of the returned
  midpoint; ``Bracket.rounding`` is that part of the half-width.

``Bracket.rounding`` is about ``(n + 2) u (||V|| + ||T V||) / (1 - gamma)``: the attainable accuracy
at the iterate's scale. A ``tol`` below it cannot be certified in float64 (the loop then stops with
status ``"inaccurate"``). Row sums of the stored ``P`` need not be exactly 1 (rounding, or the model's
validation tolerance): the brackets use the effective discounts ``gamma rho_lo`` and ``gamma rho_hi``
with ``rho`` the certified range of row sums (:func:`row_stats`).
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from mdptheory import mutants

from . import _kernels as K

#: Unit roundoff of float64 (round to nearest).
U = 2.0 ** -53

#: The classic slip: "stop when successive iterates are tol apart", i.e. the certificate without its
#: gamma/(1-gamma) (MacQueen) or 1/(1-gamma) (a-posteriori) amplification.
NO_AMPLIFICATION = mutants.register(
    "certificates", "no-amplification",
    "certificates without their gamma/(1-gamma) or 1/(1-gamma) factor (successive differences taken as errors)")


def abs_finite(x: np.ndarray) -> np.ndarray:
    """``|x|`` with the ``-inf`` entries (infeasible actions: rewards and their ``Q``) counted as 0: they are
    never chosen, so they take no part in a sweep's rounding."""
    return np.where(np.isfinite(x), np.abs(x), 0.0)


def gamma_n(n: float) -> float:
    """Higham's ``gamma_n = n u / (1 - n u)``: the relative error bound of ``n`` rounded operations."""
    nu = n * U
    if nu >= 0.5:
        return math.inf
    return nu / (1.0 - nu)


# ------------------------------------------------------------------------------------ model statistics
@dataclass(frozen=True)
class RowStats:
    """What the rounding model needs to know about ``P_flat (S*A, S)``.

    ``terms`` is the largest number of stored (dense: nonzero) entries in a row, i.e. of products in one
    dot product; ``rho_lo <= sum_s' P[r, s'] <= rho_hi`` for every row, certified (the computed row
    sums are widened by their own rounding).
    """

    terms: int
    rho_lo: float
    rho_hi: float


#: ``id(P_flat) -> (weakref to P_flat, identities of its read-only arrays, RowStats)``. Keyed by identity:
#: ndarrays and sparse matrices are unhashable, and two equal matrices need not be the same object.
_STATS_CACHE: dict[int, tuple[Any, tuple[int, ...], RowStats]] = {}


def _frozen_arrays(P: Any) -> tuple[int, ...] | None:
    """What identifies ``P``'s contents if its arrays are read-only (else ``None``)."""
    if sp.issparse(P):
        arrays = (P.data, P.indices, P.indptr)
        key = tuple(id(a) for a in arrays)
    else:
        arrays = (P,)
        key = (id(P),) + tuple(P.shape)
    if all(isinstance(a, np.ndarray) and not a.flags.writeable for a in arrays):
        return key
    return None


def row_stats(P: Any) -> RowStats:
    """:class:`RowStats` of a transition kernel: dense ``(S, A, S)`` or ``(S*A, S)``, or CSR ``(S*A, S)``.

    Cached while ``P`` is the same object with the same read-only arrays: pass the model's own ``mdp.P``
    (a validated :class:`mdptheory.FiniteMDP` freezes a dense ``P``; Garnet freezes its CSR arrays) so
    that such a model pays the extra pass over ``P`` once, not once per planner call. (``mdp.P_flat`` of a
    dense model is a fresh view at every access, so it is computed, not cached.)
    """
    hit = _STATS_CACHE.get(id(P))
    if hit is not None and hit[0]() is P and _frozen_arrays(P) == hit[1]:
        return hit[2]
    if sp.issparse(P):
        indptr = np.asarray(P.indptr)
        counts = np.diff(indptr)
        n = int(counts.max(initial=0))
        data = np.asarray(P.data, dtype=np.float64)
        sums = np.add.reduceat(data, indptr[:-1]) if data.size else np.zeros(len(counts))
        sums = np.where(counts > 0, sums, 0.0)  # reduceat returns data[i] for empty rows
    else:
        P2 = np.asarray(P, dtype=np.float64)
        P2 = P2.reshape(-1, P2.shape[-1])
        n = int(np.count_nonzero(P2, axis=1).max(initial=0)) if P2.size else 0
        sums = P2.sum(axis=1)
    g = gamma_n(max(n, 1))
    rho_hi = float(sums.max()) * (1.0 + g) * (1.0 + 2 * U) if sums.size else 1.0
    rho_lo = max(float(sums.min()) * (1.0 - g) * (1.0 - 2 * U), 0.0) if sums.size else 1.0
    out = RowStats(terms=max(n, 1), rho_lo=rho_lo, rho_hi=rho_hi)
    arrays = _frozen_arrays(P)
    if arrays is not None:
        try:
            key = id(P)
            ref = weakref.ref(P, lambda _, key=key: _STATS_CACHE.pop(key, None))
        except TypeError:  # not weak-referenceable: no cache
            return out
        _STATS_CACHE[key] = (ref, arrays, out)
    return out


# --------------------------------------------------------------------------------------- rounding model
@dataclass(frozen=True)
class SweepRounding:
    r"""A componentwise bound ``|T~V - T V| <= a ||T~V||_inf + b ||V||_inf + c`` on one computed sweep.

    ``rho_lo``/``rho_hi`` bound the row sums of ``P`` (the operator shifts constants by
    ``gamma rho``); the constructors below derive every coefficient from the way the kernels compute
    (both backends: Numba with reassociated sums, NumPy/BLAS/SciPy in their own order; the bounds
    hold for any summation order and with or without fused multiply-adds).
    """

    a: float
    b: float
    c: float
    rho_lo: float = 1.0
    rho_hi: float = 1.0
    qa: float | None = None  #: per-entry bound of the sweep's Q table: qa |Q~(s,a)| + qb ||V|| (None: a, b)
    qb: float | None = None

    def error(self, V_abs: float, TV_abs: float) -> float:
        """Bound on ``max_s |T~V(s) - TV(s)|`` for ``||V||_inf = V_abs``, ``||T~V||_inf = TV_abs``."""
        return (self.a * TV_abs + self.b * V_abs + self.c) * (1.0 + 4 * U)

    def q_error(self, Q_abs: float, V_abs: float) -> float:
        """Bound on ``max_{s,a} |Q~(s,a) - Q(s,a)|`` of the sweep's ``Q`` table, ``||Q~||_max = Q_abs``."""
        qa = self.a if self.qa is None else self.qa
        qb = self.b if self.qb is None else self.qb
        return (qa * Q_abs + qb * V_abs) * (1.0 + 4 * U)

    @classmethod
    def bellman(cls, stats: RowStats, gamma: float) -> "SweepRounding":
        r"""Optimality sweep ``max_a R + gamma P V`` (dense or CSR, Numba or NumPy).

        For one row with ``n`` products: ``|Q~ - Q| <= gamma_{n+2} (|R| + gamma sum |P| |V|)`` and
        ``|R| <= |Q| + gamma rho ||V||``, so ``|Q~ - Q| <= k (|Q~| + 2 gamma rho_hi ||V||)`` with
        ``k = gamma_{n+2} / (1 - gamma_{n+2})``. Since ``x -> x + k|x|`` is increasing, the max over
        actions keeps the bound with ``|T~V(s)|``: rows far below the max (a penalty reward of -1e12
        for an infeasible action) do not inflate it.
        """
        g = gamma_n(stats.terms + 2)
        k = g / (1.0 - g)
        return cls(a=k, b=2.0 * k * gamma * stats.rho_hi, c=0.0, rho_lo=stats.rho_lo, rho_hi=stats.rho_hi)

    @classmethod
    def policy(cls, stats: RowStats, gamma: float, R: np.ndarray, policy: np.ndarray) -> "SweepRounding":
        r"""Evaluation sweep ``T^pi V``: ``gamma_{n+2+A'} (max_s sum_a pi(a|s) |R(s,a)| + gamma rho_hi ||V||)``
        with ``A' = 0`` for a deterministic ``policy (S,)`` and ``A + 1`` for a stochastic one ``(S, A)``
        (the weighted sum over actions)."""
        S, A = R.shape
        if policy.ndim == 1:
            r_abs, extra = float(abs_finite(R[np.arange(S), policy]).max(initial=0.0)), 0
        else:
            r_abs, extra = float((policy * abs_finite(R)).sum(axis=1).max(initial=0.0)), A + 1
        g = gamma_n(stats.terms + 2 + extra)
        return cls(a=0.0, b=g * gamma * stats.rho_hi, c=g * r_abs * (1.0 + 2 * g),
                   rho_lo=stats.rho_lo, rho_hi=stats.rho_hi)

    @classmethod
    def robust(cls, S: int, gamma: float, R: np.ndarray | None = None,
               policy: np.ndarray | None = None) -> "SweepRounding":
        r"""Robust sweep ``max_a R + gamma nature(P0(.|s,a), V)`` (:mod:`solvers.robust.inner`), or its
        evaluation ``sum_a pi(a|s) (R + gamma nature)`` for a stochastic ``policy (S, A)``.

        A-priori model of the inner solvers: nature's value is a sum over at most ``S`` next states of
        terms bounded by ``||V||`` after a sort / a threshold / a log-sum-exp with its own shift, so its
        error is taken as ``4 gamma_{2S+8} ||V||``; the KL-constrained dual is solved to a relative
        1e-15 in KL, whose effect on the value (``1e-15 rho / t``, ``t`` the tilt) is below that, and
        the s-rectangular budget split is bisected to a width of ``2^-70`` on ``log eta``. Rows of
        nature's kernels sum to one (it chooses distributions), so ``rho = 1``. With a policy, the
        weighted sum over actions adds ``gamma_{A+1} sum_a pi |Q|`` and ``|Q| <= |R| + gamma ||V||``.
        """
        g = gamma_n(2 * S + 8)
        k = gamma_n(3)
        if policy is None:
            return cls(a=k, b=gamma * (2 * k + 4 * g), c=0.0)
        A = R.shape[1]
        w = 2 * k + gamma_n(A + 1)
        r_abs = float((policy * abs_finite(R)).sum(axis=1).max(initial=0.0))
        return cls(a=0.0, b=gamma * (w + 4 * g) * (1 + w), c=w * r_abs * (1 + w), qa=k, qb=gamma * (2 * k + 4 * g))


# ------------------------------------------------------------------------------------------- brackets
@dataclass(frozen=True)
class Bracket:
    """What one sweep certifies: the fixed-point quantity lies in ``[TV + lo, TV + hi]`` (discounted) or
    in ``[lo, hi]`` (the average-reward gain); the midpoint is within ``half_width`` of it.

    ``lo``, ``hi`` and ``half_width`` include the floating-point widening (``rounding``): the bounds hold
    for the *computed* ``TV`` and the *computed* midpoint ``TV + shift``.
    """

    lo: float          #: discounted: V* >= TV + lo (componentwise); average reward: gain >= lo
    hi: float          #: discounted: V* <= TV + hi; average reward: gain <= hi
    half_width: float  #: certified error of the midpoint, rounding included
    residual: float    #: ||TV - V||_inf (computed)
    supnorm_bound: float | None = None  #: discounted only: gamma/(1-gamma) ||TV - V|| + rounding, the certificate of TV
    rounding: float = 0.0  #: the part of half_width due to floating point (the attainable accuracy here)
    sweep_error: float = 0.0  #: bound on |T~V - TV| used (policy certificates need it)
    V_abs: float = 0.0  #: ||V||_inf of the iterate the sweep was applied to

    @property
    def shift(self) -> float:
        """Constant added to ``T V`` (and to ``Q(V)``) to get the bracket midpoint."""
        return 0.5 * (self.lo + self.hi)


def _discount_factor(gamma: float, rho: float) -> float:
    """``g / (1 - g)`` for the effective discount ``g = gamma rho`` (``inf`` if ``g >= 1``)."""
    g = gamma * rho
    return g / (1.0 - g) if g < 1.0 else math.inf


def worst_case_rounding(S: int, gamma: float) -> SweepRounding:
    """The rounding model of an optimality sweep with dense rows of ``S`` terms summing to 1 (used when
    a caller gives none)."""
    return SweepRounding.bellman(RowStats(S, 1.0, 1.0), gamma)


def macqueen(V: np.ndarray, TV: np.ndarray, gamma: float, rounding: SweepRounding | None = None,
             backend: str = "numba") -> Bracket:
    """MacQueen bracket from one computed application ``TV`` of a ``gamma``-discounted monotone operator
    to ``V``, widened by the floating-point bound of ``rounding`` (see the module docstring).

    ``rounding=None`` assumes the worst case of a dense row of ``len(V)`` terms and unit row sums.
    ``backend`` runs the one-pass statistics (:func:`solvers._kernels.bracket_stats`).
    """
    if rounding is None:
        rounding = worst_case_rounding(len(V), gamma)
    m, M, V_abs, TV_abs = K.bracket_stats(V, TV, backend)
    e = rounding.error(V_abs, TV_abs)
    u1 = U / (1.0 - U)
    d_err = e + u1 * max(abs(m), abs(M))          # exact min/max of TV - V lie within this of m, M
    m_lo, M_hi = m - d_err, M + d_err
    # MacQueen sums with the effective discount gamma rho: rho_lo for positive, rho_hi for negative terms
    c_m = _discount_factor(gamma, rounding.rho_lo if m_lo >= 0 else rounding.rho_hi)
    c_M = _discount_factor(gamma, rounding.rho_hi if M_hi >= 0 else rounding.rho_lo)
    if NO_AMPLIFICATION.active:
        c_m = c_M = 1.0
    lo_x, hi_x = c_m * m, c_M * M                 # the exact-arithmetic bracket from the computed m, M
    c = max(c_m, c_M)
    # floating point: T~V vs TV (e), m and M (c * d_err), the ~5 roundings of each product, and the
    # rounding of the returned TV + lo/hi/shift
    fp = (e + c * d_err + 5 * U * max(abs(lo_x), abs(hi_x)) + 2 * u1 * (TV_abs + max(abs(lo_x), abs(hi_x))))
    fp *= 1.0 + 16 * U
    lo, hi = lo_x - fp, hi_x + fp
    half = (0.5 * (hi_x - lo_x) + fp) * (1.0 + 8 * U)
    res = max(abs(m), abs(M))
    return Bracket(lo=lo, hi=hi, half_width=half, residual=res, supnorm_bound=(c * res + fp) * (1.0 + 8 * U),
                   rounding=fp, sweep_error=e, V_abs=V_abs)


@dataclass(frozen=True)
class MacQueen:
    """MacQueen bracket of a ``gamma``-discounted, monotone, constant-shifting operator (see module doc),
    with the floating-point widening of ``rounding`` (``None``: the worst case of dense rows)."""

    gamma: float
    rounding: SweepRounding | None = None
    backend: str = "numba"
    name = "macqueen-bracket-midpoint"
    #: the loop moves the next iterate to the bracket midpoint (keeps it at the scale of V*, where the
    #: rounding bound is smallest; the span of T V - V is unchanged by constant shifts)
    recentre = True

    @classmethod
    def of_bellman(cls, P: Any, gamma: float, backend: str = "numba") -> "MacQueen":
        """The bracket of the nominal optimality operator on ``P`` (a model's ``mdp.P``, dense or CSR; the
        rounding model from :func:`row_stats`)."""
        return cls(gamma, SweepRounding.bellman(row_stats(P), gamma), backend)

    def __call__(self, V: np.ndarray, TV: np.ndarray) -> Bracket:
        return macqueen(V, TV, self.gamma, self.rounding, self.backend)


@dataclass(frozen=True)
class SpanBracket:
    r"""Average-reward bracket (Puterman 1994, Theorem 8.5.5; Odoni 1969): for ``d = T V - V`` of the
    average-reward optimality (or evaluation) operator of a weakly communicating MDP,
    ``min d <= g* <= max d``. The midpoint is within ``span(d) / 2`` of the optimal gain ``g*``; relative
    value iteration stops when ``span(d) <= 2 tol``."""

    name = "span-bracket"
    recentre = False

    def __call__(self, V: np.ndarray, TV: np.ndarray) -> Bracket:
        d = TV - V
        m, M = float(d.min()), float(d.max())
        return Bracket(lo=m, hi=M, half_width=0.5 * (M - m), residual=max(abs(m), abs(M)))


# ------------------------------------------------------------------------------ a-posteriori certificates
@dataclass(frozen=True)
class APosteriori:
    """``||V - V*||_inf <= bound`` for a point ``V`` returned as is (PI, LP, direct evaluation)."""

    bound: float      #: certified ||V - V*||_inf, rounding included
    residual: float   #: computed ||TV - V||_inf
    rounding: float   #: the part of bound due to floating point
    sweep_error: float
    V_abs: float


def a_posteriori(V: np.ndarray, TV: np.ndarray, gamma: float, rounding: SweepRounding | None = None) -> APosteriori:
    """Certified ``||V - V*||_inf <= ||T V - V||_inf / (1 - gamma rho_hi)`` for the point ``V`` itself
    (not the midpoint; Puterman 1994, Theorem 6.2.3's contraction argument), with ``T V`` known only as
    the computed ``T~V``: the residual is widened by the sweep's rounding bound and the subtraction's."""
    if rounding is None:
        rounding = worst_case_rounding(len(V), gamma)
    m, M, V_abs, TV_abs = K.bracket_stats(V, TV, "numpy")
    res = max(abs(m), abs(M))
    e = rounding.error(V_abs, TV_abs)
    g = gamma * rounding.rho_hi
    inv = 1.0 / (1.0 - g) if g < 1.0 else math.inf
    if NO_AMPLIFICATION.active:
        inv = 1.0
    exact = res * inv
    bound = (res * (1.0 + U) + e) * inv * (1.0 + 8 * U)
    return APosteriori(bound=bound, residual=res, rounding=bound - exact, sweep_error=e, V_abs=V_abs)


def greedy_gap(Q: np.ndarray, TV: np.ndarray, policy: np.ndarray, half_width: float, sweep_error: float,
               gamma: float, rho_hi: float = 1.0) -> float:
    r"""Certified ``||V* - V^policy||_inf`` for a ``policy`` greedy (up to the tie rule) for the computed
    ``Q~ = Q(V_k)`` whose max is ``T~V_k``, given the bracket of ``V_k`` (``half_width``, rounding
    included) and the sweep's rounding ``e``.

    With ``tau = max_s (T~V(s) - Q~(s, policy(s)))`` (zero unless the tie rule picked an action below
    the row's max, :data:`mdptheory.policies.TIE_RTOL`), ``T^pi V_k >= T V_k - (tau + 2e)``, so
    ``V* - V^pi <= (hi - lo) + (tau + 2 e) / (1 - gamma rho_hi)`` (the MacQueen argument of the module
    docstring applied to ``T^pi``).
    """
    S = Q.shape[0]
    chosen = Q[np.arange(S), policy]
    tau = float(np.max(TV - chosen, initial=0.0))
    g = gamma * rho_hi
    inv = 1.0 / (1.0 - g) if g < 1.0 else math.inf
    return (2.0 * half_width + (max(tau, 0.0) * (1.0 + U) + 2.0 * sweep_error) * inv) * (1.0 + 8 * U)
