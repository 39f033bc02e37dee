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
# # Action grouping: fewer actions, fewer samples, some bias
#
# **The idea.** With many actions, estimating every `P(.|s, a)` costs many samples. Group the actions: treat
# each group as one action of a smaller *lifted* MDP `M_g` (a group plays its actions at random), and spend the
# sample budget on `S G` pairs instead of `S A`. Fewer groups mean more samples per pair (less *estimation*
# error) but a coarser model (more *approximation* error): a bias-variance trade-off in the number of groups
# `G`, and the best `G` grows with the budget (Li, Ju & Shroff, ICLR 2024).
#
# What you will see: the actions' distances and their dendrogram, the lifted MDP and the approximation bound,
# the U-shaped loss of Algorithm 1 in `G` at a fixed sample budget, and the selection of a grouping with a
# certified gap.
#
# Guide: `docs/grouping.md` (the model, the bound and Algorithm 1 are our reconstruction from the abstract; the
# guide says which parts). Quick settings by default; `MDPTHEORY_FULL=1` selects the full ones.

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.cluster.hierarchy import dendrogram
from scipy.spatial.distance import squareform

import solvers
from mdptheory import Grouping
from mdptheory.envs import hierarchical_actions, hierarchical_grouping
from mdptheory.grouping import action_distances, dissimilarities, lift, nested_groupings
from solvers.grouping import samples_per_pair

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
SEEDS = 30 if FULL else 8
BUDGETS = (320, 800, 1_600, 6_400, 25_600) if FULL else (320, 1_600, 6_400)
# Algorithm 1 runs exactly K value-iteration sweeps, and value iteration warns when K sweeps reach float64's
# floor before its (disabled) tolerance: expected here, so the warning is silenced
warnings.filterwarnings("ignore", category=solvers.ConvergenceWarning)

# %% [markdown]
# ## 1. Which actions are alike?
#
# The environment has 16 actions in 4 *families*: action `(i, j)` moves like `(1 - rho) P_coarse(i) +
# rho P_fine(i, j)`, rewards alike. The distance `d(a, b) = max_s |R(s, a) - R(s, b)| + w ||P(.|s, a) -
# P(.|s, b)||_1` (with `w = gamma / (2 (1 - gamma))`, the weight the approximation bound gives transitions)
# shows the four blocks; complete linkage builds the nested family of groupings, one cut per `G`.

# %%
mdp = hierarchical_actions(S=10, n_coarse=4, n_fine=4, rho=0.2, rng=0)
w = mdp.gamma / (2 * (1 - mdp.gamma))
family = nested_groupings(mdp.dense_P(), mdp.R, w)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
im = axes[0].imshow(squareform(action_distances(mdp.dense_P(), mdp.R, w)), cmap="magma")
fig.colorbar(im, ax=axes[0]), axes[0].set_title("distances between the 16 actions")
dendrogram(family.Z, ax=axes[1], color_threshold=family.height(4))
axes[1].set_title("complete-linkage dendrogram (cut at G = 4 in colour)"), axes[1].set_ylabel("cluster diameter D_G")
plt.show()
print("the cut at G = 4 is the family structure:",
      family.cut(4).labels.tolist())

# %% [markdown]
# ## 2. The lifted MDP and what grouping costs
#
# `lift(mdp, g)` is the MDP over groups: `P_g(.|s, i) = mean over a in group i of P(.|s, a)` (the uniform
# lower-level policy), rewards alike. Its optimal value `V*_{M_g}` is the best one can do by choosing groups;
# the loss `V* - V*_{M_g}` is the approximation error, bounded by `pointwise / (1 - gamma)`, where `pointwise`
# measures how far an action's reward and transitions are from its group's average.

# %%
v_star = solvers.policy_iteration(mdp, tol=1e-10).V
Gs = [1, 2, 4, 8, 16]
approx, bound = [], []
for G in Gs:
    g = family.cut(G)
    approx.append(np.max(v_star - solvers.policy_iteration(lift(mdp, g), tol=1e-10).V))
    bound.append(dissimilarities(mdp, g).pointwise / (1 - mdp.gamma))
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(Gs, approx, "o-", label="V* - V*_{M_g} (exact)")
ax.plot(Gs, bound, "s--", label="bound: pointwise / (1 - gamma)")
ax.set_xscale("log", base=2), ax.set_yscale("symlog", linthresh=0.1)
ax.set_xlabel("number of groups G"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 3. Algorithm 1 and the trade-off
#
# `solvers.grouped_planning(mdp, g, N, K)` draws `N` samples per (state, group) (a random action of the group,
# its next state, a Bernoulli reward), runs `K` value-iteration sweeps on the estimated lifted MDP and plays the
# greedy group through the lower level; `res.value` is the *exact* value of the played policy in the true MDP.
# At a fixed budget `B_s = N S G` samples, more groups mean fewer samples each: the loss is U-shaped in `G`, and
# its minimum moves to finer groupings as the budget grows.

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
curves = {}
for B in BUDGETS:
    loss = []
    for G in Gs:
        N = samples_per_pair(B, mdp.S, G)
        runs = [solvers.grouped_planning(mdp, family.cut(G), N=N, K=50, rng=seed, reward_noise="bernoulli")
                for seed in range(SEEDS)]
        loss.append(np.mean([np.max(v_star - r.value) for r in runs]))
    curves[B] = loss
    ax.plot(Gs, loss, "o-", label=f"B_s = {B:,} samples")
ax.plot(Gs, approx, "k:", label="approximation error alone (unlimited samples)")
ax.set_xscale("log", base=2), ax.set_xlabel("number of groups G"), ax.set_ylabel("mean ||V* - V^pi||")
ax.legend(fontsize=8)
plt.show()
for B, loss in curves.items():
    print(f"B_s = {B:7,}: best G = {Gs[int(np.argmin(loss))]}")

# %% [markdown]
# ## 4. Choosing the grouping before sampling
#
# `solvers.select_grouping(mdp, B_s=..., B_c=...)` picks the cut, `N` and `K` that minimise the bound
# `J(G) = D_G / (1 - gamma) + Est(N) + Opt(K)` under a sample budget `B_s` and a compute budget `B_c`
# (`K S^2 G <= B_c`), evaluating at most `G_max + 1` closed forms whatever the number of actions, and
# certifies how far its choice can be from the best cut of the family (`gap`).

# %%
for B in BUDGETS:
    sel = solvers.select_grouping(mdp, B_s=B, B_c=1e7, G_max=16)
    print(sel.message)
    print("   terms:", {k: round(v, 3) for k, v in sel.terms.items()})

# %% [markdown]
# The selection minimises a *bound* (loose by orders of magnitude here, see the guide), so its choice need not
# match the empirical best `G` of section 3; both move to finer groupings as the budget grows.
#
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — lift by hand.** For the grouping `g4 = family.cut(4)` and the uniform lower level, compute the
# lifted kernel at state 0, an array `(G, S)`: row `i` is the average of `P(.|0, a)` over the actions of group
# `i`. Use `mdp.dense_P()` and `g4.labels`.

# %%
g4 = family.cut(4)
answer_1 = ...   # an array (4, S)

# %% tags=["solution"]
if answer_1 is ...:
    P0 = mdp.dense_P()[0]
    answer_1 = np.array([P0[g4.labels == i].mean(axis=0) for i in range(g4.G)])

# %% tags=["check"]
expected_1 = lift(mdp, g4).dense_P()[0]
assert np.shape(answer_1) == expected_1.shape, f"shape {np.shape(answer_1)}, expected {expected_1.shape}"
assert np.allclose(answer_1, expected_1, atol=1e-14), "not the lifted kernel at state 0"
print("correct: each row is a distribution:", np.allclose(np.sum(answer_1, axis=1), 1))

# %% [markdown]
# **Exercise 2 — the approximation error of a hand-made grouping.** Group the actions in pairs *across*
# families, `[[0, 4], [1, 5], [2, 6], [3, 7], [8, 12], [9, 13], [10, 14], [11, 15]]` (a bad grouping), and give
# its approximation error `max_s V*(s) - V*_{M_g}(s)`.

# %%
bad = Grouping.from_groups([[0, 4], [1, 5], [2, 6], [3, 7], [8, 12], [9, 13], [10, 14], [11, 15]], A=mdp.A)
answer_2 = ...   # a float

# %% tags=["solution"]
if answer_2 is ...:
    answer_2 = float(np.max(v_star - solvers.policy_iteration(lift(mdp, bad), tol=1e-10).V))

# %% tags=["check"]
v_bad = solvers.value_iteration(lift(mdp, bad), tol=1e-11).V
expected_2 = np.max(solvers.value_iteration(mdp, tol=1e-11).V - v_bad)
assert abs(answer_2 - expected_2) <= 1e-9, f"{answer_2} is not the approximation error"
assert answer_2 <= dissimilarities(mdp, bad).pointwise / (1 - mdp.gamma)     # the bound holds here too
print(f"correct: {answer_2:.3f}, against {approx[Gs.index(8)]:.3f} for the dendrogram's cut with 8 groups")

# %% [markdown]
# **Exercise 3 — the budget arithmetic.** With a budget of `B_s = 5000` samples, `S = 10` states and `G = 8`
# groups, how many samples `N` does each (state, group) pair get (Algorithm 1 needs a whole number)?

# %%
answer_3 = ...   # an integer

# %% tags=["solution"]
if answer_3 is ...:
    answer_3 = 5000 // (10 * 8)

# %% tags=["check"]
expected_3 = samples_per_pair(5000, 10, 8)
assert answer_3 == expected_3, f"{answer_3} is not the number of samples per pair"
res3 = solvers.grouped_planning(mdp, family.cut(8), N=answer_3, K=10, rng=0)
print(f"correct: N = {answer_3}; Algorithm 1 then draws {res3.samples} <= 5000 samples")
