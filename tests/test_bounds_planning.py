"""bounds.planning: the encoded textbook statements evaluate to the documented numbers, and each
inequality is tight where it should be (small exact examples)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from bounds.planning import PI_ITERATIONS, VI_CONTRACTION, VI_ITERATIONS


def test_scherrer_howard_bound_values():
    # S ceil(log(1/(1-gamma)) / (1-gamma)); gamma=0.9: log(10)/0.1 = 23.03 -> 24
    assert PI_ITERATIONS.evaluate(S=10, A=3, gamma=0.9) == 10 * 2 * 24
    assert PI_ITERATIONS.evaluate(S=5, A=2, gamma=0.5) == 5 * 1 * math.ceil(math.log(2) / 0.5)
    assert PI_ITERATIONS.evaluate(S=7, A=1, gamma=0.99) == 0  # one action: nothing to improve
    assert PI_ITERATIONS.provenance == "R" and PI_ITERATIONS.constants == {"c": 1.0}


def test_vi_iteration_bound_values():
    n = math.log(2 * 0.9 * 1.0 / (0.01 * 0.1**2)) / math.log(1 / 0.9)
    assert VI_ITERATIONS.evaluate(gamma=0.9, r_max=1.0, epsilon=0.01) == math.ceil(n) == 93


def test_vi_iteration_bound_is_sufficient_by_its_derivation():
    """At k = bound, the derived loss bound 2 gamma^(k+1) r_max / (1-gamma)^2 is <= eps."""
    for gamma in (0.5, 0.9, 0.99):
        for eps in (1e-1, 1e-3):
            kk = VI_ITERATIONS.evaluate(gamma=gamma, r_max=1.0, epsilon=eps)
            assert 2 * gamma ** (kk + 1) / (1 - gamma) ** 2 <= eps
            assert 2 * gamma ** kk / (1 - gamma) ** 2 > eps or kk == 0  # and not much larger than needed


def test_vi_contraction_is_tight_on_a_single_absorbing_state():
    """One state, one action, reward 1: V_k = (1 - gamma^k)/(1 - gamma), so the bound is attained."""
    gamma = 0.8
    v_star = 1 / (1 - gamma)
    ks = np.arange(30)
    err = np.abs((1 - gamma**ks) / (1 - gamma) - v_star)
    np.testing.assert_allclose(err, VI_CONTRACTION.evaluate(gamma=gamma, k=ks, e_0=v_star), rtol=1e-12)


def test_planning_bounds_render_with_mathtext():
    from experiments.report import latex_png

    for b in (PI_ITERATIONS, VI_CONTRACTION, VI_ITERATIONS):
        assert latex_png(b.latex()) is not None, b.latex()


@pytest.mark.parametrize("b", [PI_ITERATIONS, VI_CONTRACTION, VI_ITERATIONS])
def test_planning_bounds_name_their_source(b):
    assert "(19" in b.source or "(20" in b.source
