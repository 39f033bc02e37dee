"""Models as peers write them: infeasible actions (R = -inf), QuantEcon's state-action pairs, rewards R[s, a, s'],
and a discounted finite-horizon planner, each checked against the peer's own stated answer
(QuantEcon.py, quantecon/markov/tests/test_ddp.py: Puterman 2005, Example 6.2.1 and section 4.6.1)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import solvers
from mdptheory import EpisodicMDP, FiniteMDP

BETA = 0.95
#: Puterman (2005), Example 6.2.1 as QuantEcon states it: action 1 is infeasible in state 1.
R_621 = np.array([[5.0, 10.0], [-1.0, -np.inf]])
Q_621 = np.array([[[0.5, 0.5], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]])
V_621 = np.array([(5 - 5.5 * BETA) / ((1 - 0.5 * BETA) * (1 - BETA)), -1 / (1 - BETA)])   # QuantEcon's v_star
SIGMA_621 = np.array([0, 0])


def models_621():
    yield "product", FiniteMDP(Q_621, R_621, BETA)
    yield "sparse", FiniteMDP(Q_621, R_621, BETA).to_sparse()
    s, a = [0, 0, 1], [0, 1, 0]
    R_sa, Q_sa = [5.0, 10.0, -1.0], np.array([[0.5, 0.5], [0.0, 1.0], [0.0, 1.0]])
    yield "sa-pairs", FiniteMDP.from_sa_pairs(R_sa, Q_sa, BETA, s, a)
    yield "sa-pairs-sparse", FiniteMDP.from_sa_pairs(R_sa, sp.lil_matrix(Q_sa), BETA, s, a)


PLANNERS = {"vi": solvers.value_iteration, "gs": lambda m: solvers.value_iteration(m, method="gauss-seidel"),
            "mpi": solvers.modified_policy_iteration, "pi": solvers.policy_iteration, "lp": solvers.linear_programming,
            "solve": solvers.solve}


@pytest.mark.parametrize("planner", sorted(PLANNERS))
def test_infeasible_actions_every_planner_matches_quantecon(planner):
    for label, mdp in models_621():
        with warnings.catch_warnings():
            warnings.simplefilter("error")              # converged, certified, no warning
            res = PLANNERS[planner](mdp)
        assert res.converged, (label, res.message)
        assert np.abs(res.V - V_621).max() <= max(res.error_bound, 1e-12), label
        assert np.array_equal(res.policy, SIGMA_621), label
        assert np.isfinite(res.extra.get("Q_error_bound", 0.0)), label


def test_infeasible_actions_are_never_used():
    mdp = FiniteMDP(Q_621, R_621, BETA)
    with pytest.raises(ValueError, match="infeasible action"):
        solvers.policy_evaluation(mdp, np.array([0, 1]))
    with pytest.raises(ValueError, match="infeasible action"):
        solvers.policy_evaluation(mdp, np.array([[1.0, 0.0], [0.5, 0.5]]))
    assert np.allclose(solvers.policy_evaluation(mdp, np.array([[0.0, 1.0], [1.0, 0.0]])).V[1], -20.0)
    with pytest.raises(ValueError, match="every action is infeasible"):
        FiniteMDP(Q_621, np.array([[5.0, 10.0], [-np.inf, -np.inf]]), BETA)
    with pytest.raises(ValueError, match="-inf to mark"):
        FiniteMDP(Q_621, np.array([[5.0, np.inf], [-1.0, 0.0]]), BETA)


def test_state_action_pairs_errors_name_the_pair():
    Q = np.full((3, 2), 0.5)
    with pytest.raises(ValueError, match="listed twice"):
        FiniteMDP.from_sa_pairs([1.0, 2.0, 3.0], Q, BETA, [0, 0, 1], [0, 0, 0])
    with pytest.raises(ValueError, match="state 1 has no feasible action"):
        FiniteMDP.from_sa_pairs([1.0, 2.0, 3.0], Q, BETA, [0, 0, 0], [0, 1, 2])
    with pytest.raises(ValueError, match="out of range"):
        FiniteMDP.from_sa_pairs([1.0, 2.0, 3.0], Q, BETA, [0, 2, 1], [0, 0, 0])


def test_finite_horizon_inventory_matches_quantecon():
    """Puterman (2005), section 4.6.1 (single-product inventory control), beta = 1, T = 3, as QuantEcon states."""
    s = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3]
    a = [0, 1, 2, 3, 0, 1, 2, 0, 1, 0]
    R = [0., -1., -2., -5., 5., 0., -3., 6., -1., 5.]
    Q = [[1., 0., 0., 0.], [.75, .25, 0., 0.], [.25, .5, .25, 0.], [0., .25, .5, .25], [.75, .25, 0., 0.],
         [.25, .5, .25, 0.], [0., .25, .5, .25], [.25, .5, .25, 0.], [0., .25, .5, .25], [0., .25, .5, .25]]
    vs = [[67 / 16, 129 / 16, 194 / 16, 227 / 16], [2, 25 / 4, 10, 21 / 2], [0, 5, 6, 5], [0, 0, 0, 0]]
    sigmas = [[3, 0, 0, 0], [2, 0, 0, 0], [0, 0, 0, 0]]
    finite = FiniteMDP.from_sa_pairs(R, Q, None, s, a)
    res = solvers.finite_horizon(finite, 3, gamma=1.0)
    np.testing.assert_allclose(res.V, vs, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(res.policy, sigmas)
    episodic = solvers.backward_induction(EpisodicMDP.from_sa_pairs(R, Q, 3, s, a))   # the same as an episodic model
    np.testing.assert_allclose(episodic.V, vs, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(episodic.policy, sigmas)
    with pytest.raises(ValueError, match="gamma=1.0"):
        solvers.finite_horizon(finite, 3)


def test_discounted_finite_horizon_tends_to_the_infinite_horizon_value():
    mdp = FiniteMDP(Q_621, R_621, BETA)
    res = solvers.finite_horizon(mdp, 800)
    assert np.abs(res.V[0] - V_621).max() < 1e-12            # BETA^800 / (1 - BETA) ~ 1e-16: rounding only


def test_quantecon_beta_zero_case():
    R = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    mdp = FiniteMDP(np.full((3, 2, 3), 1 / 3), R, 0.0)
    for name, planner in PLANNERS.items():
        res = planner(mdp)
        np.testing.assert_array_equal(res.policy, [1, 0, 1], err_msg=name)
        np.testing.assert_allclose(res.V, [1, 1, 1], atol=1e-12, err_msg=name)


def test_rewards_per_transition_are_averaged():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(4), size=(4, 2))
    R3 = rng.uniform(-1, 1, (4, 2, 4))
    expected = (P * R3).sum(-1)
    for P_in in (P, sp.csr_array(P.reshape(8, 4))):
        mdp = FiniteMDP(P_in, R3, 0.9)
        np.testing.assert_allclose(mdp.R, expected, atol=1e-15)
    with pytest.raises(ValueError, match=r"R\[s, a, s'\]"):
        FiniteMDP(P, R3[:, :, :3], 0.9)
