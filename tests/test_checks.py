"""bounds.checks on synthetic data with known answers, in both directions (accept what holds, reject
what does not), plus input validation."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounds.checks import Verdict, below, identity, rate, ratio_bounded


# ----------------------------------------------------------------------------------- below
def test_below_accepts_a_calibrated_high_probability_bound():
    rng = np.random.default_rng(0)
    x = rng.random(400)
    v = below(x, 0.95, delta=0.05)  # P(U > 0.95) = 0.05 exactly: H0 true
    assert v.passed and isinstance(v, Verdict) and bool(v)
    assert v.details["n"] == 400 and 0 <= v.statistic <= 0.1


def test_below_rejects_a_bound_violated_too_often():
    rng = np.random.default_rng(1)
    x = rng.random(400)
    v = below(x, 0.8, delta=0.05)  # true exceedance 0.2 >> 0.05
    assert not v.passed and v.details["pvalue"] < 1e-6
    assert "exact binomial" in v.explanation


def test_below_false_alarm_rate_is_at_most_alpha():
    """Under H0 (exceed w.p. exactly delta) the exact test rejects at most ~alpha of the time."""
    rng = np.random.default_rng(2)
    rejections = sum(not below(rng.random(50), 0.9, delta=0.1, alpha=0.05).passed for _ in range(400))
    assert rejections / 400 <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 400)


def test_below_power_against_a_doubled_failure_rate():
    rng = np.random.default_rng(3)
    power = np.mean([not below(rng.random(500), 0.8, delta=0.1).passed for _ in range(100)])
    assert power > 0.95


def test_below_deterministic_bound_fails_on_a_single_exceedance():
    assert below([0.1, 0.5, 0.99], 1.0, delta=0.0).passed
    v = below([0.1, 1.5, 0.99], 1.0, delta=0.0)
    assert not v.passed and v.details["k"] == 1 and v.details["worst_index"] == 1
    assert "run 1" in v.explanation


def test_below_atol_is_numerical_slack_per_run():
    emp, bnd = np.array([1.0 + 1e-13, 0.5]), np.array([1.0, 1.0])
    assert not below(emp, bnd, delta=0.0).passed
    assert below(emp, bnd, delta=0.0, atol=np.array([1e-12, 0.0])).passed
    assert not below(emp, bnd, delta=0.0, atol=np.array([1e-14, 0.0])).passed


def test_below_lower_bounds_and_tightness():
    v = below([2.0, 3.0], [1.0, 1.5], delta=0.0, kind="lower")
    assert v.passed and v.tightness == pytest.approx(0.5)
    assert not below([0.5, 3.0], [1.0, 1.5], delta=0.0, kind="lower").passed
    assert below([1.0, 2.0], [2.0, 4.0], delta=0.0).tightness == pytest.approx(0.5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(empirical=[1.0, np.nan], bound_values=1.0, delta=0.1), "NaN"),
        (dict(empirical=[1.0, 2.0], bound_values=[1.0, 2.0, 3.0], delta=0.1), "bound_values has 3"),
        (dict(empirical=[1.0], bound_values=1.0, delta=1.0), "delta"),
        (dict(empirical=[], bound_values=1.0, delta=0.1), "empty"),
        (dict(empirical=[1.0], bound_values=1.0, delta=0.1, kind="both"), "kind"),
        (dict(empirical=[1.0], bound_values=1.0, delta=0.1, atol=-1.0), "atol"),
    ],
)
def test_below_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        below(**kwargs)


# ------------------------------------------------------------------------------------ rate
def _power_law(exponent, noise, seeds=8, rng=0):
    g = np.random.default_rng(rng)
    x = np.repeat([100.0, 200.0, 400.0, 800.0, 1600.0], seeds)
    return x, 3.0 * x**exponent * g.lognormal(0.0, noise, x.size)


def test_rate_accepts_the_true_exponent():
    x, y = _power_law(0.5, 0.1)
    v = rate(x, y, exponent=0.5, tol=0.1, n_boot=500, rng=0)
    assert v.passed and abs(v.statistic - 0.5) < 0.05
    lo, hi = v.details["ci"]
    assert lo <= v.statistic <= hi and v.details["stratified"]


def test_rate_rejects_a_wrong_exponent():
    x, y = _power_law(0.5, 0.1)
    assert not rate(x, y, exponent=1.0, tol=0.1, n_boot=500, rng=0).passed
    assert not rate(x, y, exponent=0.0, tol=0.1, n_boot=500, rng=0).passed


def test_rate_is_an_equivalence_test_so_noise_fails_rather_than_passes():
    x, y = _power_law(0.5, 2.0, seeds=2)  # huge noise, 2 seeds: the interval is wide
    v = rate(x, y, exponent=0.5, tol=0.05, n_boot=500, rng=0)
    assert not v.passed and v.details["ci"][1] - v.details["ci"][0] > 0.1


def test_rate_one_sided_and_semilog():
    x, y = _power_law(0.3, 0.05)
    assert rate(x, y, exponent=0.5, tol=0.05, alternative="at_most", n_boot=300).passed
    assert not rate(x, y, exponent=0.5, tol=0.05, alternative="at_least", n_boot=300).passed
    k = np.repeat(np.arange(0, 50, 5.0), 3)
    y = 0.9**k * np.random.default_rng(1).lognormal(0, 0.01, k.size)
    v = rate(k, y, exponent=np.log(0.9), tol=0.01, xscale="linear", n_boot=300)
    assert v.passed and v.statistic == pytest.approx(np.log(0.9), abs=0.005)
    assert not rate(k, y, exponent=np.log(0.8), tol=0.01, xscale="linear", n_boot=300).passed


def test_rate_same_seed_same_interval():
    x, y = _power_law(0.5, 0.3)
    assert rate(x, y, 0.5, n_boot=300, rng=7).details["ci"] == rate(x, y, 0.5, n_boot=300, rng=7).details["ci"]


def test_rate_without_repeated_x_resamples_points():
    x = np.array([10.0, 20, 40, 80, 160, 320])
    v = rate(x, 2 * x**0.5, exponent=0.5, tol=0.01, n_boot=300)
    assert v.passed and not v.details["stratified"]


@pytest.mark.parametrize(
    "x, y, match",
    [([1.0, 1.0], [1.0, 2.0], "distinct"), ([1.0, 2.0], [1.0, -2.0], "positive"),
     ([0.0, 2.0], [1.0, 2.0], "xscale"), ([1.0, 2.0], [1.0], "one x per y")],
)
def test_rate_rejects_bad_input(x, y, match):
    with pytest.raises(ValueError, match=match):
        rate(x, y, exponent=1.0, n_boot=200)


# --------------------------------------------------------------------------- ratio_bounded
def test_ratio_bounded_both_directions_and_reports_tightness():
    v = ratio_bounded([1.0, 2.0, 3.0], [10.0, 10.0, 10.0])
    assert v.passed and v.statistic == pytest.approx(0.3) and v.tightness == pytest.approx(0.3)
    assert not ratio_bounded([1.0, 20.0], [10.0, 10.0]).passed
    assert ratio_bounded([1.0, 20.0], [10.0, 10.0], max_ratio=2.5).passed


def test_ratio_bounded_detects_a_growing_ratio_for_big_o_bounds():
    x = np.array([10.0, 100.0, 1000.0, 10000.0])
    bounded = ratio_bounded(0.5 * np.sqrt(x), np.sqrt(x), max_ratio=10, x=x, max_log_slope=0.05)
    assert bounded.passed and abs(bounded.details["log_slope"]) < 1e-9
    grows = ratio_bounded(0.001 * x, np.sqrt(x), max_ratio=10, x=x, max_log_slope=0.05)  # x vs sqrt(x)
    assert not grows.passed and grows.details["log_slope"] == pytest.approx(0.5)


def test_ratio_bounded_rejects_bad_input():
    with pytest.raises(ValueError, match="both x and max_log_slope"):
        ratio_bounded([1.0], [1.0], x=[1.0])
    with pytest.raises(ValueError, match="max_ratio"):
        ratio_bounded([1.0], [1.0], max_ratio=0)
    with pytest.raises(ValueError, match="undefined"):
        ratio_bounded([0.0], [0.0])


# -------------------------------------------------------------------------------- identity
def test_identity_accepts_within_certified_tolerance_and_rejects_beyond():
    a = np.array([1.0, 2.0, 3.0])
    assert identity(a, a + 1e-12, atol=1e-11).passed
    v = identity(a, a + np.array([0, 1e-9, 0]), atol=1e-11)
    assert not v.passed and v.details["worst_index"] == (1,) and v.statistic == pytest.approx(100, rel=1e-3)


def test_identity_per_element_tolerance_and_rtol():
    a = np.array([1.0, 1000.0])
    e = a + np.array([1e-10, 1e-7])
    assert identity(a, e, atol=np.array([1e-9, 1e-6])).passed
    assert not identity(a, e, atol=np.array([1e-9, 1e-8])).passed
    assert identity(a, e, atol=1e-9, rtol=1e-9).passed


def test_identity_zero_tolerance_means_exact():
    assert identity([1.0, 2.0], [1.0, 2.0], atol=0.0).passed
    assert not identity([1.0, 2.0], [1.0, 2.0 + 2e-16 * 4], atol=0.0).passed


def test_identity_rejects_bad_input():
    with pytest.raises(ValueError, match="shape"):
        identity([1.0, 2.0], [1.0, 2.0, 3.0], atol=0.0)
    with pytest.raises(ValueError, match="NaN"):
        identity([np.nan], [1.0], atol=0.0)
    with pytest.raises(ValueError, match=">= 0"):
        identity([1.0], [1.0], atol=-1.0)


@settings(max_examples=25)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20), st.floats(1e-12, 1.0))
def test_identity_property_perturbation_inside_tolerance_passes_outside_fails(vals, tol):
    a = np.array(vals)
    assert identity(a, a + 0.5 * tol, atol=tol).passed
    assert not identity(a, a + 2.0 * tol + 1e-9 * np.abs(a), atol=tol).passed
