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
# # Latent MDPs: acting on a belief, planning on the history tree, learning without a horizon penalty
#
# **The idea.** In a latent MDP (LMDP) a *context* `m` — one of `M` MDPs — is drawn with probability `w_m` at the
# start of every episode and stays hidden while the agent acts; it is revealed only when the episode ends. The
# agent can only infer it from what it observes, so the optimal policy depends on the *whole history*, through
# the posterior over contexts (the *belief*). Planning is exact on the history tree (alpha vectors per context,
# beliefs per history). Zhou, Wang & Du (ICML 2023) learn LMDPs with a regret `O~(sqrt(Var* M Gamma S A K))`
# that does not grow with the horizon when an episode's total reward is at most 1 (*horizon-free*) and shrinks
# with `Var*`, a variance that is 0 when every context is deterministic.
#
# What you will see: what memory is worth on an instance where a clue must be remembered, the beliefs along the
# histories, `Var*` growing with the noise of the contexts, and the horizon-free learner's regret against a
# Hoeffding-bonus learner's as `K` and `H` grow.
#
# Guide: `docs/latent.md` (the paper's full text was not available: the instances, constants and the `Var*`
# definition are the suite's, and the guide says which). Quick settings by default; `MDPTHEORY_FULL=1` selects
# the full ones.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import solvers
from mdptheory import EpisodicMDP, LatentMDP
from mdptheory.envs import noisy_lmdp, random_lmdp
from solvers.latent import (HoeffdingLMDP, HorizonFreeLMDP, LatentOracle, latent_planning, latent_policy_evaluation,
                            var_star)

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
SEEDS = 8 if FULL else 4
EPISODES = 5000 if FULL else 2000
HORIZONS = (2, 3, 4, 5, 6)                   # the horizons of the claim lmdp-horizon-free
NOISES = np.linspace(0, 0.8, 9 if FULL else 5)

# %% [markdown]
# ## 1. A clue worth remembering
#
# Seven states, two actions, `H = 4`, two contexts of weights `(w, 1 - w)`. At the start, *probe* (action 0)
# leads to a clue state that reveals the context (state `1 + m`), and both clues lead to the same junction
# (state 3); *shortcut* (action 1) pays 0.2 and goes to the junction directly. At the junction, action `m` leads
# to the good state (reward 0.8) in context `m`, the other action to the bad one (reward 0). At the junction the
# current state says nothing about the context: only the history does.

# %%
def clue_lmdp(w: float) -> LatentMDP:
    S, A, H = 7, 2, 4                       # 0 start, 1-2 clues, 3 junction, 4 good, 5 bad, 6 done
    P = np.zeros((2, S, A, S))
    for m in range(2):
        P[m, 0, 0, 1 + m] = 1.0             # probe: the clue of context m
        P[m, 0, 1, 3] = 1.0                 # shortcut
        P[m, 1:3, :, 3] = 1.0               # both clues lead to the junction
        P[m, 3, m, 4] = P[m, 3, 1 - m, 5] = 1.0
        P[m, 4:, :, 6] = 1.0
    R = np.zeros((2, S, A))
    R[:, 0, 1] = 0.2
    R[:, 4, :] = 0.8
    nu = np.zeros((2, S))
    nu[:, 0] = 1.0
    return LatentMDP(np.array([w, 1 - w]), nu, P, R, H)


def averaged_mdp_policy(lmdp: LatentMDP) -> np.ndarray:
    """The optimal policy of the weight-averaged MDP (a memoryless plan), as a history-policy table."""
    P_bar = np.einsum("m,msat->sat", lmdp.weights, lmdp.P)
    avg = EpisodicMDP(np.broadcast_to(P_bar, (lmdp.H,) + P_bar.shape).copy(),
                      np.broadcast_to(lmdp.R[0], (lmdp.H, lmdp.S, lmdp.A)).copy(), lmdp.weights @ lmdp.nu)
    markov = solvers.backward_induction(avg).policy                   # (H, S)
    tree = lmdp.tree                     # node j of level h is in state j mod S
    return np.concatenate([markov[h][np.arange(tree.level_sizes[h]) % lmdp.S] for h in range(lmdp.H)])


def context_known_value(lmdp: LatentMDP) -> float:
    """If the context were revealed at the start: each context's own optimum, weighted."""
    return float(sum(lmdp.weights[m] * lmdp.nu[m] @ solvers.backward_induction(lmdp.context(m)).V[0]
                     for m in range(lmdp.M)))


ws = np.linspace(0.5, 0.95, 10)
history, memoryless, known = [], [], []
for w in ws:
    lm = clue_lmdp(w)
    history.append(latent_planning(lm).value)
    memoryless.append(latent_policy_evaluation(lm, averaged_mdp_policy(lm)).value)
    known.append(context_known_value(lm))

lm = clue_lmdp(0.6)
plan = latent_planning(lm)
tree = lm.tree
histories = {"start": ([0], [], []), "clue of m = 0": ([0, 1], [0], [0.0]), "clue of m = 1": ([0, 2], [0], [0.0]),
             "junction, via clue 0": ([0, 1, 3], [0, 0], [0.0, 0.0]),
             "junction, via clue 1": ([0, 2, 3], [0, 0], [0.0, 0.0]),
             "junction, via shortcut": ([0, 3], [1], [0.2])}
probe = latent_policy_evaluation(lm, np.where(np.arange(tree.n_decision_nodes) == 0, 0, plan.policy))
belief = {name: probe.belief[tree.node_index(*h)] if name != "junction, via shortcut"
          else latent_policy_evaluation(lm, np.ones(tree.n_decision_nodes, np.int64)).belief[tree.node_index(*h)]
          for name, h in histories.items()}

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
axes[0].plot(ws, known, "k:", label="context revealed at the start")
axes[0].plot(ws, history, "o-", color="tab:red", label="optimal history policy (latent_planning)")
axes[0].plot(ws, memoryless, "s--", color="tab:gray", label="optimal policy of the averaged MDP")
axes[0].set_xlabel("weight w of context 0"), axes[0].set_ylabel("value"), axes[0].legend(fontsize=8)
axes[0].set_title("what memory and information are worth")
names = list(belief)
axes[1].barh(names, [belief[n][0] for n in names], color="tab:blue", label="P(m = 0 | history)")
axes[1].barh(names, [belief[n][1] for n in names], left=[belief[n][0] for n in names], color="tab:orange",
             label="P(m = 1 | history)")
axes[1].invert_yaxis(), axes[1].set_xlabel("belief"), axes[1].legend(fontsize=8, loc="lower right")
axes[1].set_title(f"beliefs along the histories (w = 0.6); optimal first action: {plan.policy[0]}")
fig.tight_layout()
plt.show()
print(plan.message)

# %% [markdown]
# The averaged MDP cannot see that the clue identifies the context (its junction mixes both contexts), so it
# takes the shortcut and guesses: `0.2 + 0.8 max(w, 1 - w)`. The history policy probes, *remembers* the clue at
# the junction — the same state with opposite beliefs — and collects 0.8 whatever the context. Knowing the
# context from the start is worth 1.0: while `w < 0.75`, the price of the hidden context is the 0.2 spent on
# probing; above, guessing the likely context is worth more than the clue.
#
# ## 2. `Var*`: how random are the contexts?
#
# The regret bound scales with `sqrt(Var*)`. The suite computes it exactly on the tree: the largest total
# variance of the optimal alpha vectors along any policy's trajectories (see the guide for why this definition).
# `noisy_lmdp` mixes deterministic contexts with a fraction `noise` of random transitions: `Var* = 0` at
# `noise = 0`.

# %%
vs = [var_star(noisy_lmdp(M=2, S=3, A=2, H=4, noise=x, rng=0)) for x in NOISES]
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.plot(NOISES, [v.value for v in vs], "o-", label="Var*")
ax.plot(NOISES, [v.optimal_policy_variance for v in vs], "s--", label="return variance of the optimal policy")
ax.set_xlabel("noise"), ax.set_ylabel("variance"), ax.legend(fontsize=8)
ax.set_title("noisy_lmdp(M=2, S=3, A=2, H=4): Var* = 0 for deterministic contexts")
plt.show()

# %% [markdown]
# `Var*` is at least the optimal policy's return variance (the law of total variance along its trajectories)
# and both vanish together when the contexts are deterministic.
#
# ## 3. Learning: regret against `K` and against `H`
#
# The learner sees the context only at the end of each episode (to update its per-context counts) and plans
# optimistically on the history tree. Its bonus is Bernstein-type (variance-aware) and its values are truncated
# at 1; the baseline `HoeffdingLMDP` has the pre-horizon-free bonus `c H sqrt(iota / n)`. The regret is exact
# (`LatentOracle`: each episode's policy is evaluated on the tree). Rewards are scaled so that an episode's total
# reward is at most 1.

# %%
#: the constants of the suite's experiments (experiments/lmdp_common.py; the paper's values were not retrieved)
CONSTANTS = dict(delta=0.01, c1=1.0, c2=0.1, c_h=0.3)


def regret_curve(agent_cls, lmdp, episodes, seed):
    agent = agent_cls(lmdp.S, lmdp.A, lmdp.H, rewards=lmdp.R, n_episodes=episodes, **CONSTANTS)
    return solvers.run_learner(agent, None, episodes, rng=seed, oracle=LatentOracle(lmdp)).cumulative_regret


def with_horizon(base: LatentMDP, H: int) -> LatentMDP:
    """The same contexts played for H steps, rewards divided by H (an episode's total reward stays <= 1)."""
    return LatentMDP(base.weights, base.nu, base.P, base.R / H, H)


AGENTS = {"horizon-free (Bernstein)": HorizonFreeLMDP, "Hoeffding": HoeffdingLMDP}
small = random_lmdp(M=2, S=2, A=2, H=3, rng=0)
curves = {name: np.array([regret_curve(cls, small, EPISODES, s) for s in range(SEEDS)])
          for name, cls in AGENTS.items()}
final_by_H = {name: np.zeros((SEEDS, len(HORIZONS))) for name in AGENTS}
for s in range(SEEDS):
    base = random_lmdp(M=2, S=2, A=2, H=1, rng=100 + s)            # per-step rewards U(0, 1)
    for j, H in enumerate(HORIZONS):
        for name, cls in AGENTS.items():
            final_by_H[name][s, j] = regret_curve(cls, with_horizon(base, H), EPISODES, s)[-1]

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
k = np.arange(1, EPISODES + 1)
for (name, c), color in zip(curves.items(), ("tab:red", "tab:gray")):
    axes[0].plot(k, c.mean(axis=0), color=color, label=name)
    axes[0].fill_between(k, c.min(axis=0), c.max(axis=0), color=color, alpha=0.2)
ref = curves["horizon-free (Bernstein)"].mean(axis=0)[-1] * np.sqrt(k / EPISODES)
axes[0].plot(k, ref, "k:", label="sqrt(K) shape")
axes[0].set_xlabel("episodes K"), axes[0].set_ylabel("cumulative regret"), axes[0].legend(fontsize=8)
axes[0].set_title(f"random_lmdp(M=2, S=2, A=2, H=3): {SEEDS} seeds, min-max band")
for (name, r), color in zip(final_by_H.items(), ("tab:red", "tab:gray")):
    axes[1].errorbar(HORIZONS, r.mean(axis=0), yerr=r.std(axis=0, ddof=1) / np.sqrt(SEEDS), marker="o", capsize=3,
                     color=color, label=name)
axes[1].set_xlabel("horizon H (same contexts, total reward <= 1)")
axes[1].set_ylabel(f"regret after {EPISODES} episodes")
axes[1].set_title(f"horizon-free: {SEEDS} instances, standard errors"), axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# The Hoeffding bonus grows with `H` even though the values do not (an episode's total reward is at most 1), so
# it over-explores more and more as the horizon grows; the variance-aware bonus with truncation at 1 pays little
# for the horizon (its regret grows slowly, as a logarithm would). The claims `lmdp-regret-rate`, `lmdp-horizon-free` and `lmdp-variance` test these
# shapes with bootstrap intervals (`mdptheory verify --quick lmdp-horizon-free`).
#
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — a belief by Bayes' rule.** In `small` (the instance of section 3), the agent starts in state
# `s = 0`, plays `a = 1` and lands in `s' = 1`. What is the posterior probability of context 0? (a float; use
# `small.weights`, `small.nu`, `small.P`)

# %%
answer_1 = ...   # a float

# %% tags=["solution"]
if answer_1 is ...:
    joint = small.weights * small.nu[:, 0] * small.P[:, 0, 1, 1]
    answer_1 = float(joint[0] / joint.sum())

# %% tags=["check"]
play_1 = latent_policy_evaluation(small, np.ones(small.tree.n_decision_nodes, np.int64))    # always action 1
node = small.tree.node_index([0, 1], [1], [small.R[0, 0, 1]])
assert np.isclose(answer_1, play_1.belief[node, 0]), f"{answer_1} is not the posterior of context 0"
print(f"correct: P(m = 0 | s = 0, a = 1, s' = 1) = {answer_1:.4f} (prior {small.weights[0]:.4f})")

# %% [markdown]
# **Exercise 2 — the value of knowing the context.** For `small`, compute the value an agent would get if the
# context were revealed at the start of each episode (each context's own optimum, weighted by `w_m`). It is an
# upper bound on `V*`. (a float)

# %%
answer_2 = ...   # a float

# %% tags=["solution"]
if answer_2 is ...:
    answer_2 = context_known_value(small)

# %% tags=["check"]
# independent: each context as a one-context LMDP, planned on its own history tree
single = [latent_planning(LatentMDP(np.ones(1), small.nu[m:m + 1], small.P[m:m + 1], small.R[m:m + 1], small.H)).value
          for m in range(small.M)]
assert np.isclose(answer_2, small.weights @ single), f"{answer_2} is not the context-revealed value"
assert answer_2 >= latent_planning(small).value - 1e-12
print(f"correct: {answer_2:.5f} >= V* = {latent_planning(small).value:.5f}")

# %% [markdown]
# **Exercise 3 — the size of the history tree.** A history policy needs one action per observation history of
# length `< H`. With `S` states and `G` reward classes per pair (contexts with different rewards at `(s, a)` can be
# told apart by the reward), level `h` has `S (G S)^h` histories. How many actions does a policy table hold for
# `S = 3`, `G = 2`, `H = 4`? (an integer)

# %%
answer_3 = ...   # an integer

# %% tags=["solution"]
if answer_3 is ...:
    answer_3 = sum(3 * (2 * 3) ** h for h in range(4))

# %% tags=["check"]
own_rewards = random_lmdp(M=2, S=3, A=2, H=4, rng=0, shared_rewards=False)     # the contexts' rewards differ
assert own_rewards.tree.G == 2
assert answer_3 == latent_planning(own_rewards).policy.size, f"{answer_3} is not the policy table's size"
print(f"correct: {answer_3} histories; the planner visits {own_rewards.tree.n_full_nodes} nodes (actions included)")
