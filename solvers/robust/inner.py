r"""The inner problem of robust dynamic programming: nature's worst-case response.

``worst_case(p0, V, uncertainty) -> (value, p_worst)`` solves, for a nominal next-state distribution
``p0 (S,)`` and next-state values ``V (S,)``,

- constrained sets (``TV(rho)``, ``KL(rho)``, ``ChiSquare(rho)``): ``inf { <p, V> : D(p||p0) <= rho }``;
- regularized sets (``.regularized(lam)``): ``inf { <p, V> + lam D(p||p0) }``,

over the probability simplex, returning the optimal value and a minimizer ``p_worst`` (which attains
the value: ``<p_worst, V> (+ lam D(p_worst||p0)) == value``). ``worst_case_rows`` does the same for many
rows ``P0 (n, S)`` sharing one ``V`` — the shape of one robust Bellman sweep (rows = state-action
pairs for ``"sa"``-rectangular sets, latent factors ``mu_{h,i}`` for ``"d"``-rectangular ones).

Methods (spec ``r2pvi_drrpo.md`` section 1.4; derivations in ``docs/robust.md``):

=========== =============================================== ========================================
divergence  regularized (``lam``)                           constrained (``rho``)
=========== =============================================== ========================================
TV          ``E_p0[min(V, min V + lam)]``, O(S)             move ``rho`` mass top -> argmin, O(S log S)
KL          ``-lam log E_p0 e^{-V/lam}`` (log-sum-exp), O(S) 1-D dual in ``beta``: root of KL(q)=rho
chi-square  KKT threshold, exact breakpoint search          Lagrangian family, exact breakpoints
=========== =============================================== ========================================
"""
from __future__ import annotations

import numpy as np

from mdptheory import backends, mutants
from mdptheory.backends import check_backend
from mdptheory.uncertainty import UncertaintySet
from mdptheory.validation import PROB_ATOL, as_float_array, check_distribution, check_finite

from ._kernels import kernel_name


# Realistic single bugs of the inner problems (mdptheory.mutants; off unless activated). Numba reads globals
# at compile time, so each is switched here, at the Python wrapper, by the arguments the kernel receives.
_M = "robust-inner"
TV_CONS_2RHO = mutants.register(_M, "tv-cons-2rho",
                                "TV ball moves 2 rho mass (the half-l1 convention D_TV = ||p - p0||_1 / 2 missed)")
TV_REG_HALF_LAM = mutants.register(_M, "tv-reg-half-lam",
                                   "regularized TV threshold min V + lam/2 instead of min V + lam")
TV_REG_SUPPORT_MIN = mutants.register(_M, "tv-reg-support-min",
                                      "regularized TV moves mass only inside supp p0 (min over the support, as for "
                                      "KL and chi-square) instead of to argmin over all states")
KL_CONS_2RHO = mutants.register(_M, "kl-cons-2rho", "KL ball of radius 2 rho (a factor-2 slip in the radius)")
KL_REG_INVERSE_LAM = mutants.register(_M, "kl-reg-inverse-lam",
                                      "regularized KL -(1/lam) log E e^{-lam V} (lam and 1/lam swapped)")
CHI2_CONS_2RHO = mutants.register(_M, "chi2-cons-2rho",
                                  "chi-square ball of radius 2 rho (the f(t) = (t-1)^2 / 2 convention mixed in)")
CHI2_REG_THRESHOLD = mutants.register(_M, "chi2-reg-threshold",
                                      "regularized chi-square KKT threshold p = p0 (tau - V)_+ / lam instead of "
                                      "/(2 lam); the penalty itself is right")
RADIUS_FLOOR = mutants.register(_M, "radius-floor",
                                "constrained radius clamped to rho >= 0.01 'for numerical stability' (rho = 0 "
                                "no longer the nominal model)")
LAM_AS_RHO = mutants.register(_M, "lam-as-rho",
                              "a regularizer lam handed to the constrained kernel as a ball radius (the official "
                              "code calls lam 'Rho')")
NATURE_MAXIMISES = mutants.register(_M, "nature-maximises",
                                    "nature's problem solved for -V (a sign slip): the best case instead of the worst")


def _mutated(kernel, divergence: str, regularized: bool):
    """``kernel`` with the active inner-problem mutant applied to its arguments (itself when none is)."""
    def scaled(factor):
        return lambda P0, V, param, want_p: kernel(P0, V, factor(param), want_p)

    if NATURE_MAXIMISES.active:
        def best_case(P0, V, param, want_p):   # sup_p <p, V> (- lam D) = -inf_p <p, -V> (+ lam D)
            vals, Pw = kernel(P0, np.ascontiguousarray(-V), param, want_p)
            return -vals, Pw
        return best_case
    if not regularized and RADIUS_FLOOR.active:
        return scaled(lambda r: np.maximum(r, 0.01))
    if divergence == "tv" and not regularized and TV_CONS_2RHO.active:
        return scaled(lambda r: 2.0 * r)
    if divergence == "tv" and regularized and TV_REG_HALF_LAM.active:
        return scaled(lambda lam: 0.5 * lam)
    if divergence == "tv" and regularized and TV_REG_SUPPORT_MIN.active:
        def support_min(P0, V, lam, want_p):
            out = [kernel(P0[r:r + 1], np.where(P0[r] > 0, V, V.max()), lam[r:r + 1], want_p) for r in range(len(P0))]
            return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])
        return support_min
    if divergence == "kl" and not regularized and KL_CONS_2RHO.active:
        return scaled(lambda r: 2.0 * r)
    if divergence == "kl" and regularized and KL_REG_INVERSE_LAM.active:
        return scaled(lambda lam: 1.0 / lam)
    if divergence == "chi2" and not regularized and CHI2_CONS_2RHO.active:
        return scaled(lambda r: 2.0 * r)
    if divergence == "chi2" and regularized and CHI2_REG_THRESHOLD.active:
        def threshold(P0, V, lam, want_p):
            _, Pw = kernel(P0, V, 0.5 * lam, True)
            pen = np.where(P0 > 0, (Pw - P0) ** 2 / np.where(P0 > 0, P0, 1.0), 0.0).sum(axis=1)
            return Pw @ V + np.where(np.isinf(lam), 0.0, lam * pen), Pw if want_p else Pw[:0]
        return threshold
    return kernel


def _check_uncertainty(uncertainty) -> None:
    if not isinstance(uncertainty, UncertaintySet):
        raise TypeError(
            f"uncertainty must be a mdptheory.uncertainty set such as TV(0.1) or KL(lam=1.0), "
            f"got {type(uncertainty).__name__}"
        )


def inner_solver(uncertainty: UncertaintySet, backend: str = "numba"):
    """The row solver ``f(P0 (n,S), V (S,), param (n,), want_p) -> (values, P_worst)`` for this set."""
    _check_uncertainty(uncertainty)
    name, reg = uncertainty.divergence_name, uncertainty.is_regularized
    if reg and LAM_AS_RHO.active:
        return backends.pick(kernel_name(name, False), backend)
    return _mutated(backends.pick(kernel_name(name, reg), backend), name, reg)


def _float_array(x, name: str, ndim: int) -> np.ndarray:
    """``x`` as C-contiguous float64 with ``ndim`` dims; no copy/conversion when it already is one."""
    if isinstance(x, np.ndarray) and x.dtype == np.float64 and x.flags.c_contiguous and x.ndim == ndim:
        return x
    return as_float_array(x, name, ndim=ndim)


def _validate(P0: np.ndarray, V: np.ndarray, p_name: str) -> None:
    """Cheap checks first (a few microseconds); the detailed validators only run to build the error."""
    if P0.shape[-1] != V.shape[0]:
        raise ValueError(f"{p_name} has {P0.shape[-1]} columns but V has {V.shape[0]} entries; they must match")
    if V.shape[0] == 0:
        raise ValueError(f"{p_name} and V are empty; give a distribution over at least one next state and its "
                         "value, e.g. p0=np.array([1.0]), V=np.array([0.0])")
    if not backends.pick("robust.rows_are_distributions", "numba")(P0.reshape(-1, V.shape[0]), V, PROB_ATOL):
        check_finite(V, "V")
        check_distribution(P0, p_name, PROB_ATOL)


def _param(uncertainty: UncertaintySet, n: int) -> np.ndarray:
    p = uncertainty.param
    if isinstance(p, float):
        return np.full(n, p)
    return uncertainty.param_rows((n,), "P0 rows")


def worst_case_rows(P0: np.ndarray, V: np.ndarray, uncertainty: UncertaintySet, *, want_p: bool = True,
                    backend: str = "numba", validate: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Nature's response for every row of ``P0`` against the shared value vector ``V``.

    Parameters
    ----------
    P0 : ndarray (n, S)
        Nominal distributions, one per row (state-action pair or latent factor).
    V : ndarray (S,)
        Next-state values.
    uncertainty : UncertaintySet
        ``rho``/``lam`` may be a scalar or an array broadcastable to ``(n,)``.
    want_p : bool
        Return the worst-case rows too (else an empty ``(0, S)`` array; slightly faster).
    backend : {"numba", "numpy"}
    validate : bool
        Check the inputs (planners that already validated pass ``False``).

    Returns
    -------
    values : ndarray (n,)
    P_worst : ndarray (n, S) (or (0, S) when ``want_p`` is False)
    """
    _check_uncertainty(uncertainty)
    check_backend(backend)
    if validate:
        P0 = _float_array(P0, "P0", 2)
        V = _float_array(V, "V", 1)
        _validate(P0, V, "P0")
    return inner_solver(uncertainty, backend)(P0, V, _param(uncertainty, P0.shape[0]), want_p)


def worst_case(p0: np.ndarray, V: np.ndarray, uncertainty: UncertaintySet, *,
               backend: str = "numba") -> tuple[float, np.ndarray]:
    """Nature's worst-case response for one nominal distribution.

    Parameters
    ----------
    p0 : ndarray (S,)
        Nominal next-state distribution.
    V : ndarray (S,)
        Next-state values.
    uncertainty : UncertaintySet
        e.g. ``TV(0.1)``, ``KL(0.05)``, ``ChiSquare(lam=2.0)``; a scalar parameter.

    Returns
    -------
    value : float
        ``inf_{D(p||p0) <= rho} <p, V>`` or ``inf_p <p, V> + lam D(p||p0)``.
    p_worst : ndarray (S,)
        A minimizer (it attains ``value``).

    Examples
    --------
    >>> import numpy as np
    >>> from mdptheory.uncertainty import TV
    >>> v, p = worst_case(np.array([0.5, 0.5]), np.array([0.0, 1.0]), TV(0.2))
    >>> round(v, 12), p.round(12).tolist()
    (0.3, [0.7, 0.3])
    """
    p0 = _float_array(p0, "p0", 1)
    V = _float_array(V, "V", 1)
    if p0.shape != V.shape:
        raise ValueError(f"p0 has shape {p0.shape} but V has shape {V.shape}; they must match")
    _validate(p0, V, "p0")
    _check_uncertainty(uncertainty)
    param = uncertainty._param1
    if param is None:
        raise ValueError(f"worst_case needs a scalar rho/lam, got an array in {uncertainty!r}; use worst_case_rows")
    vals, Pw = inner_solver(uncertainty, backend)(p0.reshape(1, -1), V, param, True)
    return float(vals[0]), Pw[0]


# ---------------------------------------------------------------------------------- s-rectangular
#: Bisection steps on ``log eta`` for the s-rectangular budget split (bracket width <= ~200 -> 2^-70).
S_RECT_STEPS = 80


def s_rectangular_rows(P0: np.ndarray, pi: np.ndarray, V: np.ndarray, uncertainty: UncertaintySet, *,
                       backend: str = "numba") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Nature's response to a fixed policy under ``"s"``-rectangular sets, for many states at once.

    For state ``s`` with nominal rows ``P0[s] (A, S)`` and policy ``pi[s] (A,)``:

    - constrained (Wiesemann, Kuhn & Rustem 2013): ``min sum_a pi_a <p_a, V>`` over
      ``{(p_a)_a : sum_a D(p_a || P0[s, a]) <= rho}`` — one budget shared by the actions;
    - regularized: ``min sum_a pi_a <p_a, V> + lam sum_a D(p_a || P0[s, a])``, which splits into
      ``sum_a pi_a Reg_a(lam / pi_a)`` (actions with ``pi_a = 0`` keep ``P0``).

    The constrained case is solved through its Lagrangian dual
    ``sup_{eta >= 0} sum_a pi_a Reg_a(eta / pi_a) - eta rho``, whose derivative
    ``sum_a D(p_a(eta)) - rho`` is non-increasing in ``eta``: bisection on ``log eta`` for all states at
    once (``S_RECT_STEPS`` steps, each one :func:`worst_case_rows` call on ``S*A`` rows). The returned
    kernel mixes the two bracket ends so that the budget is met (feasible, by convexity of ``D``) and
    attains the returned value up to the bracket width (exact at TV's kinks).

    Parameters
    ----------
    P0 : ndarray (n, A, S)
    pi : ndarray (n, A)
        Policy probabilities at each of the ``n`` states.
    V : ndarray (S,)
    uncertainty : UncertaintySet
        Scalar or per-state ``(n,)`` ``rho``/``lam``.

    Returns
    -------
    values : ndarray (n,)
        Nature's value (including the penalty ``lam sum_a D`` when regularized).
    P_worst : ndarray (n, A, S)
    penalty : ndarray (n,)
        ``lam sum_a D(P_worst[s, a] || P0[s, a])`` (zeros for constrained sets).
    """
    _check_uncertainty(uncertainty)
    check_backend(backend)
    n, A, S = P0.shape
    rows = np.ascontiguousarray(P0.reshape(n * A, S))
    param = uncertainty.param_rows((n,), "states")
    solve = inner_solver(type(uncertainty)(lam=1.0), backend)  # the regularized kernel, lam given per row
    with np.errstate(divide="ignore"):
        inv_pi = np.where(pi > 0, 1.0 / np.where(pi > 0, pi, 1.0), np.inf)  # (n, A)

    def respond(eta):  # regularized response with lam_a = eta / pi_a, per state
        lam = (eta[:, None] * inv_pi).ravel()
        lam = np.where(np.isnan(lam) | (lam <= 0), np.inf, lam)  # pi_a = 0 -> nominal row
        _, Pw = solve(rows, V, lam, True)
        div = uncertainty.divergence(Pw, rows).reshape(n, A)
        div = np.where(pi > 0, div, 0.0)
        Pw = Pw.reshape(n, A, S)
        return (pi * (Pw @ V)).sum(axis=1), Pw, div.sum(axis=1)  # sum_a pi_a <p_a, V>, kernel, sum_a D_a

    if uncertainty.is_regularized:
        lin, Pw, div = respond(param)
        # sum_a pi_a Reg_a(lam/pi_a) = sum_a pi_a <p_a, V> + lam sum_a D_a
        pen = np.where(np.isinf(param), 0.0, param * div)
        return lin + pen, Pw, pen
    rho = param
    span = max(float(np.ptp(V)), 1e-300)
    lo = np.full(n, np.log(1e-12 * span))
    hi = np.full(n, np.log(span))
    for _ in range(200):  # widen until sum_a D(eta_hi) <= rho (eta -> inf gives D -> 0)
        _, _, d_hi = respond(np.exp(hi))
        bad = d_hi > rho
        if not bad.any():
            break
        hi = np.where(bad, hi + 2.0, hi)
    for _ in range(S_RECT_STEPS):
        mid = 0.5 * (lo + hi)
        _, _, d_mid = respond(np.exp(mid))
        feasible = d_mid <= rho
        hi = np.where(feasible, mid, hi)
        lo = np.where(feasible, lo, mid)
    v_hi, P_hi, d_hi = respond(np.exp(hi))
    v_lo, P_lo, d_lo = respond(np.exp(lo))
    # eta_lo infeasible (or the collapse limit): mix the two ends to spend exactly the budget
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.where(d_lo > d_hi, (rho - d_hi) / (d_lo - d_hi), 0.0)
    theta = np.clip(np.nan_to_num(theta), 0.0, 1.0)
    Pw = theta[:, None, None] * P_lo + (1.0 - theta)[:, None, None] * P_hi
    values = theta * v_lo + (1.0 - theta) * v_hi
    nominal = rho == 0.0
    Pw[nominal] = P0[nominal]
    values[nominal] = (pi[nominal] * (P0[nominal] @ V)).sum(axis=1)
    return values, Pw, np.zeros(n)
