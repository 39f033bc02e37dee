"""OPSRL bounds (K_inf, anti-concentration, theory parameters) and the OPSRL experiments' checks."""
from __future__ import annotations

import math

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta as beta_dist

import bounds
from bounds.opsrl import (DIRICHLET_ANTICONCENTRATION, MINIMAX_LOWER, OPSRL_REGRET, anticoncentration_condition,
                          anticoncentration_rhs, k_inf)
from experiments import opsrl_anticoncentration, opsrl_gridworld, opsrl_gridworld_order, opsrl_optimism, opsrl_regret
from solvers.learners import opsrl_theory_parameters
from strategies import seeds


# ------------------------------------------------------------------------------------------- K_inf
def k_inf_primal(p, mu, f):
    q = cp.Variable(len(p))
    prob = cp.Problem(cp.Minimize(cp.sum(cp.kl_div(p, q))), [cp.sum(q) == 1, q >= 0, q @ f >= mu])
    prob.solve(solver=cp.CLARABEL)
    return prob.value


@settings(max_examples=12)
@given(seed=seeds, m=st.integers(2, 6), frac=st.floats(0.05, 0.9))
def test_k_inf_dual_matches_cvxpy_primal(seed, m, frac):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(m))
    f = np.concatenate([[1.0], rng.random(m - 1)])
    mean = p @ f
    mu = mean + frac * (1.0 - mean)
    assert k_inf(p, mu, f) == pytest.approx(k_inf_primal(p, mu, f), abs=1e-6, rel=1e-5)


def test_k_inf_edges_and_errors():
    p, f = np.array([0.5, 0.5]), np.array([1.0, 0.0])
    assert k_inf(p, 0.3, f) == 0.0                      # mu below the mean
    # Bernoulli case: K_inf = kl(1/2, mu)
    mu = 0.8
    assert k_inf(p, mu, f) == pytest.approx(0.5 * math.log(0.5 / mu) + 0.5 * math.log(0.5 / (1 - mu)), rel=1e-9)
    with pytest.raises(ValueError, match="upper end"):
        k_inf(p, 1.0, f)
    with pytest.raises(ValueError, match="probability vector"):
        k_inf(np.array([0.5, 0.6]), 0.7, f)


# --------------------------------------------------------------------------------- anti-concentration
def beta_case(alpha0, alpha1, f1, mu):
    """Exact P[w f >= mu] for m = 1: w f = w0 + (1 - w0) f1 with w0 ~ Beta(alpha0, alpha1), f(0) = 1."""
    return beta_dist.sf((mu - f1) / (1 - f1), alpha0, alpha1)


def test_anticoncentration_holds_exactly_in_the_beta_case():
    """Alfers-Dinges case: exact Beta tails dominate c (1 - Phi(sqrt(2 alpha_bar K_inf))) with c = 1/2."""
    worst = np.inf
    for ab in (80.0, 200.0, 1000.0, 5000.0):
        a0 = math.log(ab) / math.log(17 / 16)          # condition with c0 = 0
        assert anticoncentration_condition(a0, ab)
        for f1 in (0.0, 0.2, 0.45):
            p = np.array([a0, ab - a0]) / ab
            f = np.array([1.0, f1])
            mean = p @ f
            for mu in mean + (1 - mean) * np.linspace(0.01, 0.6, 12):
                K = k_inf(p, mu, f)
                exact = beta_case(a0, ab - a0, f1, mu)
                rhs = anticoncentration_rhs(ab, K)
                if rhs < 1e-12:
                    continue
                worst = min(worst, exact / rhs)
    assert worst >= 1.0, worst


def test_anticoncentration_with_wrong_constant_fails_in_the_beta_case():
    """Negative control: alpha_bar / 4 in the exponent makes the inequality false somewhere."""
    ab, f1 = 1000.0, 0.2
    a0 = math.log(ab) / math.log(17 / 16)
    p, f = np.array([a0, ab - a0]) / ab, np.array([1.0, f1])
    mean = p @ f
    ratios = []
    for mu in mean + (1 - mean) * np.linspace(0.01, 0.3, 10):
        K = k_inf(p, mu, f)
        ratios.append(beta_case(a0, ab - a0, f1, mu) / anticoncentration_rhs(ab, K, scale=0.25))
    assert min(ratios) < 1.0


def test_bound_objects():
    assert OPSRL_REGRET.hidden_constant and MINIMAX_LOWER.kind == "lower"
    assert {"opsrl-regret", "minimax-regret-lower", "dirichlet-anticoncentration", "ucbvi-hoeffding-regret",
            "ucbvi-bernstein-regret"} <= set(bounds.registry())
    assert OPSRL_REGRET.evaluate(H=2, S=3, A=4, T=5, delta=0.5) == pytest.approx(
        math.sqrt(8 * 3 * 4 * 5 * math.log(3 * 4 * 2 * 5 / 0.5)))
    v = DIRICHLET_ANTICONCENTRATION.evaluate(alpha_bar=50.0, K=0.01, c=0.5)
    assert v == pytest.approx(anticoncentration_rhs(50.0, 0.01))
    assert DIRICHLET_ANTICONCENTRATION.evaluate(alpha_bar=50.0, K=0.0, c=0.5) == pytest.approx(0.25)


def test_theory_parameters_reference_numbers():
    """Spec §2.4 [D] reference values for the grid-world (S=100, A=4, H=50, T=1e4, delta=0.1)."""
    p = opsrl_theory_parameters(100, 4, 50, 10_000, 0.1)
    assert p["kappa"] == pytest.approx(101.7, abs=0.1)
    assert p["J"] == math.ceil(p["J"]) and 260 <= p["J"] <= 270
    assert p["r0"] == 2.0
    assert p["n0"] == math.ceil(p["kappa"] * math.log(1e4) / math.log(17 / 16))
    with pytest.raises(ValueError, match="delta"):
        opsrl_theory_parameters(2, 2, 2, 10, 1.5)


# ------------------------------------------------------------------------------------- experiments
def test_regret_experiment_run_smoke():
    out = opsrl_regret.run(dict(instance="garnet", S=3, A=2, H=2, T=60, agent="opsrl"), 0)
    assert out["t"].shape == out["regret"].shape == out["bound"].shape
    assert np.all(np.diff(out["regret"]) >= -1e-9)
    out2 = opsrl_regret.run(dict(instance="riverswim", S=3, A=2, H=4, T=60, agent="greedy"), 0)
    assert out2["final_regret"] > 0


def _rate_frame(slope):
    rows = []
    for seed in range(4):
        t = opsrl_regret.checkpoints(2000).astype(float)
        rows.append({"instance": "riverswim", "S": 14, "H": 28, "T": 2000, "t": t,
                     "regret": (1 + 0.05 * seed) * t ** slope})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("slope,ok", [(0.5, True), (0.4, True), (1.0, False), (0.05, False)])
def test_rate_check_is_two_sided(slope, ok):
    """sqrt-like growth passes; a linear curve *and* a flattened one (slope ~0) fail."""
    assert opsrl_regret.check_rate(_rate_frame(slope)).passed is ok


def test_ratio_check_rejects_growing_ratio():
    t = opsrl_regret.checkpoints(2000).astype(float)
    bound = np.sqrt(t) * 100
    ok = pd.DataFrame([{"instance": "garnet", "H": 3, "t": t, "regret": 5 * np.sqrt(t), "bound": bound}])
    bad = pd.DataFrame([{"instance": "garnet", "H": 3, "t": t, "regret": 0.5 * t, "bound": bound}])
    assert opsrl_regret.check_ratio(ok).passed
    assert not opsrl_regret.check_ratio(bad).passed
    # the bound sqrt(t) 100 is above the trivial H t = 3 t until t = 1111: informative on part of the grid only
    assert 0 < opsrl_regret.check_ratio(ok).details["informative_fraction"] < 1


def test_optimism_experiment_smoke_and_check():
    out = opsrl_optimism.run({"S": 3, "H": 4, "T": 40}, 0)
    assert set(out) == {"nonopt_opsrl", "nonopt_psrl", "regret_opsrl", "regret_psrl"}
    assert 0 <= out["nonopt_opsrl"] <= 1 and 0 <= out["nonopt_psrl"] <= 1
    good = pd.DataFrame({"nonopt_opsrl": [0.0] * 10, "nonopt_psrl": np.linspace(0.2, 0.7, 10)})
    assert opsrl_optimism.check_optimism(good).passed
    one_sample = good.assign(nonopt_opsrl=0.9 * good["nonopt_psrl"])     # as often non-optimistic as PSRL
    assert not opsrl_optimism.check_optimism(one_sample).passed


def test_anticoncentration_experiment_smoke():
    cfg = {"m": 2, "alpha_bar": 100.0, "n_draws": 20_000, "c0": 0.0, "kappa": 4.0, "conditions": True}
    out = opsrl_anticoncentration.run(cfg, 0)
    assert out["mu"].size >= 4 and np.all(out["cp_lower"] <= out["p_hat"]) and np.all(out["p_hat"] <= out["cp_upper"])
    assert np.all(out["wrong_bound"] >= out["bound"])
    with pytest.raises(ValueError, match="too small"):
        opsrl_anticoncentration.run(dict(cfg, alpha_bar=20.0), 0)


def test_gridworld_experiment_smoke():
    out = opsrl_gridworld.run({"agent": "UCBVI", "T": 20, "H": 50, "size": 10}, 0)
    assert out["episode"].shape == (2,) and out["v_star"] == pytest.approx(26.135, abs=1e-3)
    assert {"time_sampling", "time_planning"} <= set(out)


def test_gridworld_order_check():
    df = pd.DataFrame({"agent": ["OPSRL"] * 3 + ["UCBVI"] * 3, "final_regret": [10.0, 11, 12, 20, 21, 22]})
    assert opsrl_gridworld_order.check_below_ucbvi(df).passed
    df.loc[:2, "final_regret"] = [30.0, 30.0, 30.0]     # constant, larger: the greedy control's shape
    assert not opsrl_gridworld_order.check_below_ucbvi(df).passed
    out = opsrl_gridworld.run({"agent": "OPSRL", "T": 10, "H": 50, "size": 10, "opsrl_variant": "greedy"}, 0)
    assert out["final_regret"] == pytest.approx(10 * out["v_star"])   # greedy never reaches the reward


def test_jsamples_formula_and_check():
    from experiments import opsrl_jsamples as js
    assert js.p_anti() == pytest.approx(0.5 * (1 - 0.8413447460685429), rel=1e-9)
    assert js.n_samples(0.05, js.p_anti()) == 37 and js.n_samples(0.05, 4 * js.p_anti()) == 8
    out = js.run({"m": 2, "alpha_bar": 100.0, "trials": 300, "j_rule": "theory"}, 0)
    assert out["J"] == 37 and 0 <= out["failures"] <= 300 and out["p_single"] > out["bound_single"]
    ok = pd.DataFrame({"failures": [3, 4], "trials": [2000, 2000], "J": 37, "p_single": 0.16, "bound_single": 0.079})
    bad = pd.DataFrame({"failures": [450, 480], "trials": [2000, 2000], "J": 8, "p_single": 0.16, "bound_single": 0.079})
    assert js.check_j_samples(ok).passed and not js.check_j_samples(bad).passed
