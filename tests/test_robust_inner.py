"""Nature's inner problem: closed forms / 1-D duals vs a cvxpy primal, structure, limits, extremes.

Every agreement check has a negative control: a deliberately wrong variant (TV with full L1, KL
without the lam prefactor, chi-square dual minimized instead of maximized, a "nature" returning the best
case) that the same check must reject.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdptheory import KL, TV, ChiSquare
from solvers.robust import worst_case, worst_case_rows
from solvers.robust.oracle import primal_worst_case
from strategies_robust import DIVERGENCES, inner_instances, uncertainty_sets
from twin_examples import robust_rows

pytestmark = pytest.mark.filterwarnings("ignore:Solution may be inaccurate")

AGREE = 1e-6


def scale_of(V):
    return max(1.0, float(np.abs(V).max()))


def objective(p, p0, V, u):
    """Primal objective of p (value for constrained sets, value + penalty for regularized ones)."""
    return float(p @ V) + (float(u.param) * u.divergence(p, p0) if u.is_regularized else 0.0)


# ------------------------------------------------------------------------------- primal oracle
@settings(max_examples=15)
@given(inst=inner_instances(), u=uncertainty_sets())
def test_matches_cvxpy_primal(inst, u):
    p0, V = inst
    value, p = worst_case(p0, V, u)
    ref, _ = primal_worst_case(p0, V, u)
    assert abs(value - ref) <= AGREE * scale_of(V), (value, ref)


@pytest.mark.parametrize("cls", DIVERGENCES)
@pytest.mark.parametrize("reg", [False, True])
def test_matches_cvxpy_primal_each_combination(cls, reg):
    """Deterministic sweep so each of the six (divergence, form) combinations is always covered."""
    rng = np.random.default_rng(7)
    for _ in range(4):
        S = int(rng.integers(2, 8))
        p0 = rng.dirichlet(np.ones(S))
        p0[rng.integers(S)] = 0.0
        p0 /= p0.sum()
        V = rng.normal(size=S) * 3
        for par in (0.02, 0.4, 3.0):
            u = cls(lam=par) if reg else cls(rho=par)
            value, p = worst_case(p0, V, u)
            ref, _ = primal_worst_case(p0, V, u)
            assert abs(value - ref) <= AGREE * scale_of(V)
            assert abs(objective(p, p0, V, u) - value) <= 1e-9 * scale_of(V)


# negative controls: wrong variants the same oracle check must reject
def _tv_full_l1(p0, V, lam):  # threshold min V + lam/2: the TV penalty with full L1 instead of half L1
    return float(p0 @ np.minimum(V, V.min() + lam / 2))


def _kl_no_prefactor(p0, V, lam):  # -log E e^{-V/lam}: forgot the lam in front
    m = V[p0 > 0].min()
    return float(m - np.log((p0 * np.exp(-(V - m) / lam)).sum()))


def _chi2_minimized(p0, V, lam):  # the official linear-MDP code: min over alpha of the dual (spec 2.7 bug 4)
    alphas = np.linspace(V.min(), V.max(), 2001)
    trunc = np.minimum(V[None, :], alphas[:, None])
    mean = trunc @ p0
    var = (trunc**2) @ p0 - mean**2
    return float((mean - var / (4 * lam)).min())


def _chi2_spec_dual(p0, V, lam):  # the spec's dual, maximized on a fine grid (a correct variant)
    alphas = np.linspace(V.min(), V.max(), 20001)
    trunc = np.minimum(V[None, :], alphas[:, None])
    mean = trunc @ p0
    var = (trunc**2) @ p0 - mean**2
    return float((mean - var / (4 * lam)).max())


@pytest.mark.parametrize(
    "wrong, cls",
    [(_tv_full_l1, TV), (_kl_no_prefactor, KL), (_chi2_minimized, ChiSquare)],
    ids=["tv-full-l1", "kl-no-lam", "chi2-minimized"],
)
def test_negative_controls_rejected_by_oracle(wrong, cls):
    rng = np.random.default_rng(3)
    worst_gap = 0.0
    for _ in range(5):
        p0 = rng.dirichlet(np.ones(5))
        V = rng.uniform(0, 3, 5)
        ref, _ = primal_worst_case(p0, V, cls(lam=0.5))
        worst_gap = max(worst_gap, abs(wrong(p0, V, 0.5) - ref))
    assert worst_gap > 100 * AGREE, f"the oracle check failed to reject {wrong.__name__}"


def test_chi2_spec_dual_agrees():
    """The spec's chi-square dual max_alpha E[V]_a - Var([V]_a)/(4 lam) agrees with our KKT solution."""
    rng = np.random.default_rng(5)
    for _ in range(5):
        p0 = rng.dirichlet(np.ones(6))
        V = rng.uniform(0, 2, 6)
        for lam in (0.05, 0.5, 5.0):
            v, _ = worst_case(p0, V, ChiSquare(lam=lam))
            assert abs(v - _chi2_spec_dual(p0, V, lam)) < 1e-6


# ----------------------------------------------------------------------- structure of the answer
def response_violations(p0, V, u, value, p) -> list[str]:
    """Every property a worst-case response must have; returns the names of the violated ones."""
    tol = 1e-9 * scale_of(V)
    bad = []
    if not (np.all(p >= -1e-12) and abs(p.sum() - 1) < 1e-9):
        bad.append("not a distribution")
    if abs(objective(p, p0, V, u) - value) > tol:
        bad.append("does not attain the value")
    if not u.is_regularized and u.divergence(p, p0) > u.rho + 1e-9:
        bad.append("outside the ball")
    if u.divergence_name != "tv" and np.any(p[p0 == 0] > 0):
        bad.append("leaves the support")
    if value > p0 @ V + tol:
        bad.append("above nominal")
    if value < V.min() - tol:
        bad.append("below min V")
    return bad


@settings(max_examples=40)
@given(inst=inner_instances(), u=uncertainty_sets())
def test_worst_case_in_set_and_attains_value(inst, u):
    p0, V = inst
    value, p = worst_case(p0, V, u)
    assert response_violations(p0, V, u, value, p) == []


def test_response_check_negative_controls():
    """The same property check rejects: the nominal kernel labelled with the robust value, a best-case
    response, and a kernel outside the ball."""
    p0 = np.array([0.2, 0.3, 0.5])
    V = np.array([0.0, 1.0, 2.0])
    u = TV(0.2)
    value, p = worst_case(p0, V, u)
    assert "does not attain the value" in response_violations(p0, V, u, value, p0)
    best_value, best_p = worst_case(p0, -V, u)
    assert "above nominal" in response_violations(p0, V, u, -best_value, best_p)
    assert "outside the ball" in response_violations(p0, V, u, 0.0, np.array([1.0, 0.0, 0.0]))
    assert "leaves the support" in response_violations(np.array([0.0, 0.5, 0.5]), V, KL(1.0), 0.0,
                                                      np.array([1.0, 0.0, 0.0]))


def test_best_case_nature_is_rejected():
    """Negative control for the in-set/attains/below-nominal check: nature maximizing instead."""
    p0 = np.array([0.2, 0.3, 0.5])
    V = np.array([0.0, 1.0, 2.0])
    best, _ = worst_case(p0, -V, TV(0.2))  # best case of V is minus the worst case of -V
    assert -best > p0 @ V  # a best-case "nature" would violate value <= nominal


@settings(max_examples=20)
@given(inst=inner_instances(), cls=st.sampled_from(DIVERGENCES))
def test_monotone_in_rho_and_lam(inst, cls):
    p0, V = inst
    grid = [0.0, 1e-4, 0.01, 0.1, 0.5, 1.0, 3.0, 10.0]
    cons = [worst_case(p0, V, cls(rho=r))[0] for r in grid]
    reg = [worst_case(p0, V, cls(lam=lam))[0] for lam in grid[1:] + [1e3, np.inf]]
    tol = 1e-9 * scale_of(V)
    assert np.all(np.diff(cons) <= tol), cons  # bigger ball, lower value
    assert np.all(np.diff(reg) >= -tol), reg  # costlier deviation, higher value


def test_monotone_negative_control():
    """lam mistaken for a radius (the official code names lam 'Rho') breaks 'non-decreasing in lam'."""
    p0 = np.array([0.2, 0.3, 0.5])
    V = np.array([0.0, 1.0, 2.0])
    wrong = [worst_case(p0, V, KL(rho=lam))[0] for lam in (1e-4, 0.01, 0.1, 1.0, 10.0)]
    assert np.any(np.diff(wrong) < -1e-6)


@settings(max_examples=20)
@given(inst=inner_instances(), cls=st.sampled_from(DIVERGENCES))
def test_limits(inst, cls):
    p0, V = inst
    tol = 1e-9 * scale_of(V)
    nominal = float(p0 @ V)
    assert abs(worst_case(p0, V, cls(rho=0.0))[0] - nominal) <= tol
    assert abs(worst_case(p0, V, cls(lam=np.inf))[0] - nominal) <= tol
    big = worst_case(p0, V, cls(lam=1e7))[0]
    assert abs(big - nominal) <= 1e-5 * scale_of(V) * max(1.0, np.ptp(V))
    floor = V.min() if cls is TV else V[p0 > 0].min()  # spec 1.3: TV -> min over S, KL/chi2 -> over support
    assert abs(worst_case(p0, V, cls(lam=1e-9))[0] - floor) <= 1e-6 * scale_of(V)
    assert abs(worst_case(p0, V, cls(rho=np.inf))[0] - floor) <= tol
    if cls is TV:  # TV is exactly nominal once lam >= span V
        assert abs(worst_case(p0, V, TV(lam=np.ptp(V) + 1e-12))[0] - nominal) <= tol


def test_limits_negative_control():
    """The TV limit check must reject the 'min over the support' variant (spec 5.4 negative control)."""
    p0 = np.array([0.0, 0.5, 0.5])
    V = np.array([-1.0, 0.0, 1.0])
    support_min = V[p0 > 0].min()
    assert abs(worst_case(p0, V, TV(lam=1e-9))[0] - support_min) > 0.5
    assert abs(worst_case(p0, V, KL(lam=1e-9))[0] - support_min) < 1e-6


@settings(max_examples=15)
@given(inst=inner_instances(), rho=st.sampled_from([0.0, 0.01, 0.2, 0.6, 1.0]))
def test_tv_bridge(inst, rho):
    r"""Cons_TV(rho) = sup_{lam >= 0} Reg_TV(lam) - lam rho (spec 1.4), sup attained at a breakpoint.

    Reg_TV(lam) - lam rho is concave and piecewise linear in lam with kinks at lam = V_s - min V, so the
    sup over lam >= 0 is the max over those kinks (and lam = 0, where Reg_TV(0) = min V).
    """
    p0, V = inst
    kinks = np.maximum(np.unique(V - V.min()), 1e-300)
    dual = max(worst_case(p0, V, TV(lam=k))[0] - k * rho for k in kinks)
    cons = worst_case(p0, V, TV(rho=rho))[0]
    assert abs(dual - cons) <= 1e-9 * scale_of(V)


def test_tv_bridge_negative_control():
    """A wrong bridge (Reg(lam) - 2 lam rho, i.e. full-L1 radius) is rejected by the same comparison."""
    p0 = np.array([0.2, 0.3, 0.5])
    V = np.array([0.0, 1.0, 2.0])
    rho = 0.2
    kinks = V - V.min() + 1e-300
    wrong = max(worst_case(p0, V, TV(lam=k))[0] - 2 * k * rho for k in kinks)
    assert abs(wrong - worst_case(p0, V, TV(rho=rho))[0]) > 1e-3


# ------------------------------------------------------------------------------------ extremes
@pytest.mark.parametrize("cls", DIVERGENCES)
def test_extremes_are_finite(cls):
    p0 = np.array([0.0, 1e-12, 0.3, 0.7 - 1e-12])
    cases = [np.array([5.0, 5.0, 5.0, 5.0]), np.array([1e6, -1e6, 0.0, 3e5]), np.array([0.0, 1e-12, 2e-12, 1.0])]
    for V in cases:
        for par in (1e-12, 1e-6, 1.0, 1e6, 1e12):
            for u in (cls(rho=par), cls(lam=par)):
                value, p = worst_case(p0, V, u)
                assert np.isfinite(value) and np.all(np.isfinite(p)), (u, V)
                assert V.min() - 1e-9 * scale_of(V) <= value <= p0 @ V + 1e-9 * scale_of(V)
        const = worst_case(p0, cases[0], cls(rho=0.5))[0]
        assert const == pytest.approx(5.0, abs=1e-12)


def test_extremes_negative_control():
    """The finiteness check rejects the unshifted KL formula -lam log E exp(-V/lam) at huge V/lam."""
    p0 = np.array([0.3, 0.7])
    V = np.array([-1e6, 3e5])
    with np.errstate(all="ignore"):
        naive = -1e-3 * np.log(p0 @ np.exp(-V / 1e-3))
    assert not np.isfinite(naive)
    assert np.isfinite(worst_case(p0, V, KL(lam=1e-3))[0])


# ------------------------------------------------------------------------- kernels vs numpy twins
@pytest.mark.parametrize("cls", DIVERGENCES)
@pytest.mark.parametrize("reg", [False, True])
def test_numba_matches_numpy_twin(cls, reg):
    rng = np.random.default_rng(11)
    for P0, V in list(robust_rows(rng)) + list(robust_rows(rng)):
        n, S = P0.shape
        par = rng.choice([1e-9, 1e-3, 0.1, 1.0, 10.0, np.inf], size=n)
        u = cls(lam=par) if reg else cls(rho=par)
        a_val, a_p = worst_case_rows(P0, V, u, backend="numba")
        b_val, b_p = worst_case_rows(P0, V, u, backend="numpy")
        assert np.allclose(a_val, b_val, rtol=0, atol=1e-10 * scale_of(V))
        assert np.allclose(a_p, b_p, rtol=0, atol=1e-8)
        v_only, empty = worst_case_rows(P0, V, u, want_p=False)
        assert empty.shape == (0, S) and np.array_equal(v_only, a_val)


def test_twin_comparison_negative_control():
    """The twin comparison is sharp: the KL twin does not match the chi-square kernel on the same rows."""
    rng = np.random.default_rng(1)
    P0 = rng.dirichlet(np.ones(6), size=5)
    V = rng.normal(size=6)
    a = worst_case_rows(P0, V, ChiSquare(0.3), backend="numba")[0]
    b = worst_case_rows(P0, V, KL(0.3), backend="numpy")[0]
    assert not np.allclose(a, b, rtol=0, atol=1e-10)


# ------------------------------------------------------------------------------- bad arguments
def test_bad_arguments():
    p0 = np.array([0.5, 0.5])
    V = np.array([0.0, 1.0])
    with pytest.raises(ValueError, match="p0 has shape"):
        worst_case(p0, np.zeros(3), TV(0.1))
    with pytest.raises(ValueError, match=r"p0.*sums to"):
        worst_case(np.array([0.5, 0.6]), V, TV(0.1))
    with pytest.raises(ValueError, match="negative"):
        worst_case(np.array([1.5, -0.5]), V, TV(0.1))
    with pytest.raises(TypeError, match="uncertainty must be"):
        worst_case(p0, V, 0.1)
    with pytest.raises(ValueError, match="backend"):
        worst_case(p0, V, TV(0.1), backend="cuda")
    with pytest.raises(ValueError, match="scalar"):
        worst_case(p0, V, TV(np.array([0.1, 0.2])))
    with pytest.raises(ValueError, match="not finite"):
        worst_case(p0, np.array([0.0, np.nan]), TV(0.1))
    with pytest.raises(ValueError, match="does not broadcast"):
        worst_case_rows(np.tile(p0, (3, 1)), V, TV(np.array([0.1, 0.2])))
    with pytest.raises(ValueError, match="columns"):
        worst_case_rows(np.tile(p0, (3, 1)), np.zeros(3), TV(0.1))


def test_validation_gate_matches_numpy_predicate():
    """The one-pass Numba gate agrees with the NumPy definition (its twin) on good and corrupted rows."""
    from mdptheory.validation import PROB_ATOL
    from solvers.robust._kernels import rows_are_distributions

    rng = np.random.default_rng(0)
    for trial in range(200):
        P0 = rng.dirichlet(np.ones(4), size=3)
        V = rng.normal(size=4)
        kind = trial % 5
        if kind == 1:
            P0[1, 2] = -1e-3
        elif kind == 2:
            P0[2] *= 1.01
        elif kind == 3:
            V[0] = np.inf
        elif kind == 4:
            P0[0, 0] = np.nan
        twin = bool(np.isfinite(V).all() and np.isfinite(P0).all() and (P0 >= 0).all()
                    and (np.abs(P0.sum(axis=1) - 1) <= PROB_ATOL).all())
        assert rows_are_distributions(P0, V, PROB_ATOL) == twin


def test_tv_constrained_matches_drpvi_dual():
    """Spec 1.4 / DRPVI: Cons_TV(rho) = max_{alpha in [min V, max V]} E[min(V, alpha)] - rho (alpha - min V).

    The objective is piecewise linear in alpha with kinks at the values of V, so its max is at one of them.
    Negative control: the full-L1 radius (rho/2 in place of rho) disagrees.
    """
    rng = np.random.default_rng(8)
    control_gap = 0.0
    for _ in range(20):
        S = int(rng.integers(2, 9))
        p0 = rng.dirichlet(np.ones(S))
        V = rng.normal(size=S)
        rho = float(rng.uniform(0, 1))

        def dual(r):
            return max(p0 @ np.minimum(V, a) - r * (a - V.min()) for a in V)

        ours = worst_case(p0, V, TV(rho))[0]
        assert abs(ours - dual(rho)) < 1e-12
        control_gap = max(control_gap, abs(ours - dual(rho / 2)))
    assert control_gap > 1e-3


def test_empty_p0_names_the_fix():
    """Issue 11, item 6: worst_case on an empty p0 failed with NumPy's 'cannot reshape array of size 0'."""
    with pytest.raises(ValueError, match=r"p0 and V are empty; give a distribution over at least one next state"):
        worst_case(np.array([]), np.array([]), TV(0.1))
    with pytest.raises(ValueError, match="P0 and V are empty"):
        worst_case_rows(np.zeros((2, 0)), np.array([]), KL(lam=1.0))
