"""Fuzzing the learners' constructors and the offline learners' arguments (issue 11, "Also").

A bad argument is a ``ValueError``/``TypeError`` naming it. An accepted one must mean what the caller wrote:
the agent records it as that number and plans valid policies; an offline learner given an odd but valid
type (``np.float32(0.5)``, ``1``) returns exactly what the canonical float gives.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from fuzz_inputs import ARRAY_CORRUPTIONS, NOT_A_NUMBER, clear_error_or, few, seeds
from mdptheory.envs import garnet
from solvers.learners import OPSRL, PSRL, RLSVI, UCBVI, GreedyPosteriorMean
from solvers.offline import drpvi, drvi_l, fit, pessimistic_lsvi, pevi, r2pvi
from strategies_offline import dataset, random_drect

ENV = garnet(4, 2, 2, rng=5, H=3)
BAD = [(label, value, False) for label, value in NOT_A_NUMBER]
INTS = [("zero", 0, False), ("negative", -2, False), ("float", 2.0, False), ("string", "2", False),
        ("bool", True, False), ("np-int", np.int64(2), True)]


def nonneg(extra=()):
    return BAD + [("negative", -0.5, False), ("inf", float("inf"), False), ("zero", 0.0, True), ("int", 2, True),
                  ("float32", np.float32(0.5), True), *extra]


def positive(extra=()):
    return BAD + [("negative", -0.5, False), ("zero", 0.0, False), ("inf", float("inf"), False),
                  ("float32", np.float32(2.0), True), ("int", 3, True), *extra]


COMMON = {"S": INTS, "A": INTS, "H": INTS,
          "backend": [("cuda", "cuda", False), ("none", None, False), ("numpy", "numpy", True)],
          "rng": [("negative", -1, False), ("float", 1.5, False), ("string", "0", False),
                  ("generator", np.random.default_rng(0), True)]}
#: With rewards=ENV.R given, a learnt reward model is a contradiction (an error naming both); "known" is valid.
REWARD_MODEL = [("x", "bayes", False), ("none", None, False), ("list", ["known"], False), ("known", "known", True)]
LEARNERS = {
    OPSRL: {**COMMON, "J": INTS, "kappa": positive(), "n0": nonneg(), "r0": nonneg(), "prior_alpha": nonneg(),
            "clip": [("x", "clip", False), ("none", None, False), ("stage", "stage", True)],
            "sampling": [("x", "thompson", False), ("mean", "mean", True)],
            "reward_model": REWARD_MODEL + [("learnt-with-rewards", "beta-bernoulli", False),
                                            ("empirical", "empirical", False)],
            "reward_prior": positive()},
    PSRL: {**COMMON, "prior_alpha": nonneg(), "J": INTS},
    UCBVI: {**COMMON, "delta": BAD + [("zero", 0.0, False), ("one", 1.0, False), ("half", 0.5, True),
                                      ("float32", np.float32(0.1), True)],
            "n_episodes": INTS, "bonus_scale": nonneg(),
            "bonus": [("x", "ucb", False), ("bernstein", "bernstein", True)],
            "constants": [("x", "paper", False), ("theory", "theory", True)],
            "implementation": [("x", "rlberry", False), ("none", None, False), ("official", "official-code", True)],
            "reward_model": REWARD_MODEL + [("beta", "beta-bernoulli", False),
                                            ("learnt-with-rewards", "empirical", False)]},
    RLSVI: {**COMMON, "noise_scale": nonneg(), "prior_count": positive(),
            "perturbation": [("x", "doubled", False), ("none", None, False), ("official", "official-code", True)],
            "reward_model": REWARD_MODEL + [("learnt-with-rewards", "empirical", False)]},
    GreedyPosteriorMean: {**COMMON, "n0": nonneg(), "r0": nonneg()},
}
LEARNER_CASES = [pytest.param(cls, arg, i, id=f"{cls.__name__}-{arg}-{table[arg][i][0]}")
                 for cls, table in LEARNERS.items() for arg in table for i in range(len(table[arg]))]


@pytest.mark.parametrize("cls, arg, i", LEARNER_CASES)
def test_learner_constructor_arguments(cls, arg, i):
    _, value, valid = LEARNERS[cls][arg][i]
    if cls is PSRL and arg == "prior_alpha" and isinstance(value, float) and value == 0.0:
        valid = False                                   # PSRL has no pseudo-state: a zero prior leaves no posterior
    if cls is PSRL and arg == "prior_alpha" and value is None:
        valid = True                                    # None: PSRL's default Dir(1/S)
    sizes = {"S": ENV.S, "A": ENV.A, "H": ENV.H}
    kwargs = {"rewards": ENV.R, "rng": 0}
    if arg in sizes:
        sizes[arg] = value
        valid = valid and int(value) == {"S": ENV.S, "A": ENV.A, "H": ENV.H}[arg]
    else:
        kwargs[arg] = value
    names = [arg, "rewards"] if arg in sizes else [arg]     # a size that does not match the rewards names them
    if arg == "implementation" and value == "official-code" and kwargs.get("constants") == "theory":
        valid = False

    def check(agent):
        if arg not in sizes and arg not in ("rng", "backend") and isinstance(value, (int, float, np.number)):
            assert float(getattr(agent, arg)) == float(value)
        pi = agent.policy()
        assert pi.dtype == np.int64 and pi.shape == (ENV.H, ENV.S) and pi.min() >= 0 and pi.max() < ENV.A

    clear_error_or(lambda: cls(sizes["S"], sizes["A"], sizes["H"], **kwargs), names, not valid, check)


def test_official_code_ucbvi_needs_the_experiments_constants():
    clear_error_or(lambda: UCBVI(ENV.S, ENV.A, ENV.H, rewards=ENV.R, constants="theory",
                                 implementation="official-code"), ["implementation", "constants"], True)


@pytest.mark.parametrize("cls, model", [(OPSRL, "beta-bernoulli"), (PSRL, "beta-bernoulli"), (UCBVI, "empirical"),
                                        (RLSVI, "empirical")])
@pytest.mark.parametrize("kind", ["above-one", "negative", "nan", "shape"])
def test_learnt_rewards_refuse_observed_rewards_outside_the_unit_interval(cls, model, kind):
    """A learnt reward model records the rewards an episode returns: outside [0, 1] (or of the wrong shape) is a
    clear error naming the rewards, raised before any statistic changes."""
    from solvers.learners import Trajectory

    agent = cls(ENV.S, ENV.A, ENV.H, reward_model=model, rng=0)
    pi = agent.policy()
    rewards = {"above-one": [0.5, 1.5, 0.0], "negative": [0.0, -0.1, 1.0], "nan": [0.0, np.nan, 1.0],
               "shape": [0.0, 1.0]}[kind]
    traj = Trajectory(np.zeros(ENV.H + 1, np.int64), pi[:, 0].copy(), np.array(rewards))
    clear_error_or(lambda: agent.update(traj), ["reward"], True)
    assert agent.reward_stats.sum() == 0 and agent.n_transitions == 0


@pytest.mark.parametrize("kind", sorted(ARRAY_CORRUPTIONS) + ["above-one", "negative"])
@few(3)
@given(seed=seeds)
def test_learner_rewards(kind, seed):
    rng = np.random.default_rng(seed)
    if kind in ("above-one", "negative"):
        R, invalid = np.array(ENV.R), True
        R[tuple(rng.integers(n) for n in R.shape)] = 1.5 if kind == "above-one" else -0.5
    else:
        corrupt, invalid = ARRAY_CORRUPTIONS[kind]
        R = corrupt(ENV.R, rng)
    if kind == "shorter" and np.shape(R)[0] == ENV.H - 1:
        invalid = True

    def check(agent):
        assert np.array_equal(agent.R, np.broadcast_to(np.asarray(R, np.float64), agent.R.shape))

    for cls in (OPSRL, UCBVI):
        clear_error_or(lambda: cls(ENV.S, ENV.A, ENV.H, rewards=R, rng=0), ["rewards"], invalid, check)


# ------------------------------------------------------------------------------------------ offline
MDP, PHI, MU, THETA = random_drect(seed=8)
DATA = dataset(MDP, PHI, 6, 0)
OFFLINE = {
    # name: (call(**kw), {argument: [(label, value, valid)]})
    "r2pvi-tv": (lambda **kw: r2pvi(DATA, **{"lam": 1.0, "theta": THETA, **kw}), {
        "lam": nonneg(), "beta": nonneg(), "ridge": positive(),
        "divergence": [("x", "js", False), ("none", None, False)],
        "bonus": [("x", "l3", False), ("l2", "l2", True)], "clip": [("x", "top", False), ("none", "none", True)],
        "tv_min_mode": [("x", "support", False)], "chi2_direction": [("x", "up", False)],
        "alpha_solver": [("x", "brent", False), ("none", None, False)],
    }),
    "r2pvi-chi2": (lambda **kw: r2pvi(DATA, **{"divergence": "chi2", "lam": 1.0, "theta": THETA, **kw}), {
        "alpha_solver": [("x", "golden", False), ("nm", "nelder-mead", True)],
    }),
    "r2pvi-kl": (lambda **kw: r2pvi(DATA, **{"divergence": "kl", "lam": 1.0, "theta": THETA, **kw}), {
        "lam": positive(),
    }),
    "pevi": (lambda **kw: pevi(DATA, **kw), {"beta": nonneg(), "ridge": positive()}),
    "lsvi": (lambda **kw: pessimistic_lsvi(DATA, **{"theta": THETA, **kw}), {"beta": nonneg()}),
    "drpvi": (lambda **kw: drpvi(DATA, **{"rho": 0.1, "theta": THETA, **kw}), {
        "rho": nonneg([("table", np.full((MDP.H, PHI.shape[2]), 0.1), True),
                       ("table-nan", np.full((MDP.H, PHI.shape[2]), np.nan), False)]),
        "alpha_solver": [("x", "simplex", False), ("nm", "nelder-mead", True)],
    }),
    "drvi-l": (lambda **kw: drvi_l(DATA, **{"rho": 0.1, "theta": THETA, **kw}), {"rho": nonneg()}),
    "fit": (lambda **kw: fit(**{"method": "pevi", "dataset": DATA, **kw}), {
        "method": [("x", "cql", False), ("none", None, False), ("kl", "r2pvi-kl", False)],   # kl needs lam
    }),
}
OFFLINE_CASES = [pytest.param(name, arg, i, id=f"{name}-{arg}-{table[arg][i][0]}")
                 for name, (_, table) in OFFLINE.items() for arg in table for i in range(len(table[arg]))]


def _canonical(value):
    return float(value) if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) else value


@pytest.mark.parametrize("name, arg, i", OFFLINE_CASES)
def test_offline_learner_arguments(name, arg, i):
    call, table = OFFLINE[name]
    _, value, valid = table[arg][i]
    names = [arg, "lam"] if name == "fit" else [arg]          # fit("r2pvi-kl") without lam names lam

    def check(res):
        assert np.all(np.isfinite(res.Q)) and res.policy.min() >= 0 and res.policy.max() < MDP.A
        canonical = _canonical(value)
        if canonical is not value and not isinstance(value, np.ndarray):
            again = call(**{arg: canonical})
            assert np.array_equal(res.Q, again.Q) and np.array_equal(res.policy, again.policy)

    clear_error_or(lambda: call(**{arg: value}), names, not valid, check)


@pytest.mark.parametrize("field", ["theta", "reward"])
@pytest.mark.parametrize("kind", sorted(ARRAY_CORRUPTIONS))
@few(2)
@given(seed=seeds)
def test_offline_known_reward(field, kind, seed):
    rng = np.random.default_rng(seed)
    base = {"theta": THETA, "reward": MDP.R}[field]
    corrupt, invalid = ARRAY_CORRUPTIONS[kind]
    value = corrupt(base, rng)
    invalid = invalid or np.shape(value) != base.shape
    if kind == "none":
        names = ["theta"]                                     # "pass exactly one of theta or reward"
    else:
        names = [field]

    def check(res):
        again = r2pvi(DATA, lam=1.0, **{field: np.asarray(value, dtype=np.float64)})
        assert np.array_equal(res.Q, again.Q) and np.all(np.isfinite(res.Q))

    clear_error_or(lambda: r2pvi(DATA, lam=1.0, **{field: value}), names, invalid, check)
