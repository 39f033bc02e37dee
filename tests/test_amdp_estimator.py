"""The average-reward estimator (Algorithm 4.1), the Jin-Sidford baseline, and bounds/avgreward.py."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import given, strategies as st

import bounds.avgreward as B
from mdptheory.envs import two_state_escape
from solvers.average_reward.estimator import (GenerativeSampler, amdp_estimator, amdp_parameters,
                                              epsilon_for_samples, jin_sidford_epsilon, jin_sidford_reduction)


def test_parameters_follow_algorithm_4_1():
    p = amdp_parameters(0.1, 10.0, 1000)
    assert p.gamma == pytest.approx(1 - 0.1 / 190)
    assert 19 * (1 - p.gamma) * p.t == pytest.approx(p.eps, rel=1e-12)
    assert p.dmdp_error_budget == pytest.approx(p.t / 2, rel=1e-12)
    assert p.zeta == pytest.approx((1 - p.gamma) * 10 / 4)


@given(st.one_of(st.floats(max_value=0.0, allow_nan=False, allow_infinity=False),
                 st.floats(min_value=1.0, exclude_min=True, allow_nan=False, allow_infinity=False)))
def test_eps_outside_0_1_is_refused(eps):
    with pytest.raises(ValueError, match="eps must lie in"):
        amdp_parameters(eps, 5.0, 10)


@given(st.floats(max_value=1.0, exclude_max=True, allow_nan=False, allow_infinity=False))
def test_t_below_1_is_refused(t):
    with pytest.raises(ValueError, match="t must be >= 1"):
        amdp_parameters(0.5, t, 10)


def test_other_bad_input():
    with pytest.raises(TypeError, match="eps must be a finite number"):
        amdp_parameters(float("nan"), 2.0, 10)
    with pytest.raises(ValueError, match="n must be >= 1"):
        amdp_parameters(0.5, 2.0, 0)
    with pytest.raises(TypeError, match="FiniteMDP"):
        GenerativeSampler("not a model")


def test_estimator_is_reproducible_and_counts_its_samples():
    mdp = two_state_escape(0.1)
    a = amdp_estimator(GenerativeSampler(mdp, 7), 0.5, 5.0, 2000)
    s = GenerativeSampler(mdp, 7)
    b = amdp_estimator(s, 0.5, 5.0, 2000)
    assert a.alpha_hat == b.alpha_hat and np.array_equal(a.policy, b.policy)
    assert s.samples == b.samples == 2000 * 4
    assert ((b.solution.perturbation >= 0) & (b.solution.perturbation <= b.params.zeta + 1e-15)).all()
    c = jin_sidford_reduction(GenerativeSampler(mdp, 7), 0.5, 5.0, 2000)
    assert c.method == "jin-sidford" and a.method == "wang-blanchet-glynn"


def test_estimator_finds_the_optimal_policy_and_average_reward():
    mdp = two_state_escape(0.1)
    est = amdp_estimator(GenerativeSampler(mdp, 0), 0.2, 5.0, 200_000)
    assert est.policy[0] == 0
    assert abs(est.alpha_hat - 0.5) < 0.2


def test_sample_size_forms():
    assert epsilon_for_samples(400.0, 1.0, 100.0) == pytest.approx(0.5)
    assert jin_sidford_epsilon(800.0, 1.0, 100.0) == pytest.approx(0.5)


def test_parameter_identities_are_exact():
    assert all(v == 0 for v in B.verify_identities().values())
    assert B.theoretical_n(0.1, 10.0, 1.0) == pytest.approx(4 * 19**2 * 486**2 * 10 / 0.01)


def test_beta_delta_refuses_and_hidden_bounds_are_tagged():
    with pytest.raises(NotImplementedError, match="not retrieved"):
        B.beta_delta(0.1, 2, 2, 0.9, 0.1)
    assert B.SAMPLE_COMPLEXITY.hidden_constant and B.AMDP_LOWER.kind == "lower"
    assert B.DMDP_MIXING.provenance == "S" and B.REDUCTION.provenance == "I"
    assert "beta" in {s.name for s in B.DMDP_MIXING.expr.free_symbols}
    val = B.DMDP_MIXING.evaluate(zeta=0.1, gamma=0.9, beta=1.0, t=2.0, n=100.0)
    assert val == pytest.approx(2 * 0.1 / 0.1 + 486 * math.sqrt(2.0 / (0.01 * 100)))
    assert isinstance(B.REDUCTION.expr, sympy.Expr)
