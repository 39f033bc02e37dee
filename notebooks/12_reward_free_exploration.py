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
# # Reward-free exploration: explore once, then plan for any reward
#
# **The idea.** In *reward-free* exploration the agent explores an unknown MDP without any reward, until it can
# certify that its empirical model `P_hat` is good enough to plan for *every* reward given later: whatever the
# reward `r` in `[0, 1]`, the policy optimal in `P_hat` for `r` is `eps`-optimal in the true MDP, with probability
# `1 - delta`. RF-Express (Ménard et al., ICML 2021) does it with one quantity: an upper bound `W_h(s, a)` on the
# estimation error of *any* value computed in `P_hat`, built backward from a bonus `~ H^2 beta(n) / n`. It explores
# greedily in `W` (where the error could still be large) and stops when `3e sqrt(W_1) + W_1 <= eps / 2` at the
# start. Its predecessor RF-UCRL (Kaufmann et al., ALT 2021) uses the slower bonus `H sqrt(beta(n) / n)`.
#
# What you will see: how the two cover a maze of rooms against a random walk, the error bound shrinking to the
# stopping rule on a small MDP, and the promise kept: after the stop, planning in `P_hat` for many rewards,
# every policy is `eps`-optimal in the true MDP.
#
# Guide: `docs/exploration.md` (the papers' constants are recalled; the guide says which, and where the bonus is
# scaled down to make the runs short enough). Quick settings by default; `MDPTHEORY_FULL=1` selects the full
# ones.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import solvers
from mdptheory import EpisodicMDP
from mdptheory.envs import garnet, nroom, nroom_layout
from mdptheory.sampling import rollout
from solvers.exploration import RFUCRL, RFExpress, explore, rf_express_beta

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
ROOMS = 15 if FULL else 5                     # the paper's maze has 15 rooms (S = 389); 5 rooms: S = 129
EPISODES = 20_000 if FULL else 1_000
N_REWARDS = 200 if FULL else 50

# %% [markdown]
# ## 1. Covering a maze of rooms
#
# rlberry's NRoom (the paper's experiment): rooms of 5 x 5 cells joined by doors, the start in the middle room,
# `H = 30`, moves succeed with probability 0.95. No reward is used. Each explorer plays a fixed number of
# episodes (`stop=False`; with the theory constants the stopping rule is far away here), as does a uniformly
# random policy. We count the visits of every cell.

# %%
maze = nroom(ROOMS, H=30)
layout = nroom_layout(ROOMS)
free = [(r, c) for r in range(layout.nrows) for c in range(layout.ncols) if (r, c) not in layout.walls]


def visits_on_grid(visits: np.ndarray) -> np.ndarray:
    grid = np.full((layout.nrows, layout.ncols), np.nan)
    for s, (r, c) in enumerate(free):
        grid[r, c] = visits[s]
    return grid


checkpoints = np.unique(np.geomspace(1, EPISODES, 12).astype(int))
coverage, maps = {}, {}
for name, cls in (("RF-Express", RFExpress), ("RF-UCRL", RFUCRL)):
    agent = cls(maze.S, maze.A, maze.H, eps=0.1, delta=0.1, clip="none")
    rng, played, covered = np.random.default_rng(0), 0, []
    for cp in checkpoints:                      # the agent keeps its counts between calls
        res = explore(agent, maze, int(cp - played), rng=rng, stop=False)
        played = int(cp)
        covered.append(int((res.counts.sum(axis=(0, 2, 3)) > 0).sum()))
    coverage[name], maps[name] = covered, res.counts.sum(axis=(0, 2, 3))
uniform = np.full((maze.S, maze.A), 1.0 / maze.A)
walk = rollout(maze, uniform, EPISODES, rng=0)
states = np.asarray(walk.s)                     # (episodes, H)
coverage["random walk"] = [len(np.unique(states[:cp])) for cp in checkpoints]
maps["random walk"] = np.bincount(states.ravel(), minlength=maze.S).astype(float)

fig = plt.figure(figsize=(13, 6), layout="constrained")
grid_spec = fig.add_gridspec(3, 2, width_ratios=[1, 1.6])
ax0 = fig.add_subplot(grid_spec[:, 0])
for name in coverage:
    ax0.semilogx(checkpoints, coverage[name], "o-", ms=3, label=name)
ax0.axhline(maze.S, color="k", ls=":", lw=0.8, label=f"S = {maze.S}")
ax0.set_xlabel("episodes"), ax0.set_ylabel("distinct states visited"), ax0.legend(fontsize=8)
for k, name in enumerate(maps):
    ax = fig.add_subplot(grid_spec[k, 1])
    ax.imshow(np.log10(1 + visits_on_grid(maps[name])), cmap="viridis")
    ax.set_title(f"{name}: log10(1 + visits) after {EPISODES} episodes", fontsize=9)
    ax.set_xticks([]), ax.set_yticks([])
plt.show()

# %% [markdown]
# The random walk stays near the start: reaching a far room takes a long sequence of lucky moves, and its
# coverage levels off. Both explorers push to where their error bound is largest — the unvisited pairs have the
# largest bound `H` — and keep reaching new rooms. On the paper's 15-room maze (`MDPTHEORY_FULL=1`, 20,000
# episodes) RF-Express pulls ahead after a few thousand episodes (the guide reports 219 against 182 distinct
# states after 4,860 episodes): its multiplier `(1 + 1/H)` on the future error makes far-away uncertainty count.
#
# ## 2. The error bound and the stopping rule
#
# On a small random MDP (`S = 4`, `A = 2`, `H = 3`, two next states per pair) the explorers run until they stop.
# The certificate is RF-Express's `3e sqrt(max_a W_1) + max_a W_1` and RF-UCRL's `max_a E_1`, both compared with
# `eps / 2`. With the paper's constants RF-Express needs millions of episodes even here (its bonus has a
# `15 H^2` factor, see the guide), so its bonus is scaled by `1e-3` (named: `bonus_scale`); RF-UCRL runs with its
# theory constants.

# %%
small = garnet(4, 2, 2, rng=0, H=3)
EPS, DELTA = 1.0, 0.1
runs = {"RF-Express (bonus x 1e-3)": explore(RFExpress(small.S, small.A, small.H, eps=EPS, delta=DELTA,
                                                       bonus_scale=1e-3), small, 10**6, rng=1),
        "RF-UCRL": explore(RFUCRL(small.S, small.A, small.H, eps=EPS, delta=DELTA), small, 10**6, rng=1)}
fig, ax = plt.subplots(figsize=(7, 4))
for name, res in runs.items():
    ax.loglog(np.arange(1, len(res.certificates) + 1), res.certificates, label=f"{name}: stops at tau = {res.tau}")
ax.axhline(EPS / 2, color="k", ls=":", label="eps / 2")
ax.set_xlabel("episodes + 1"), ax.set_ylabel("certified error bound"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Both bounds stay at their cap until every reachable pair has been tried, then decay like `1/n` (RF-Express) and
# `1/sqrt(n)` (RF-UCRL) per pair. The stopping time is a random variable: the number of episodes needed.
#
# ## 3. The promise: plan for any reward afterwards
#
# After RF-Express stopped, draw rewards uniformly in `[0, 1]^(H x S x A)` and plan in `P_hat`
# (`res.plan(rewards)`); evaluate each plan *in the true MDP* and compare it with the true optimum.

# %%
def true_value(policy: np.ndarray, rewards: np.ndarray) -> float:
    """The value of a deterministic (H, S) policy at the start, in the true MDP (backward recursion)."""
    V = np.zeros(small.S)
    for h in range(small.H - 1, -1, -1):
        a = policy[h]
        V = rewards[h, np.arange(small.S), a] + small.P[h, np.arange(small.S), a] @ V
    return float(small.mu0 @ V)


res = runs["RF-Express (bonus x 1e-3)"]
rng = np.random.default_rng(2)
gaps = []
for _ in range(N_REWARDS):
    rewards = rng.random((small.H, small.S, small.A))
    pi_hat, _ = res.plan(rewards)
    best = solvers.backward_induction(EpisodicMDP(small.P, rewards, small.mu0))
    gaps.append(best.V[0] @ small.mu0 - true_value(pi_hat, rewards))
gaps = np.array(gaps)
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.hist(gaps, bins=20, color="tab:red", alpha=0.7)
ax.axvline(EPS, color="k", ls=":", label=f"eps = {EPS}")
ax.set_xlabel("true suboptimality of the policy planned in P_hat"), ax.set_ylabel("rewards")
ax.set_title(f"{N_REWARDS} random rewards after tau = {res.tau} reward-free episodes"), ax.legend(fontsize=8)
plt.show()
print(f"largest suboptimality {gaps.max():.4f} <= eps = {EPS}: {bool(gaps.max() <= EPS)}")

# %% [markdown]
# Every reward is served by the same exploration. The guarantee holds with room to spare here: the certificate
# bounds the error of *every* policy's value for *every* reward at once, and the bonus's union bound is
# conservative. The claim `rfexpress-pac` tests the promise over 200 runs with an exact binomial test
# (`mdptheory verify --quick rfexpress-pac`).
#
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — the exploration threshold.** RF-Express's confidence term is
# `beta(n, delta) = log(3 S A H / delta) + S log(8 e (n + 1))`. Compute it for `S = 4`, `A = 2`, `H = 3`,
# `delta = 0.1` and `n = 100` (a float).

# %%
answer_1 = ...   # a float

# %% tags=["solution"]
if answer_1 is ...:
    answer_1 = float(np.log(3 * 4 * 2 * 3 / 0.1) + 4 * np.log(8 * np.e * 101))

# %% tags=["check"]
assert np.isclose(answer_1, rf_express_beta(100, 4, 2, 3, 0.1)), f"beta = {answer_1} is not right"
print(f"correct: beta(100) = {answer_1:.3f}; the bonus 15 H^2 beta / n is then {15 * 9 * answer_1 / 100:.1f} > H = 3")

# %% [markdown]
# **Exercise 2 — how small must `W` get?** The stopping rule is `3e sqrt(w) + w <= eps / 2` with
# `w = max_a W_1(s_1, a)`. For `eps = 1`, what is the largest `w` that stops? (a float: solve the quadratic in
# `sqrt(w)`)

# %%
answer_2 = ...   # a float

# %% tags=["solution"]
if answer_2 is ...:
    x = (-3 * np.e + np.sqrt(9 * np.e**2 + 4 * 0.5)) / 2        # sqrt(w): x^2 + 3e x - eps/2 = 0
    answer_2 = float(x**2)

# %% tags=["check"]
assert np.isclose(3 * np.e * np.sqrt(answer_2) + answer_2, 0.5), f"w = {answer_2} does not reach the threshold"
w_stop = runs["RF-Express (bonus x 1e-3)"]
assert w_stop.certificate <= 0.5
print(f"correct: w <= {answer_2:.5f}, an error bound of ~{answer_2:.1e} on every value: the price of the 3e sqrt(w)")

# %% [markdown]
# **Exercise 3 — one reward by hand.** For the reward "1 in state 3 at every stage, 0 elsewhere", plan in
# `res.P_hat` (backward induction on the empirical model) and give the true suboptimality of that plan (a float).

# %%
reward_3 = np.zeros((small.H, small.S, small.A))
reward_3[:, 3, :] = 1.0
answer_3 = ...   # a float

# %% tags=["solution"]
if answer_3 is ...:
    plan_3 = solvers.backward_induction(EpisodicMDP(res.P_hat, reward_3, small.mu0)).policy
    answer_3 = float(solvers.backward_induction(EpisodicMDP(small.P, reward_3, small.mu0)).V[0] @ small.mu0
                     - true_value(plan_3, reward_3))

# %% tags=["check"]
pi_3, _ = res.plan(reward_3)
expected_3 = solvers.backward_induction(EpisodicMDP(small.P, reward_3, small.mu0)).V[0] @ small.mu0 \
    - true_value(pi_3, reward_3)
assert np.isclose(answer_3, expected_3, atol=1e-12), f"{answer_3} is not the plan's suboptimality"
assert answer_3 <= EPS
print(f"correct: suboptimality {answer_3:.4f} <= eps = {EPS}")
