"""Certificates in floating point (issue 11, item 1): every planner's ``error_bound`` (and the greedy
policy's ``policy_gap_bound``) must hold against a ground truth computed in extended precision
(``tests/hp_reference.py``) or exactly (rational arithmetic), with no slack, and a ``tol`` below what
float64 can certify must give status ``"inaccurate"`` with a message stating the attainable bound.

Each trigger below gave a false certificate before the fix (``error_bound = 0`` or below the true error):

- Garnet(100, 4, 5, rng=1) with rewards scaled by 1e12, ``tol=1e-8``: bound 0, true error 16.95
  (gamma 0.999) and 1.6e-3 (gamma 0.9);
- ``tol=1e-300`` reported as converged;
- Dearden's chain(200) at gamma 0.99999: MPI/solve bound 7.28e-7 < true error 9.67e-7;
- Puterman (1994) Example 6.2.1 as QuantEcon's tests state it, the infeasible action written as a penalty
  reward -1e6 (gamma 0.95) or -1e12 (gamma 0.99): bound 0 with true errors 4.7e-9 and 0.59;
- plain VI started from a far-away ``V0``;
- the tie rule choosing an action worse by less than its width: ``policy_gap_bound`` ignored it.
"""
from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest

import solvers
from hp_reference import reference_value, true_error
from mdptheory import TV, FiniteMDP
from mdptheory.envs.classic import chain
from mdptheory.envs.garnet import garnet
from mdptheory.policies import TIE_RTOL
from solvers.robust import robust_value_iteration


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", solvers.ConvergenceWarning)
        yield


def _scaled_garnet(gamma):
    g = garnet(100, 4, 5, rng=1, gamma=gamma)
    return FiniteMDP(g.P, g.R * 1e12, gamma)


def _planners(tol, backend="numba", V0=None, policy=None):
    out = {
        "solve": lambda m: solvers.solve(m, tol=tol, backend=backend),
        "vi": lambda m: solvers.value_iteration(m, tol=tol, backend=backend, V0=V0),
        "vi-gs": lambda m: solvers.value_iteration(m, tol=tol, method="gauss-seidel", backend=backend, V0=V0),
        "mpi": lambda m: solvers.modified_policy_iteration(m, tol=tol, backend=backend, V0=V0),
        "pi": lambda m: solvers.policy_iteration(m, tol=tol, backend=backend),
        "lp": lambda m: solvers.linear_programming(m, tol=tol, backend=backend),
    }
    if policy is not None:
        out["pe-direct"] = lambda m: solvers.policy_evaluation(m, policy, tol=tol, backend=backend)
        out["pe-iterative"] = lambda m: solvers.policy_evaluation(m, policy, method="iterative", tol=tol,
                                                                  backend=backend)
    return out


def _check_certificates(mdp, res, V_ref, pi_ref):
    """error_bound >= ||V - V*|| and, for optimal planners, policy_gap_bound >= ||V* - V^policy||."""
    err = true_error(res.V, V_ref)
    assert err <= res.error_bound, (res.method, err, res.error_bound)
    if "policy_gap_bound" in res.extra and not res.method.startswith("policy_evaluation"):
        V_pi, _ = reference_value(FiniteMDP(_policy_P(mdp, res.policy), mdp.R[np.arange(mdp.S), res.policy][:, None],
                                            mdp.gamma))
        gap = true_error(V_pi, V_ref)
        assert gap <= res.policy_gap_bound, (res.method, gap, res.policy_gap_bound)


def _policy_P(mdp, policy):
    P = mdp.dense_P()[np.arange(mdp.S), policy]
    return P[:, None, :]


@pytest.mark.parametrize("gamma", [0.999, 0.9])
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_scaled_garnet_is_inaccurate_not_falsely_converged(gamma, backend):
    mdp = _scaled_garnet(gamma)
    V_ref, pi_ref = reference_value(mdp)
    for name, run in _planners(1e-8, backend, policy=pi_ref).items():
        res = run(mdp)
        _check_certificates(mdp, res, V_ref, pi_ref)
        assert res.status == "inaccurate" and not res.converged, (name, res.status)
        assert "below what float64 can certify" in res.message or name in ("lp",), (name, res.message)


def test_tol_1e300_is_inaccurate_with_the_attainable_bound():
    mdp = garnet(100, 4, 5, rng=1, gamma=0.999)
    V_ref, pi_ref = reference_value(mdp)
    for name, run in _planners(1e-300, policy=pi_ref).items():
        with pytest.warns(solvers.ConvergenceWarning, match="attainable error bound"):
            warnings.simplefilter("always", solvers.ConvergenceWarning)
            res = run(mdp)
        assert res.status == "inaccurate", name
        _check_certificates(mdp, res, V_ref, pi_ref)
        # the attainable bound is reported, and it is a float64-level accuracy, not a vacuous one (the LP's
        # is HiGHS's: its feasibility tolerance 1e-10 on a residual scaled by 1 / (1 - gamma))
        assert 0 < res.extra["rounding_bound"] <= res.error_bound < (1e-5 if name == "lp" else 1e-7), \
            (name, res.error_bound)
    with pytest.raises(solvers.NotConvergedError, match="below what float64 can certify"):
        solvers.value_iteration(mdp, tol=1e-300, strict=True)


def test_chain_at_gamma_099999():
    mdp = chain(200, gamma=0.99999)
    V_ref, pi_ref = reference_value(mdp)
    for name in ("solve", "mpi", "vi", "pi"):
        res = _planners(1e-6)[name](mdp)
        _check_certificates(mdp, res, V_ref, pi_ref)
        assert res.status == "inaccurate" and res.error_bound > 1e-6, name  # ||V*|| ~ 1.6e5: (n+2) eps ||V|| / (1-gamma) ~ 2e-5
    # a tol float64 can certify at this scale converges
    res = solvers.solve(mdp, tol=1e-4)
    assert res.converged
    _check_certificates(mdp, res, V_ref, pi_ref)


def puterman_621(penalty: float, gamma: float) -> FiniteMDP:
    """Puterman (1994), Example 6.2.1 (as in QuantEcon's ``test_ddp.py``): the action infeasible in state 1
    written as a large negative reward."""
    P = np.zeros((2, 2, 2))
    P[0, 0] = 0.5, 0.5
    P[0, 1] = 0.0, 1.0
    P[1, :] = 0.0, 1.0
    return FiniteMDP(P, np.array([[5.0, 10.0], [-1.0, penalty]]), gamma)


def puterman_v_star(gamma: float) -> list[Fraction]:
    """Exact ``V*`` (rational arithmetic on the float gamma): ``sigma* = (0, 0)`` for gamma > 10/11."""
    b = Fraction(gamma)
    return [(5 - Fraction(11, 2) * b) / ((1 - b / 2) * (1 - b)), -1 / (1 - b)]


@pytest.mark.parametrize("penalty, gamma", [(-1e6, 0.95), (-1e12, 0.99)])
@pytest.mark.parametrize("V0", [None, 1e14, -1e14])
def test_puterman_621_with_penalty_and_far_start(penalty, gamma, V0):
    mdp = puterman_621(penalty, gamma)
    v_star = puterman_v_star(gamma)
    start = None if V0 is None else np.full(2, V0)
    runs = _planners(1e-8, V0=start)
    if V0 is not None:
        runs = {k: runs[k] for k in ("vi", "vi-gs", "mpi")}
    for name, run in runs.items():
        res = run(mdp)
        err = max(abs(Fraction(float(v)) - w) for v, w in zip(res.V, v_star))
        assert float(err) <= res.error_bound, (name, float(err), res.error_bound)
        assert res.converged and res.error_bound <= 1e-8, (name, res.status, res.error_bound)
        assert res.policy.tolist() == [0, 0], name


def test_tie_rule_width_is_in_the_policy_certificate():
    """Two actions whose Q differ by half the tie width: the rule picks the lower index, the worse one,
    losing delta per step; the greedy certificate must cover delta / (1 - gamma)."""
    gamma, r = 0.999, 1e3
    V_scale = r / (1 - gamma)
    delta = 0.5 * TIE_RTOL * (1 + V_scale)
    mdp = FiniteMDP(np.ones((1, 2, 1)), np.array([[r, r + delta]]), gamma)
    exact_gap = delta / (1 - gamma)  # V* - V^{action 0}
    for name, run in _planners(1e-8).items():
        res = run(mdp)
        if res.policy[0] == 0:
            assert res.policy_gap_bound >= exact_gap, (name, res.policy_gap_bound, exact_gap)


def test_robust_value_iteration_scaled_rewards():
    """Robust VI with a zero-radius TV ball is nominal VI: its certificate must hold at scale 1e12 too."""
    mdp = _scaled_garnet(0.99)
    V_ref, _ = reference_value(mdp)
    res = robust_value_iteration(mdp, TV(0.0), tol=1e-8)
    assert true_error(res.V, V_ref) <= res.error_bound
    assert res.status == "inaccurate"


def test_q_certificate_with_a_penalty_action():
    """Q entries at -1e12 carry their own rounding: extra["Q_error_bound"] covers them."""
    mdp = puterman_621(-1e12, 0.99)
    v_star = puterman_v_star(0.99)
    q_star = [[5 + Fraction(0.99) * (v_star[0] + v_star[1]) / 2, 10 + Fraction(0.99) * v_star[1]],
              [-1 + Fraction(0.99) * v_star[1], Fraction(-1e12) + Fraction(0.99) * v_star[1]]]
    for name, run in _planners(1e-8).items():
        res = run(mdp)
        err = max(abs(Fraction(float(res.Q[s, a])) - q_star[s][a]) for s in range(2) for a in range(2))
        bound = res.extra.get("Q_error_bound", res.error_bound)  # before: error_bound was said to cover Q
        assert float(err) <= bound, (name, float(err), bound)
