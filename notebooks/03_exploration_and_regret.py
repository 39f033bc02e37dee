# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exploration and regret: posterior sampling and optimism
#
# **The idea.** An agent that does not know the transitions must explore, and the price of exploring is the
# *regret*: over `T` episodes, `R_T = sum_t V*_1(s_1) - V^{pi_t}_1(s_1)`, the value lost by playing its policies
# `pi_t` instead of the optimal one. Good agents have regret growing like `sqrt(T)` (the minimax rate is
# `sqrt(H^3 S A T)`); an agent that never explores can have linear regret. Three ways to explore:
#
# * **PSRL** (posterior sampling): draw one MDP from the Dirichlet posterior over transitions, play its optimal
#   policy;
# * **OPSRL** (optimistic posterior sampling): draw `J` samples per state-action and plan with their *maximum*,
#   plus an optimistic pseudo-state; this makes the sampled values optimistic with high probability;
# * **UCBVI**: plan on the empirical model plus a bonus shrinking like `1/sqrt(n)`.
#
# `solvers.learners.run` plays an agent on a known episodic MDP and records the **exact** expected regret of
# every policy it played (by exact policy evaluation, not by noisy returns).
#
# Guide: `docs/learners.md`. Quick settings by default; `MDPTHEORY_FULL=1` selects the paper-sized ones.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import bounds
import solvers
from mdptheory.envs import gridworld, riverswim
from solvers.learners import OPSRL, PSRL, UCBVI, EpisodicOracle, GreedyPosteriorMean, run

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
T_RIVER = 10_000 if FULL else 1_000          # episodes on RiverSwim
T_GRID = 10_000 if FULL else 400             # episodes on the grid-world
GRID, H_GRID = (10, 50) if FULL else (5, 20)  # the paper's 10x10 grid, horizon 50 (quick: 5x5, 20)
SEEDS = 8 if FULL else 3
AGENTS = {"OPSRL": OPSRL, "PSRL": PSRL, "UCBVI": UCBVI}
COLORS = {"OPSRL": "tab:red", "PSRL": "tab:blue", "UCBVI": "tab:green", "greedy": "tab:gray"}

# %% [markdown]
# ## 1. RiverSwim: where exploring pays
#
# Six states in a row. Swimming left is safe and pays a tiny reward at the left bank; swimming right is hard
# (the current pushes back) but pays 1 per step at the far right. An agent must try swimming right many times
# before it learns it is worth it.

# %%
river = riverswim(6, H=20)
opt = solvers.backward_induction(river)
print("V*_1(s_1) =", opt.V[0] @ river.mu0, "| optimal first-stage actions (1 = right):", opt.policy[0])

traces = {name: [run(cls(river.S, river.A, river.H, rewards=river.R, rng=seed), river, T_RIVER, rng=100 + seed)
                 for seed in range(SEEDS)] for name, cls in AGENTS.items()}
traces["greedy"] = [run(GreedyPosteriorMean(river.S, river.A, river.H, rewards=river.R, rng=seed), river,
                        T_RIVER, rng=100 + seed) for seed in range(SEEDS)]
for name, ts in traces.items():
    print(f"{name:7s} final regret {np.mean([t.cumulative_regret[-1] for t in ts]):8.1f}   {ts[0].message}")

# %% [markdown]
# ## 2. Regret curves against the `sqrt(T)` shape
#
# Mean cumulative regret over seeds (band: min to max). The dashed curves are each agent's `sqrt(T)` envelope,
# `c sqrt(T)` with the smallest `c` such that `R_t <= c sqrt(t)` at every `t`. The greedy agent (it plans on the posterior mean with a pessimistic prior, so it never
# tries swimming right) pays a constant regret per episode: a straight line.

# %%
t = np.arange(1, T_RIVER + 1)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, ts in traces.items():
    R = np.array([tr.cumulative_regret for tr in ts])
    for ax in axes:
        ax.plot(t, R.mean(0), color=COLORS[name], label=name)
        ax.fill_between(t, R.min(0), R.max(0), color=COLORS[name], alpha=0.2)
    if name != "greedy":
        c = np.max(R.mean(0) / np.sqrt(t))          # the smallest c with mean R_t <= c sqrt(t) for all t
        axes[0].plot(t, c * np.sqrt(t), "--", color=COLORS[name], lw=1)
axes[0].set_ylim(0, 1.5 * max(np.mean([tr.cumulative_regret[-1] for tr in traces[n]]) for n in AGENTS))
axes[0].set_title("cumulative regret (dashed: its c sqrt(T) envelope)")
axes[1].set_xscale("log"), axes[1].set_yscale("log"), axes[1].set_title("log-log: slope 1/2 vs slope 1")
axes[1].plot(t, 3 * np.sqrt(t), "k:", label="slope 1/2")
axes[1].plot(t, 0.3 * t, "k-.", label="slope 1")
for ax in axes:
    ax.set_xlabel("episodes T"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# On a small MDP the good agents eventually find the optimal policy and their curve flattens: `sqrt(T)` is a
# worst-case upper bound, and the log-log slope of a real run moves from 1 (everything is new) towards 0
# (solved). Only the greedy agent stays at slope 1.
#
# ## 3. Posterior samples and optimism
#
# After a few episodes, ask each sampling agent for many plans in a row (each call to `agent.policy()` draws
# new posterior samples and sets `agent.V`, the values of the sampled model). PSRL's sampled values scatter
# around the truth: half the time pessimistic. OPSRL's maximum over `J = 8` samples is optimistic: its
# values sit above `V*`, which is what drives it to try the unknown.

# %%
def sampled_values(cls, episodes, n_samples=300, seed=0):
    agent = cls(river.S, river.A, river.H, rewards=river.R, rng=seed)
    run(agent, river, episodes, rng=seed)            # learn from `episodes` episodes
    return np.array([(agent.policy(), agent.V[0] @ river.mu0)[1] for _ in range(n_samples)])


v_star = opt.V[0] @ river.mu0
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), sharey=True)
for ax, episodes in zip(axes, (20, 200)):
    for name in ("PSRL", "OPSRL"):
        vals = sampled_values(AGENTS[name], episodes)
        ax.hist(vals, bins=30, alpha=0.6, color=COLORS[name],
                label=f"{name}: P(value >= V*) = {np.mean(vals >= v_star):.2f}")
    ax.axvline(v_star, color="k", ls="--", label="V*_1(s_1)")
    ax.set_title(f"sampled V_1(s_1) after {episodes} episodes"), ax.set_xlabel("value"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Along a run, the agent's own estimate `trace.value_estimates` (its `mu0 . V_1` each episode) against `V*`:
# UCBVI's bonus and OPSRL's optimism keep their estimates above `V*` and shrink towards it as data come in.

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.6))
for name in AGENTS:
    ax.semilogx(t, traces[name][0].value_estimates, color=COLORS[name], lw=0.8, label=name)
ax.axhline(v_star, color="k", ls="--", label="V*")
ax.set_xlabel("episode"), ax.set_ylabel("agent's value estimate"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 4. The grid-world of the OPSRL paper
#
# A reward in the far corner of a grid, horizon `H`; actions slip with probability 0.2. (Quick settings: a
# 5x5 grid with `H = 20`; `MDPTHEORY_FULL=1` runs the paper's 10x10 grid with `H = 50` for `10^4` episodes.)

# %%
grid = gridworld(GRID, H=H_GRID)
tg = np.arange(1, T_GRID + 1)
fig, ax = plt.subplots(figsize=(6.5, 4))
for name, cls in AGENTS.items():
    R = np.array([run(cls(grid.S, grid.A, grid.H, rewards=grid.R, rng=s), grid, T_GRID, rng=200 + s).cumulative_regret
                  for s in range(SEEDS)])
    ax.plot(tg, R.mean(0), color=COLORS[name], label=name)
    ax.fill_between(tg, R.min(0), R.max(0), color=COLORS[name], alpha=0.2)
ax.plot(tg, tg * (solvers.backward_induction(grid).V[0] @ grid.mu0), "k:", label="T V* (a policy worth nothing)")
ax.set_ylim(0, ax.get_ylim()[1] / 2)
ax.set_xlabel("episodes"), ax.set_ylabel("cumulative regret"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — the regret of one episode.** On `river`, the policy that always swims right is
# `always_right = np.ones((river.H, river.S), dtype=int)`. What is its expected regret in one episode,
# `V*_1(s_1) - V^pi_1(s_1)`? Use the exact planners of `solvers` (a float).

# %%
always_right = np.ones((river.H, river.S), dtype=int)
answer_1 = ...   # a float

# %% tags=["solution"]
if answer_1 is ...:
    answer_1 = float((solvers.backward_induction(river).V[0] - solvers.policy_evaluation(river, always_right).V[0])
                     @ river.mu0)

# %% tags=["check"]
oracle = EpisodicOracle(river)          # the ground truth `run` measures regret with
expected_1 = oracle.v_star - oracle.value(always_right)
assert abs(answer_1 - expected_1) <= 1e-9, f"{answer_1} is not the regret of always swimming right"
print(f"correct: {answer_1:.4f} per episode (V* = {oracle.v_star:.4f})")

# %% [markdown]
# **Exercise 2 — how often is OPSRL optimistic?** In the first RiverSwim run of OPSRL, `traces["OPSRL"][0]`,
# in which fraction of the episodes after the first 100 was the agent's own value estimate at least `V*`?

# %%
answer_2 = ...   # a float in [0, 1]

# %% tags=["solution"]
if answer_2 is ...:
    tr = traces["OPSRL"][0]
    answer_2 = float(np.mean(tr.value_estimates[100:] >= tr.v_star))

# %% tags=["check"]
tr = traces["OPSRL"][0]
late = tr.value_estimates[100:]
expected_2 = sum(v >= tr.v_star for v in late) / len(late)
assert abs(answer_2 - expected_2) <= 1e-12, f"{answer_2} is not the fraction of optimistic episodes"
psrl = traces["PSRL"][0]
print(f"correct: OPSRL optimistic in {answer_2:.0%} of the late episodes; PSRL in "
      f"{np.mean(psrl.value_estimates[100:] >= psrl.v_star):.0%}")

# %% [markdown]
# **Exercise 3 — how loose is the theorem?** The OPSRL regret bound is registered as a SymPy `Bound`:
# `bounds.registry()["opsrl-regret"]`, `sqrt(H^3 S A T log(S A H T / delta))` up to a hidden constant. Evaluate
# it (method `.evaluate(...)`) at RiverSwim's `S, A, H`, `T = T_RIVER` and `delta = 0.1`, and give the ratio of
# OPSRL's mean final regret (over the seeds of section 1) to it.

# %%
opsrl_bound = bounds.registry()["opsrl-regret"]
print(opsrl_bound.latex())
answer_3 = ...   # a float

# %% tags=["solution"]
if answer_3 is ...:
    value = opsrl_bound.evaluate(S=river.S, A=river.A, H=river.H, T=T_RIVER, delta=0.1)
    answer_3 = float(np.mean([tr.cumulative_regret[-1] for tr in traces["OPSRL"]]) / value)

# %% tags=["check"]
S, A, H, T = river.S, river.A, river.H, T_RIVER
by_hand = np.sqrt(H**3 * S * A * T * np.log(S * A * H * T / 0.1))
expected_3 = np.mean([tr.cumulative_regret[-1] for tr in traces["OPSRL"]]) / by_hand
assert abs(answer_3 - expected_3) <= 1e-9 * expected_3, f"{answer_3} is not regret / bound"
print(f"correct: the regret is {answer_3:.3f} of the constant-free bound: the leading term is loose here")
