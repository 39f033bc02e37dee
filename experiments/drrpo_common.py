r"""Shared pieces of the DR-RPO experiments: instances, reference policies, agents, and an oracle recording
the unregularised robust values too.

Instances (``instance`` key; every parameter the DR-RPO paper does not confirm is named here, spec
``r2pvi_drrpo.md`` section 3.2):

=============  =========================================================  ======  =====  ====  =====
instance       model                                                      rho     tau    beta  eta
=============  =========================================================  ======  =====  ====  =====
``linear-sim`` the 5-state, 16-action simulated linear MDP (d = 4, H = 3)  0.2     0.1    2     2
``random``     ``random_d_rectangular(8, 4, 5, 4)``, draw ``k`` (seed k)   0.2     0.3    2     2
``river``      RiverSwim (S = 3, H = 6, ``r_left = 0.1``) one-hot, d = 6   0.05    0.05   1     2
=============  =========================================================  ======  =====  ====  =====

TV balls (``make("tv", rho)``) per factor, ridge 1. The reference policy is
``pi_ref = 0.5 uniform + 0.5 Dirichlet(1)`` per (stage, state), drawn from a fixed seed per instance (a
non-uniform reference: the mutants that forget it are visible). On ``river`` exploration matters: the
sure reward ``r_left = 0.1`` at the start tempts a learner whose unexplored ``right`` looks worthless
(ridge shrinks it to 0), and the small ``tau`` makes the softmax too sharp to explore by chance; the
bonus ``beta = 1`` is what sends DR-RPO up the river.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from mdptheory.envs import linear_riverswim, simulated_linear_mdp
from mdptheory.linear import LinearMDP, random_d_rectangular
from mdptheory.uncertainty import make
from solvers.robust.policy_regularized import RegularizedRobustProblem
from solvers.robust_online import DRLSVIUCB, DRRPO, RobustRegretOracle

__all__ = ["INSTANCES", "reference_policy", "make_instance", "make_agent", "TwoObjectiveOracle", "checkpoints",
           "AGENTS"]

#: Per-instance parameters (named reconstructions: the paper's values are unknown).
INSTANCES: dict[str, dict[str, float]] = {
    "linear-sim": {"rho": 0.2, "tau": 0.1, "beta": 2.0, "eta": 2.0},
    "random": {"rho": 0.2, "tau": 0.3, "beta": 2.0, "eta": 2.0},
    "river": {"rho": 0.05, "tau": 0.05, "beta": 1.0, "eta": 2.0},
}
AGENTS = ("drrpo", "dr-lsvi-ucb")
RIDGE = 1.0


def reference_policy(H: int, S: int, A: int, seed: int, mix: float = 0.5) -> np.ndarray:
    """``mix * uniform + (1 - mix) * Dirichlet(1)`` per (stage, state), from ``seed`` (a full-support reference)."""
    return mix / A + (1.0 - mix) * np.random.default_rng([seed, 4242]).dirichlet(np.ones(A), size=(H, S))


def make_instance(name: str, draw: int = 0) -> tuple[LinearMDP, np.ndarray]:
    """The model and the reference policy of instance ``name`` (the random one is drawn from ``draw``)."""
    if name == "linear-sim":
        model = simulated_linear_mdp()
    elif name == "random":
        model = random_d_rectangular(8, 4, 5, 4, rng=np.random.default_rng([draw, 17]))
    elif name == "river":
        model = linear_riverswim(3, 6, r_left=0.1)
    else:
        raise ValueError(f"instance={name!r}, expected one of {sorted(INSTANCES)}")
    return model, reference_policy(model.H, model.S, model.A, 7)


def params_of(config: dict) -> dict[str, float]:
    """The instance's parameters, overridden by any of ``rho, tau, beta, eta`` present in ``config``."""
    p = dict(INSTANCES[config["instance"]])
    p.update({k: float(config[k]) for k in ("rho", "tau", "beta", "eta") if k in config})
    return p


def make_agent(agent: str, model: LinearMDP, ref: np.ndarray, p: dict, seed: int) -> Any:
    """DR-RPO (the instance's tau, eta, reference) or DR-LSVI-UCB, both with the instance's rho and beta."""
    if agent == "drrpo":
        return DRRPO.for_model(model, rho=p["rho"], tau=p["tau"], eta=p["eta"], reference=ref, beta=p["beta"],
                               ridge=RIDGE, rng=seed)
    if agent == "dr-lsvi-ucb":
        return DRLSVIUCB.for_model(model, rho=p["rho"], beta=p["beta"], ridge=RIDGE, rng=seed)
    raise ValueError(f"agent={agent!r}, expected one of {AGENTS}")


class TwoObjectiveOracle(RobustRegretOracle):
    """The robust-regret oracle of the claim's objective (``tau``), also recording every played policy's
    *unregularised* robust value ``mu0 . V^{pi,rho,0}_1`` (``values0``), exactly, so that DR-RPO and
    DR-LSVI-UCB can be compared on one scale."""

    def __init__(self, model: LinearMDP, rho: float, tau: float, reference: np.ndarray) -> None:
        super().__init__(model, make("tv", rho=rho), tau, reference)
        self.plain = RegularizedRobustProblem(model, make("tv", rho=rho), 0.0, reference)
        V0 = self.plain.solve()[0]
        self.v_star0 = float(model.mu0 @ V0[0])
        self.values0: list[float] = []

    def value(self, policy: np.ndarray) -> float:
        v = super().value(policy)
        self.values0.append(self.value0(policy))
        return v

    def value0(self, policy: np.ndarray) -> float:
        """``mu0 . V^{pi,rho,0}_1`` (no KL term) of a deterministic or stochastic policy."""
        return float(self.mu0 @ self.plain.solve(self._probabilities(policy))[0][0])


def checkpoints(K: int, n: int = 12) -> np.ndarray:
    """``n`` log-spaced episode counts from ``min(20, K)`` to ``K`` (distinct ints)."""
    return np.unique(np.geomspace(min(20, K), K, n).astype(np.int64))
