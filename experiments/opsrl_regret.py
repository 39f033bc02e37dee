r"""OPSRL regret: growth exponent in ``T`` and the ratio to ``sqrt(H^3 S A T log(SAHT/delta))``.

Tiapkin et al. (2022), Theorem 1: ``R^T = O~(sqrt(H^3 S A T))`` w.p. ``1 - delta`` (bound ``opsrl-regret``).
Each run plays ``T`` episodes of one agent on one model and stores the **expected** cumulative regret
``R^t = sum_{k<=t} (V*_1(s_1) - V^{pi_k}_1(s_1))`` (exact policy evaluation, :func:`solvers.learners.run`)
at log-spaced checkpoints ``t``.

Instances (``instance`` key):

- ``"riverswim"``: RiverSwim (Osband et al. 2013 parametrisation, ``mdptheory.envs.riverswim``), stationary
  dynamics, a hard exploration chain: the small reward next to the start traps non-exploring agents;
- ``"garnet"``: a random *stage-dependent* Garnet with ``branching = 2`` drawn from the seed
  (``mdptheory.envs.garnet(..., H=H)``), rewards ``U(0, 1)``; agents then learn stage-dependent posteriors.

Agent (``agent`` key): ``"opsrl"`` = OPSRL with the experiments' parameters ``J = 8, kappa = 1, n0 = 1,
r0 = 1`` (the paper's own experiments; the Theorem-1 parameters give ``n0 ~ 10^4`` pseudo-counts, i.e.
uniform exploration for any affordable ``T``);
``"greedy"`` = :class:`solvers.learners.GreedyPosteriorMean` (pessimistic prior, never explores);
``"psrl"``; ``"ucbvi"`` (Hoeffding, the OPSRL code's constants).

Claims
------
``opsrl-regret-rate`` (two-sided): on RiverSwim with a long chain (``S = 14, H = 28``) the log-log slope of
``E[R^t]`` over the late checkpoints ``t in [T/8, T]`` (``T = 2000``; bootstrap over seeds) lies in
``[0.3, 0.7]``, i.e. ``1/2 +- 0.2``. Regime: chosen where OPSRL's regret *still grows* at ``T`` (measured:
slope 0.44, 95% CI [0.41, 0.47] on the quick grid, 6 seeds); on the short chains used before (``S = 5, H = 10``)
OPSRL's curve has flattened by ``T = 400`` (slope 0.01) and the fit said nothing about the rate, so the
check now also fails a flattened curve. Rejects a linear curve (the pessimistic pseudo-state ``r0 = 0``:
slope 1.00) and an over-optimistic one that is still exploring at ``T`` (the pseudo-state worth ``r0 H`` at
every stage: slope 0.83). Not rejected, and not named: the first sample instead of the max (slope 0.48) and the
average of the samples (0.38): regret alone does not tell them apart on this instance, the posterior and
optimism claims do. Extra control: the greedy agent (slope 1).

``opsrl-regret-ratio``: over random *stage-dependent* Garnets (stage-dependent posteriors),
``R^t / sqrt(H^3 S A t log(S A H t / delta))`` stays ``<= 1`` and does not grow along ``t`` (log-log trend
``<= 0.1``). The constant is hidden, so the ``<= 1`` part is a tightness report (ratio ~0.03); the trend is
the test: it rejects regret growing faster than ``sqrt(t)`` (``r0 = 0``). ``trivial = H t`` (the bound is
informative where ``sqrt(H^3 S A t log) < H t``: 58% of the quick grid's checkpoints, from ``t ~ 250`` on).
Measured on the quick grid (one Garnet ``S = 3, A = 2, H = 3``, ``T = 1000``): max ratio 0.022, trend -0.10.
"""
from __future__ import annotations

import numpy as np

from bounds.checks import rate, ratio_bounded
from bounds.opsrl import OPSRL_REGRET
from mdptheory.envs import garnet, riverswim
from solvers.learners import OPSRL, PSRL, UCBVI, GreedyPosteriorMean, run as run_learner

from .claims import Claim

NAME = "opsrl-regret"
DELTA = 0.1
AGENTS = ("opsrl", "greedy", "psrl", "ucbvi")

_RIVER = {"instance": "riverswim", "S": 14, "A": 2, "H": 28, "agent": "opsrl"}
_GARNET = {"instance": "garnet", "agent": "opsrl"}
GRID = ([dict(_RIVER, T=2000), dict(_RIVER, S=16, H=32, T=3000)]
        + [dict(_GARNET, S=S, A=A, H=H, T=10_000) for S in (3, 6, 10) for A in (2, 3) for H in (3, 6)])
QUICK_GRID = [dict(_RIVER, T=2000), dict(_GARNET, S=3, A=2, H=3, T=1000)]
SEEDS = 16
QUICK_SEEDS = 6
#: Half-width of the two-sided band around the exponent 1/2 (log factors of the bound allow a bit above 1/2).
RATE_TOL = 0.2


def make_agent(name: str, env, rng):
    """The learner called ``name`` for ``env`` (stage-dependent posteriors iff ``env`` is stage-dependent)."""
    stage = not bool(np.all(env.P == env.P[:1]))
    kw = dict(rewards=env.R, rng=rng, stage_dependent=stage)
    if name == "opsrl":
        return OPSRL(env.S, env.A, env.H, J=8, kappa=1.0, n0=1.0, r0=1.0, **kw)
    if name == "greedy":
        return GreedyPosteriorMean(env.S, env.A, env.H, **kw)
    if name == "psrl":
        return PSRL(env.S, env.A, env.H, **kw)
    if name == "ucbvi":
        return UCBVI(env.S, env.A, env.H, bonus="hoeffding", constants="experiments", **kw)
    raise ValueError(f"agent={name!r}, expected one of {AGENTS}")


def make_env(config: dict, rng):
    if config["instance"] == "riverswim":
        return riverswim(int(config["S"]), H=int(config["H"]))
    if config["instance"] == "garnet":
        return garnet(int(config["S"]), int(config["A"]), 2, rng=rng, H=int(config["H"]))
    raise ValueError(f"instance={config['instance']!r}, expected 'riverswim' or 'garnet'")


def checkpoints(T: int, n: int = 12) -> np.ndarray:
    """``n`` log-spaced episode counts from ``min(50, T)`` to ``T`` (distinct ints)."""
    return np.unique(np.geomspace(min(50, T), T, n).astype(np.int64))


def run(config: dict, seed: int) -> dict:
    """One agent on one model for ``T`` episodes; cumulative expected regret at the checkpoints."""
    env_seed, agent_seed, noise_seed = np.random.SeedSequence([seed, 7]).spawn(3)
    env = make_env(config, np.random.default_rng(env_seed))
    agent = make_agent(config["agent"], env, np.random.default_rng(agent_seed))
    T = int(config["T"])
    trace = run_learner(agent, env, T, rng=np.random.default_rng(noise_seed))
    t = checkpoints(T)
    R = trace.cumulative_regret[t - 1]
    return {"t": t.astype(float), "regret": R,
            "bound": OPSRL_REGRET.evaluate(H=env.H, S=env.S, A=env.A, T=t.astype(float), delta=DELTA),
            "final_regret": float(R[-1]), "v_star": trace.v_star, "wall": trace.wall_time}


def _late_points(df, instance: str):
    rows = df[df["instance"] == instance]
    if len(rows) == 0:
        raise ValueError(f"no {instance} rows in the results")
    x, y = [], []
    for _, r in rows.iterrows():
        keep = r["t"] >= r["T"] / 8
        x.append(r["t"][keep])
        y.append(np.maximum(r["regret"][keep], 1e-12))
    return np.concatenate(x), np.concatenate(y)


def check_rate(df):
    """Two-sided: the late-phase slope of ``log E[R^t]`` vs ``log t`` on RiverSwim lies in ``1/2 +- RATE_TOL``.

    Fails a linear curve (slope ~1) *and* a flattened one (slope ~0): a flattened curve says nothing about the
    rate. Each RiverSwim size is fitted on its own; all must pass.
    """
    rows = df[df["instance"] == "riverswim"]
    if len(rows) == 0:
        raise ValueError("no riverswim rows in the results")
    verdicts = []
    for _, grp in rows.groupby(["S", "H", "T"]):
        x, y = _late_points(grp, "riverswim")
        verdicts.append(rate(x, y, 0.5, tol=RATE_TOL, n_boot=1000, rng=0, alternative="two-sided"))
    worst = next((v for v in verdicts if not v.passed), verdicts[0])
    if len(verdicts) > 1:
        worst.details["summary"] = "; ".join(v.details["summary"] for v in verdicts)
    return worst


def check_ratio(df):
    """``R^t / sqrt(H^3 S A t log(SAHt/delta)) <= 1`` over the Garnet grid, and no growth along ``t``."""
    rows = df[df["instance"] == "garnet"]
    if len(rows) == 0:
        raise ValueError("no garnet rows in the results")
    emp = np.concatenate(list(rows["regret"]))
    bnd = np.concatenate(list(rows["bound"]))
    t = np.concatenate(list(rows["t"]))
    H = np.concatenate([np.full(len(r["t"]), r["H"], dtype=float) for _, r in rows.iterrows()])
    return ratio_bounded(np.maximum(emp, 1e-12), bnd, max_ratio=1.0, x=t, max_log_slope=0.1, trivial=H * t)


CLAIMS = [
    Claim(name="opsrl-regret-rate", experiment=NAME, bound=OPSRL_REGRET, check=check_rate,
          mutants=("opsrl.r0-zero", "opsrl.pseudo-value-constant"), control={"agent": "greedy"},
          description="On RiverSwim with a long chain (S = 14, H = 28, T = 2000), where OPSRL's regret still grows at "
                      "T, the late log-log slope of E[R^t] lies in 1/2 +- 0.2 (two-sided: a linear and a flattened "
                      "curve both fail); a pessimistic pseudo-state (linear) and an over-optimistic one are rejected."),
    Claim(name="opsrl-regret-ratio", experiment=NAME, bound=OPSRL_REGRET, check=check_ratio,
          mutants=("opsrl.r0-zero",), control={"agent": "greedy"},
          description="R_t / sqrt(H^3 S A t log(SAHt/delta)) stays below 1 and does not grow in t on stage-dependent "
                      "Garnets (the bound is below H t from t ~ 250 on); regret growing faster than sqrt(t) (a "
                      "pessimistic pseudo-state) is rejected."),
]
