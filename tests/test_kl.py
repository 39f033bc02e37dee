"""The KL pieces of :mod:`solvers.kl` against independent solutions: scipy's brentq for the Bernoulli kl bounds,
cvxpy's exponential-cone program and a brute-force grid for the max/min of a linear function over a KL ball."""
from __future__ import annotations

import math

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments._mdpgape_common import kl_interval
from solvers import kl


def brentq_bounds(p: float, c: float) -> tuple[float, float]:
    """Independent kl interval (brentq on the Bernoulli kl in log scale, the experiments' implementation)."""
    return kl_interval(p, c)


probs = st.one_of(st.sampled_from([0.0, 1.0, 1e-12, 1 - 1e-9, 0.5, 0.0023158170733375005]),
                  st.floats(0.0, 1.0, allow_nan=False))
radii = st.one_of(st.sampled_from([0.0, 1e-12, 1.688272154747564, 50.0, 700.0]), st.floats(0.0, 60.0))


@given(probs, radii)
def test_bernoulli_bounds_match_brentq(p, c):
    lo, hi = brentq_bounds(p, c)
    for backend in ("numba", "numpy"):
        u = kl.kl_upper(p, c, backend=backend)[0]
        l_ = kl.kl_lower(p, c, backend=backend)[0]
        # a root of kl(p, .) = c is only defined to (error of kl ~ 1e-16) / (kl' at the root >= sqrt(8 c)): both
        # solvers sit within that of the truth, so they agree to twice it (plus a few ulps)
        tol = 2e-12 + 2e-16 / math.sqrt(max(c, 1e-300))
        assert abs(u - hi) <= tol and abs(l_ - lo) <= tol, (backend, p, c, (l_, u), (lo, hi))
        assert l_ <= p <= u


def test_bernoulli_bound_near_the_edge_with_a_large_radius():
    """Regression: the left start of Newton underflowed to a denormal and ``p / q`` overflowed, returning the mean
    itself as the 'upper bound' (found by the mdpgape-bounds-recursion claim)."""
    assert kl.kl_upper(0.9976841829266625, 1.688272154747564)[0] == 1.0
    assert kl.kl_lower(0.0023158170733375005, 1.688272154747564)[0] == 0.0


def test_bernoulli_bounds_edges_and_monotonicity():
    p = np.full(6, 0.3)
    c = np.array([0.0, 1e-6, 0.01, 0.1, 1.0, np.inf])
    u, low = kl.kl_upper(p, c), kl.kl_lower(p, c)
    assert u[0] == low[0] == 0.3 and u[-1] == 1.0 and low[-1] == 0.0
    assert np.all(np.diff(u) > 0) and np.all(np.diff(low) < 0)
    assert np.allclose(kl.kl_bernoulli(p[1:-1], u[1:-1]), c[1:-1], rtol=1e-9)
    assert np.allclose(kl.kl_bernoulli(p[1:-1], low[1:-1]), c[1:-1], rtol=1e-9)


def cvxpy_ball(p, f, c, sense: str) -> float:
    q = cp.Variable(len(p))
    on = p > 0
    cons = [cp.sum(q) == 1, q >= 0, cp.sum(cp.multiply(p[on], np.log(p[on]) - cp.log(q[on]))) <= c]
    obj = cp.Maximize(f @ q) if sense == "max" else cp.Minimize(f @ q)
    prob = cp.Problem(obj, cons)
    prob.solve(solver="CLARABEL")
    return float(prob.value)


@st.composite
def balls(draw):
    n = draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    p = rng.dirichlet(np.ones(n))
    zeros = draw(st.integers(0, n - 1))
    p[rng.permutation(n)[:zeros]] = 0.0
    p /= p.sum()
    f = rng.random(n) * draw(st.sampled_from([1.0, 3.0]))
    if draw(st.booleans()) and (p == 0).any():
        f[p == 0] = f.max() + 0.5                     # an unobserved point better than every observed one
    c = draw(st.sampled_from([1e-4, 0.02, 0.3, 2.0]))
    return p, f, c


@settings(max_examples=20)
@given(balls())
def test_ball_max_and_min_match_cvxpy(case):
    p, f, c = case
    for backend in ("numba", "numpy"):
        vmax, qmax = kl.kl_ball_max(p, f, c, backend=backend)
        vmin, qmin = kl.kl_ball_min(p, f, c, backend=backend)
        for v, q in ((vmax, qmax), (vmin, qmin)):
            assert abs(q.sum() - 1) < 1e-12 and (q >= 0).all()
            on = p > 0
            assert np.sum(p[on] * np.log(p[on] / q[0][on])) <= c + 1e-9       # feasible
            assert abs(q[0] @ f - v[0]) < 1e-12
        assert abs(vmax[0] - cvxpy_ball(p, f, c, "max")) < 2e-6
        assert abs(vmin[0] - cvxpy_ball(p, f, c, "min")) < 2e-6


def test_ball_max_matches_brute_force_on_three_points():
    """A fine grid over the 2-simplex, keeping the feasible points: the dual's value is the grid's max to grid
    resolution and never below it."""
    rng = np.random.default_rng(5)
    g = np.linspace(0, 1, 801)
    Q1, Q2 = np.meshgrid(g, g)
    ok = Q1 + Q2 <= 1
    Q = np.stack([Q1[ok], Q2[ok], 1 - Q1[ok] - Q2[ok]], axis=1)
    for trial in range(6):
        p = rng.dirichlet(np.ones(3))
        if trial % 2:
            p[2] = 0.0
            p /= p.sum()
        f = rng.random(3)
        c = [0.05, 0.5][trial % 2]
        on = p > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            div = np.where(Q[:, on] > 0, p[on] * np.log(p[on] / Q[:, on]), np.inf).sum(axis=1)
        brute = (Q[div <= c] @ f).max()
        v = kl.kl_ball_max(p, f, c)[0][0]
        assert brute <= v + 1e-12 and v - brute < 5e-3


def test_two_point_ball_is_the_bernoulli_bound():
    """With two points the ball is an interval of Bernoulli laws: max q.f = f_lo + (f_hi - f_lo) kl_upper(p_hi)."""
    p = np.array([[0.3, 0.7], [0.0, 1.0], [1.0, 0.0]])
    f = np.array([[2.0, 1.0], [0.5, 0.2], [0.1, 0.4]])
    v, _ = kl.kl_ball_max(p, f, 0.2)
    hi = [0, 0, 1]
    expect = [f[i, 1 - h] + (f[i, h] - f[i, 1 - h]) * kl.kl_upper(p[i, h], 0.2)[0] for i, h in enumerate(hi)]
    assert np.allclose(v, expect, atol=1e-14)


def test_ball_edges():
    p = np.array([0.5, 0.5, 0.0])
    f = np.array([0.0, 1.0, 3.0])
    assert kl.kl_ball_max(p, f, 0.0)[0][0] == 0.5
    assert kl.kl_ball_max(p, f, np.inf)[0][0] == 3.0
    v, q = kl.kl_ball_max(p, f, 0.1)
    nu = 0.5 * np.log(3.0) + 0.5 * np.log(2.0) + np.log(0.5 / 3 + 0.5 / 2)    # nu(f*) at lam = f* = 3
    assert abs(q[0][2] - (1 - np.exp(nu - 0.1))) < 1e-14                      # z = 1 - e^(nu(f*) - c)
    # tied unobserved maxima share the mass equally
    v2, q2 = kl.kl_ball_max(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 1.0]), 0.3)
    assert q2[0][1] == q2[0][2] and abs(v2[0] - (1 - np.exp(-0.3))) < 1e-14


@pytest.mark.parametrize("P, F, c, match", [
    ([[0.5, 0.6]], [[0.0, 1.0]], 0.1, "not a probability vector"),
    ([[-0.1, 1.1]], [[0.0, 1.0]], 0.1, "not a probability vector"),
    ([[0.5, 0.5]], [[0.0, np.nan]], 0.1, "F must be finite"),
    ([[0.5, 0.5]], [[0.0, 1.0]], -1.0, "c must be >= 0"),
    ([[0.5, 0.5]], [[0.0, 1.0, 2.0]], 0.1, "same shape"),
])
def test_ball_bad_input(P, F, c, match):
    with pytest.raises(ValueError, match=match):
        kl.kl_ball_max(P, F, c)


def test_bernoulli_bad_input():
    with pytest.raises(ValueError, match="not a probability"):
        kl.kl_upper(1.2, 0.1)
    with pytest.raises(ValueError, match="c must be >= 0"):
        kl.kl_lower(0.2, -0.1)
