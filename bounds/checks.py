"""Statistical checks comparing empirical results with a bound; each returns a :class:`Verdict`.

All four checks are honest in the same sense: noise or too little data makes them *fail*, never pass.

- :func:`below` — a high-probability bound (holds w.p. ``1 - delta``): the number of runs above it is
  tested against ``Binomial(n, delta)`` with an exact one-sided binomial test. ``delta = 0``
  (a deterministic theorem) means a single exceedance fails.
- :func:`rate` — the log-log (or semi-log) slope of ``y`` against ``x`` with a stratified bootstrap
  confidence interval; passes only if the *whole* interval lies within ``tol`` of the exponent
  (an equivalence test: a wide interval from too few seeds fails).
- :func:`ratio_bounded` — ``empirical / bound`` stays below ``max_ratio`` (and, over a grid, does not
  grow); reports the tightness ratio.
- :func:`identity` — an exact identity, ``|actual - expected| <= atol + rtol |expected|`` elementwise,
  where ``atol`` comes from the solvers' certificates (never chosen to make a test pass).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from mdptheory.validation import as_generator

__all__ = ["Verdict", "below", "rate", "ratio_bounded", "identity"]


@dataclass(frozen=True)
class Verdict:
    """Outcome of a check.

    Attributes
    ----------
    passed : bool
    statistic : float
        The tested quantity (fraction above the bound, fitted slope, max ratio, max normalised error).
    threshold : float
        What ``statistic`` is compared with (``delta``, the exponent, ``max_ratio``, 1).
    explanation : str
        One plain-language sentence saying what was tested and why it passed or failed.
    details : dict
        Extra numbers (``n``, ``pvalue``, ``ci``, ``tightness`` = max empirical/bound, ...).
    """

    passed: bool
    statistic: float
    threshold: float
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.passed)

    @property
    def tightness(self) -> float | None:
        """``max(empirical / bound)`` when the check computed it (1 = tight, << 1 = loose)."""
        t = self.details.get("tightness")
        return None if t is None else float(t)


def _as_1d(x: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, could not convert: {exc}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty; a check needs at least one value")
    return arr


def _no_nan(arr: np.ndarray, name: str) -> None:
    bad = np.isnan(arr)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name}[{i}] is NaN; drop failed runs explicitly before checking (a NaN is not a pass)")


def _bound_like(bound_values: Any, emp: np.ndarray) -> np.ndarray:
    """Bound values as an array of the empirical's shape (a scalar is repeated); no NaN allowed."""
    bnd = _as_1d(bound_values, "bound_values")
    if bnd.size == 1:
        bnd = np.full(emp.shape, bnd[0])
    if bnd.shape != emp.shape:
        raise ValueError(
            f"bound_values has {bnd.size} entries, empirical has {emp.size}; give one bound per run or a scalar"
        )
    _no_nan(bnd, "bound_values")
    return bnd


def _check_kind(kind: str) -> None:
    if kind not in ("upper", "lower"):
        raise ValueError(f"kind={kind!r}, expected 'upper' or 'lower'")


def _tightness(emp: np.ndarray, bnd: np.ndarray, kind: str) -> float:
    """max empirical/bound for upper bounds, max bound/empirical for lower bounds (where finite)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = emp / bnd if kind == "upper" else bnd / emp
    r = r[np.isfinite(r)]
    return float(r.max()) if r.size else float("nan")


def below(
    empirical: Any,
    bound_values: Any,
    delta: float,
    *,
    alpha: float = 0.05,
    kind: str = "upper",
    atol: Any = 0.0,
    trivial: Any = None,
) -> Verdict:
    """Test that a bound holding with probability ``1 - delta`` is violated no more often than ``delta``.

    Parameters
    ----------
    empirical : array (n,)
        One value per independent run (seed, or seed x grid point).
    bound_values : float or array (n,)
        The bound evaluated at each run's parameters.
    delta : float in [0, 1)
        The theorem's failure probability; ``0`` for a deterministic statement.
    alpha : float
        Significance level of the exact one-sided binomial test
        ``H0: P(exceed) <= delta`` vs ``H1: P(exceed) > delta`` (``scipy.stats.binomtest``).
    kind : {"upper", "lower"}
        ``"upper"``: exceed means ``empirical > bound + atol``; ``"lower"``: ``empirical < bound - atol``.
    atol : float or array (n,)
        Numerical slack for values computed to a certified accuracy (0 by default), e.g. the
        certificate of a reference solution; never a fudge factor.
    trivial : float or array (n,), optional
        The quantity's a-priori range end: its maximum for an upper bound (regret <= H T, SubOpt <= V*,
        a probability <= 1), its minimum for a lower bound. Where the bound is beyond it, the bound cannot
        bind; ``details["informative_fraction"]`` is the fraction of runs where it can, and a claim whose
        bound is informative nowhere is judged vacuous.

    Returns
    -------
    Verdict
        ``statistic`` = fraction of runs that exceed, ``threshold`` = ``delta``; details hold ``n``,
        ``k`` (exceedances), ``pvalue``, ``tightness`` (max empirical/bound) and, with ``trivial``,
        ``informative_fraction``.
    """
    _check_kind(kind)
    emp = _as_1d(empirical, "empirical")
    _no_nan(emp, "empirical")
    bnd = _bound_like(bound_values, emp)
    if not 0.0 <= float(delta) < 1.0:
        raise ValueError(f"delta={delta}, expected a probability in [0, 1)")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha={alpha}, expected a significance level in (0, 1)")
    slack = np.broadcast_to(np.asarray(atol, dtype=float).ravel() if np.ndim(atol) else float(atol), emp.shape)
    if np.any(slack < 0) or np.isnan(slack).any():
        raise ValueError("atol must be >= 0 (a scalar or one value per run)")
    exceed = emp > bnd + slack if kind == "upper" else emp < bnd - slack
    n, k = emp.size, int(exceed.sum())
    frac = k / n
    tight = _tightness(emp, np.asarray(bnd, dtype=float), kind)
    side = "above" if kind == "upper" else "below"
    details: dict[str, Any] = {"n": n, "k": k, "tightness": tight, "alpha": alpha, "max_atol": float(slack.max()),
                               "summary": f"{k}/{n} {'above' if kind == 'upper' else 'below'}"}
    details.update(_informative(bnd, trivial, kind, emp.shape))
    if delta == 0.0:
        passed = k == 0
        details["pvalue"] = 1.0 if passed else 0.0
        worst = int(np.argmax(emp - bnd)) if kind == "upper" else int(np.argmax(bnd - emp))
        details["worst_index"] = worst
        expl = (
            f"deterministic bound: {k}/{n} runs {side} it"
            + ("" if passed else f" (worst: run {worst}, empirical {emp[worst]:.6g} vs bound {bnd[worst]:.6g})")
            + (f"; max ratio {tight:.3g}" if np.isfinite(tight) else "")
        )
    else:
        pvalue = float(stats.binomtest(k, n, p=float(delta), alternative="greater").pvalue)
        passed = pvalue >= alpha
        details["pvalue"] = pvalue
        expl = (
            f"{k}/{n} runs {side} a 1-{delta:g} bound; exact binomial test of P(exceed) <= {delta:g}: "
            f"p = {pvalue:.3g} {'>=' if passed else '<'} alpha = {alpha:g}"
            + (f"; max ratio {tight:.3g}" if np.isfinite(tight) else "")
        )
    if "informative_fraction" in details:
        expl += f"; the bound is below the quantity's a-priori maximum on {details['informative_fraction']:.0%} of runs"
    return Verdict(bool(passed), float(frac), float(delta), expl, details)


def _informative(bnd: np.ndarray, trivial: Any, kind: str, shape: tuple) -> dict[str, Any]:
    """``{"informative_fraction": ...}``: where the bound is inside the quantity's a-priori range."""
    if trivial is None:
        return {}
    triv = np.broadcast_to(np.asarray(trivial, dtype=float), shape)
    inside = bnd < triv if kind == "upper" else bnd > triv
    return {"informative_fraction": float(inside.mean()), "trivial_range_end": float(np.median(triv))}


def _ols_slope(u: np.ndarray, v: np.ndarray) -> float:
    uc = u - u.mean()
    den = float(uc @ uc)
    if den == 0.0:
        raise ValueError("rate: all x values are equal; a slope needs at least two distinct x")
    return float(uc @ (v - v.mean()) / den)


def rate(
    x: Any,
    y: Any,
    exponent: float,
    tol: float = 0.1,
    n_boot: int = 2000,
    rng: int | np.random.Generator | None = 0,
    *,
    level: float = 0.95,
    alternative: str = "two-sided",
    xscale: str = "log",
) -> Verdict:
    """Fit the slope of ``log y`` against ``log x`` (or ``x``) and test it against ``exponent``.

    The fit uses the per-``x`` mean of ``y`` (theorems bound expectations), so repeated ``x`` values are
    seeds. The confidence interval is a percentile bootstrap that resamples seeds *within* each
    distinct ``x`` (stratified: every grid point stays represented); with one value per ``x`` it
    resamples the points instead.

    Parameters
    ----------
    x, y : array (n,)
        Grid values (repeated once per seed) and the empirical quantity (> 0).
    exponent : float
        Expected slope (e.g. 0.5 for regret ~ T^(1/2); ``log(gamma)`` with ``xscale="linear"`` for a
        geometric decay ``y ~ gamma^x``).
    tol : float
        Half-width of the equivalence margin around ``exponent``.
    n_boot : int
        Bootstrap resamples.
    rng : int or Generator
        Seed for the bootstrap (same seed, same interval).
    level : float
        Confidence level of the interval.
    alternative : {"two-sided", "at_most", "at_least"}
        ``"two-sided"``: the interval must lie inside ``[exponent - tol, exponent + tol]``;
        ``"at_most"``: its upper end must be ``<= exponent + tol`` (a rate no worse than the bound's);
        ``"at_least"``: its lower end must be ``>= exponent - tol`` (lower bounds).
    xscale : {"log", "linear"}
        ``"log"`` fits ``log y ~ log x``, ``"linear"`` fits ``log y ~ x``.
    """
    if alternative not in ("two-sided", "at_most", "at_least"):
        raise ValueError(f"alternative={alternative!r}, expected 'two-sided', 'at_most' or 'at_least'")
    if xscale not in ("log", "linear"):
        raise ValueError(f"xscale={xscale!r}, expected 'log' or 'linear'")
    xa, ya = _as_1d(x, "x"), _as_1d(y, "y")
    if xa.shape != ya.shape:
        raise ValueError(f"x has {xa.size} entries and y has {ya.size}; give one x per y (repeat x per seed)")
    _no_nan(xa, "x")
    _no_nan(ya, "y")
    if np.any(ya <= 0):
        i = int(np.argmax(ya <= 0))
        raise ValueError(f"y[{i}] = {ya[i]:.6g} <= 0; a log-slope needs positive values")
    if xscale == "log" and np.any(xa <= 0):
        i = int(np.argmax(xa <= 0))
        raise ValueError(f"x[{i}] = {xa[i]:.6g} <= 0 with xscale='log'; use xscale='linear' or positive x")
    if tol < 0 or n_boot < 100 or not 0.5 < level < 1:
        raise ValueError(f"need tol >= 0, n_boot >= 100 and level in (0.5, 1); got {tol}, {n_boot}, {level}")
    levels, inverse = np.unique(xa, return_inverse=True)
    if levels.size < 2:
        raise ValueError("rate: all x values are equal; a slope needs at least two distinct x")
    u = np.log(levels) if xscale == "log" else levels
    groups = [ya[inverse == g] for g in range(levels.size)]
    slope = _ols_slope(u, np.log([g.mean() for g in groups]))
    gen = as_generator(rng)
    boot = np.empty(n_boot)
    stratified = min(g.size for g in groups) > 1
    for b in range(n_boot):
        if stratified:
            means = np.array([g[gen.integers(0, g.size, g.size)].mean() for g in groups])
            boot[b] = _ols_slope(u, np.log(means))
        else:
            idx = gen.integers(0, levels.size, levels.size)
            if np.unique(idx).size < 2:
                boot[b] = np.nan
                continue
            boot[b] = _ols_slope(u[idx], np.log([groups[i].mean() for i in idx]))
    boot = boot[np.isfinite(boot)]
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    if alternative == "two-sided":
        passed = exponent - tol <= lo and hi <= exponent + tol
        target = f"inside [{exponent - tol:.4g}, {exponent + tol:.4g}]"
    elif alternative == "at_most":
        passed = hi <= exponent + tol
        target = f"below {exponent + tol:.4g}"
    else:
        passed = lo >= exponent - tol
        target = f"above {exponent - tol:.4g}"
    scale = "log-log" if xscale == "log" else "semi-log"
    expl = (
        f"{scale} slope {slope:.4g}, {level:.0%} bootstrap CI [{lo:.4g}, {hi:.4g}] "
        f"({'is' if passed else 'is not'} {target}; expected exponent {exponent:.4g} +/- {tol:g})"
    )
    details = {"ci": (float(lo), float(hi)), "tol": tol, "summary": f"slope {slope:.3g} [{lo:.3g}, {hi:.3g}]", "n_boot": int(boot.size), "level": level,
               "n_levels": int(levels.size), "stratified": stratified, "alternative": alternative}
    return Verdict(bool(passed), float(slope), float(exponent), expl, details)


def ratio_bounded(
    empirical: Any,
    bound_values: Any,
    max_ratio: float = 1.0,
    *,
    x: Any = None,
    max_log_slope: float | None = None,
    kind: str = "upper",
    trivial: Any = None,
) -> Verdict:
    """Check that ``empirical / bound`` stays at most ``max_ratio`` and report how tight the bound is.

    For a bound with explicit constants use ``max_ratio=1`` (the bound holds everywhere). For a
    big-O bound (``hidden_constant=True``) pass the grid ``x`` and ``max_log_slope``: the ratio must
    then also not *grow* along the grid (log-log slope of the per-``x`` mean ratio ``<= max_log_slope``),
    which is what "bounded by a constant" can mean on a finite grid. ``trivial`` is the quantity's
    a-priori range end, as in :func:`below` (``max_ratio`` times the bound is what is compared with it).

    Returns
    -------
    Verdict
        ``statistic`` = max ratio (the tightness), ``threshold`` = ``max_ratio``; details hold
        ``min``/``median``/``max`` ratio and, with ``x``, the fitted ``log_slope``.
    """
    _check_kind(kind)
    emp = _as_1d(empirical, "empirical")
    _no_nan(emp, "empirical")
    bnd = _bound_like(bound_values, emp)
    if not max_ratio > 0:
        raise ValueError(f"max_ratio={max_ratio} must be > 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = emp / bnd if kind == "upper" else bnd / emp
    if np.isnan(ratio).any():
        i = int(np.argmax(np.isnan(ratio)))
        raise ValueError(f"ratio undefined at index {i} (empirical {emp[i]:.6g}, bound {bnd[i]:.6g})")
    rmax = float(ratio.max())
    passed = rmax <= max_ratio
    details: dict[str, Any] = {"min": float(ratio.min()), "median": float(np.median(ratio)), "max": rmax,
                               "tightness": rmax, "n": int(ratio.size), "summary": f"max ratio {rmax:.3g}"}
    details.update(_informative(max_ratio * bnd if kind == "upper" else bnd / max_ratio, trivial, kind, emp.shape))
    expl = f"empirical/bound ratio in [{ratio.min():.3g}, {rmax:.3g}] (must stay <= {max_ratio:g})"
    if (x is None) != (max_log_slope is None):
        raise ValueError("give both x and max_log_slope to test that the ratio does not grow, or neither")
    if x is not None:
        xa = _as_1d(x, "x")
        if xa.shape != emp.shape:
            raise ValueError(f"x has {xa.size} entries, empirical has {emp.size}")
        levels, inv = np.unique(xa, return_inverse=True)
        if levels.size < 2 or np.any(levels <= 0) or np.any(ratio <= 0):
            raise ValueError("a ratio trend needs >= 2 distinct positive x and positive ratios")
        means = np.array([ratio[inv == g].mean() for g in range(levels.size)])
        slope = _ols_slope(np.log(levels), np.log(means))
        details["log_slope"] = slope
        grows = slope > max_log_slope
        passed = passed and not grows
        expl += f"; log-log trend of the ratio {slope:.3g} ({'>' if grows else '<='} {max_log_slope:g})"
    return Verdict(bool(passed), rmax, float(max_ratio), expl, details)


def identity(actual: Any, expected: Any, atol: Any, rtol: float = 0.0) -> Verdict:
    """Check an exact identity elementwise: ``|actual - expected| <= atol + rtol * |expected|``.

    ``atol`` (scalar or per-element array) must come from certificates — e.g. a solver's
    ``error_bound`` propagated through the identity — so a failure means the identity is violated
    beyond what the numerics can explain.

    Returns
    -------
    Verdict
        ``statistic`` = max of ``|actual - expected| / (atol + rtol |expected|)`` (<= 1 passes),
        ``threshold`` = 1; details hold ``max_abs_error``, ``worst_index`` and the tolerance there.
    """
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    try:
        a, e = np.broadcast_arrays(a, e)
    except ValueError:
        raise ValueError(f"actual has shape {a.shape}, expected has shape {e.shape}; they must match") from None
    _no_nan(a.ravel(), "actual")
    _no_nan(e.ravel(), "expected")
    tol = np.broadcast_to(np.asarray(atol, dtype=float), a.shape) + rtol * np.abs(e)
    if np.any(tol < 0) or rtol < 0:
        raise ValueError("atol and rtol must be >= 0")
    err = np.abs(a - e)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = np.where(tol > 0, err / np.where(tol > 0, tol, 1.0), np.where(err > 0, np.inf, 0.0))
    worst = np.unravel_index(int(np.argmax(norm)), norm.shape) if norm.size else ()
    stat = float(norm.max()) if norm.size else 0.0
    passed = stat <= 1.0
    expl = (
        f"identity {'holds' if passed else 'violated'}: max |actual - expected| = {err.max():.3g} "
        f"(worst at {tuple(int(i) for i in worst)}: error {err[worst]:.3g} vs certified tolerance {tol[worst]:.3g})"
    )
    details = {"max_abs_error": float(err.max()), "worst_index": tuple(int(i) for i in worst),
               "tolerance_at_worst": float(tol[worst]), "n": int(err.size),
               "summary": f"max err/tol {stat:.3g}"}
    return Verdict(bool(passed), stat, 1.0, expl, details)
