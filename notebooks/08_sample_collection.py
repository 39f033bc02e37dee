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
# # Sample collection: getting the samples a generative model would give
#
# **The idea.** Many algorithms are analysed with a *generative model*: "give me `b(s, a)` samples of
# `P(.|s, a)` at every pair". A real agent cannot teleport: it must *walk* to `s` before it can try `a` there.
# GOSPRL (Tarbouriech et al., NeurIPS 2021) collects a requirement `b` online in an unknown communicating MDP,
# by repeatedly planning an optimistic shortest path to the states that still need samples. Its collection
# time is `C = O~(B D + D^(3/2) S^2 A)`, with `B = sum b` and `D` the diameter: each sample costs at most about
# one trip across the MDP, plus an exploration overhead that does not grow with `B`.
#
# What you will see: GOSPRL's trajectory next to a random walk's on RiverSwim, the collection time growing
# exactly like `(D + 1) B` on the reset chain (where no strategy can do better) and the random walk's
# exponential blow-up with the chain's length, and an application: estimating a model to a given accuracy.
#
# Guide: `docs/gosprl.md` (the algorithm's details are our reconstruction from the abstract; the guide says
# which). Quick settings by default; `MDPTHEORY_FULL=1` selects the full ones.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import solvers
from mdptheory.envs import reset_chain, riverswim
from solvers.collection import (empirical_collection, estimate_model, gosprl, model_error, random_walk_collection,
                                weissman_requirement)

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
SEEDS = 5 if FULL else 1
LENGTHS = (2, 4, 6, 8, 10, 12, 14, 16) if FULL else (2, 4, 6, 8, 10, 12, 14)
STRATEGIES = {"GOSPRL": gosprl, "no optimism": empirical_collection, "random walk": random_walk_collection}

# %% [markdown]
# ## 1. Collecting on RiverSwim
#
# Six states in a river; swimming right is hard. The requirement: 8 samples of each of the 12 state-action
# pairs (`B = 96`). Each strategy runs until the requirement is met and reports its collection time `C`.

# %%
river = riverswim(6)                       # gamma=None: no discount, collection is about reaching states
b = np.full((river.S, river.A), 8)
runs = {name: f(river, b, rng=0) for name, f in STRATEGIES.items()}
for name, res in runs.items():
    print(f"{name:12s} {res.message}")

fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), gridspec_kw={"width_ratios": [2, 1]})
for name, color in zip(runs, ("tab:red", "tab:green", "tab:gray")):
    res = runs[name]
    axes[0].plot(np.arange(len(res.states)), res.states, color=color, lw=0.6, alpha=0.8, label=f"{name} (C = {res.C})")
axes[0].set_xlim(0, max(r.C for r in runs.values())), axes[0].set_xlabel("step"), axes[0].set_ylabel("state")
axes[0].legend(fontsize=8, loc="upper right")
res = runs["GOSPRL"]
x = np.arange(river.S)
axes[1].bar(x - 0.2, res.counts[:, 0], 0.4, label="left")
axes[1].bar(x + 0.2, res.counts[:, 1], 0.4, label="right")
axes[1].axhline(8, color="k", ls=":", label="required b = 8")
axes[1].set_xlabel("state"), axes[1].set_title("GOSPRL's samples N(s, a)"), axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# Every strategy over-samples: walking to the last pairs needed costs transitions that count as samples of the
# pairs on the way. The random walk wastes most of its steps near the left bank; GOSPRL pays an exploration
# overhead first (its confidence sets are wide until it has seen enough) and then travels straight to what is
# missing.
#
# ## 2. The reset chain: the lower bound `(D + 1) b` and the random walk's blow-up
#
# `reset_chain(L)`: states `0..L`, action 1 moves right, action 0 resets to state 0. The diameter is `D = L`.
# Requiring `b` samples of the reset action at the far end forces every strategy to walk the whole chain
# `b` times: `C >= b (L + 1)`. GOSPRL's slope in `b` is exactly `D + 1`.

# %%
L = 4
chain = reset_chain(L)
print("diameter D =", solvers.diameter(chain))
bs = [1, 2, 4, 8, 16, 32, 64]
C_of_b = []
for bb in bs:
    req = np.zeros((L + 1, 2), dtype=int)
    req[L, 0] = bb
    C_of_b.append(gosprl(chain, req, rng=0).C)
slope = np.diff(C_of_b) / np.diff(bs)

fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
axes[0].plot(bs, C_of_b, "o-", color="tab:red", label="GOSPRL")
axes[0].plot(bs, np.array(bs) * (L + 1), "k:", label="lower bound b (L + 1)")
axes[0].set_xlabel("required samples b at (L, reset)"), axes[0].set_ylabel("collection time C")
axes[0].set_title(f"L = {L}: slope in b between {slope.min():g} and {slope.max():g}; D + 1 = {L + 1}")
axes[0].legend(fontsize=8)

for name, f in STRATEGIES.items():
    C = []
    for length in LENGTHS:
        req = np.zeros((length + 1, 2), dtype=int)
        req[length, 0] = 4
        C.append(np.mean([f(reset_chain(length), req, rng=s).C for s in range(SEEDS)]))
    axes[1].semilogy(LENGTHS, C, "o-", label=name)
axes[1].semilogy(LENGTHS, 4 * (np.array(LENGTHS) + 1), "k:", label="lower bound 4 (L + 1)")
axes[1].set_xlabel("chain length L (b = 4)"), axes[1].set_ylabel("collection time C"), axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# The random walk needs about `2^(L+1)` steps per sample (it must press "right" `L` times in a row); GOSPRL's
# cost grows polynomially in `L`, and overtakes it once the chain is long enough. The strategy without
# optimism is fast when it is lucky and stuck when its empirical model says a state is unreachable: optimism
# is what makes the guarantee hold on every MDP.
#
# ## 3. An application: estimating a model to accuracy `eta`
#
# Weissman's inequality says how many samples per pair give `max_{s,a} ||p_hat - p||_1 <= eta` with probability
# `1 - delta`; collect that requirement with GOSPRL and build the empirical model (`estimate_model`).

# %%
small = riverswim(4)
etas = [0.8, 0.6, 0.4, 0.3] if not FULL else [0.8, 0.6, 0.4, 0.3, 0.2]
rows = []
for eta in etas:
    est = estimate_model(small, eta=eta, delta=0.1, rng=0, rule="weissman")
    rows.append((eta, est.collection.C, model_error(est.P_hat, small), est.collection.B))
rows = np.array(rows)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
axes[0].plot(rows[:, 0], rows[:, 2], "o-", label="max ||p_hat - p||_1")
axes[0].plot(rows[:, 0], rows[:, 0], "k:", label="eta (the target)")
axes[0].set_xlabel("eta"), axes[0].legend(fontsize=8)
axes[1].loglog(1 / rows[:, 0] ** 2, rows[:, 1], "o-", label="collection time C")
axes[1].loglog(1 / rows[:, 0] ** 2, rows[:, 3], "s--", label="requirement B = sum b")
axes[1].set_xlabel("1 / eta^2"), axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# The errors sit well below `eta` (the union bound is conservative). The requirement grows like `1/eta^2`; the
# collection time grows more slowly at these accuracies, because GOSPRL's exploration overhead (the
# `D^(3/2) S^2 A` term, which does not depend on `B`) still dominates it. At smaller `eta` the `B D` term takes
# over (try `MDPTHEORY_FULL=1`).
#
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — the Weissman requirement.** With `Gamma = S` possible next states, the number of samples per
# pair is `b = ceil(2 (Gamma ln 2 + ln(S A / delta)) / eta^2)`. Compute it for `S = 4`, `A = 2`, `eta = 0.4`,
# `delta = 0.1` (an integer).

# %%
answer_1 = ...   # an integer

# %% tags=["solution"]
if answer_1 is ...:
    answer_1 = int(np.ceil(2 * (4 * np.log(2) + np.log(4 * 2 / 0.1)) / 0.4**2))

# %% tags=["check"]
expected_1 = int(weissman_requirement(4, 2, 0.4, 0.1)[0, 0])
assert answer_1 == expected_1, f"b = {answer_1} is not the Weissman requirement"
print(f"correct: b = {answer_1} samples at each of the 8 pairs, B = {8 * answer_1}")

# %% [markdown]
# **Exercise 2 — no strategy beats the reset chain's bound.** On `reset_chain(6)`, what is the smallest
# possible collection time of a requirement of `b = 5` samples at `(6, reset)`? Give it from the diameter.

# %%
answer_2 = ...   # an integer

# %% tags=["solution"]
if answer_2 is ...:
    answer_2 = int(5 * (solvers.diameter(reset_chain(6)) + 1))

# %% tags=["check"]
req2 = np.zeros((7, 2), dtype=int)
req2[6, 0] = 5
# the bound is attained by the strategy that knows the chain: press right 6 times, then reset, 5 times
states, s = [], 0
for _ in range(5):
    for a in [1] * 6 + [0]:
        states.append(s)
        s = int(np.argmax(reset_chain(6).dense_P()[s, a]))
assert answer_2 == len(states), f"{answer_2} is not the smallest collection time"
assert gosprl(reset_chain(6), req2, rng=0).C >= answer_2          # GOSPRL cannot beat it either
print(f"correct: C >= {answer_2}; GOSPRL needed {gosprl(reset_chain(6), req2, rng=0).C}")

# %% [markdown]
# **Exercise 3 — recount the samples.** A collection result keeps the whole trajectory: `res.states` (length
# `C + 1`) and `res.actions` (length `C`). Rebuild the count table `N(s, a)`, an integer array `(S, A)`, of the
# GOSPRL run on RiverSwim from the trajectory alone.

# %%
res = runs["GOSPRL"]
answer_3 = ...   # an array (S, A)

# %% tags=["solution"]
if answer_3 is ...:
    answer_3 = np.zeros((river.S, river.A), dtype=int)
    np.add.at(answer_3, (res.states[:-1], res.actions), 1)

# %% tags=["check"]
assert np.shape(answer_3) == res.counts.shape, f"shape {np.shape(answer_3)}, expected {res.counts.shape}"
assert np.array_equal(answer_3, res.counts), "not the result's counts"
assert np.all(answer_3 >= b), "the requirement is not met?"
print("correct: every pair has at least b = 8 samples; the most sampled pair has", int(answer_3.max()))
