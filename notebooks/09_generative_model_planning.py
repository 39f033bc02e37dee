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
# # Planning with a generative model: MDP-GapE stops as soon as the gaps are certified
#
# **The idea.** A planner that can only *ask* a simulator — "at stage `h`, in state `s`, I play `a`: what
# reward, which next state?" — is judged by how many calls it makes. Sparse Sampling (Kearns, Mansour & Ng
# 2002) builds the whole look-ahead tree, `(K C)^H` calls whatever the instance. MDP-GapE (Jonsson et al.,
# NeurIPS 2020) keeps an upper and a lower confidence bound `U(a) >= Q*_H(s0, a) >= L(a)` on every root action,
# samples trajectories where the bounds are still wide *and* matter, and stops as soon as one action's lower
# bound is within `eps` of every other action's upper bound (the UGapE rule). Its number of calls adapts to the
# *gaps* `Delta_a = Q*(a*) - Q*(a)`: an easy instance stops early, a hard one samples the competing actions
# until they are told apart.
#
# What you will see: the root's confidence intervals closing until the stopping rule fires, where the samples
# went (the tree MDP-GapE explored against the full look-ahead tree), the number of calls growing like
# `sum_a 1 / max(Delta_a, eps)^2`, and the fixed-budget use against UCT, KL-OLOP and BRUE.
#
# Guide: `docs/tree_search.md` (the thresholds are recalled from the paper or taken from the official code; the
# guide tags which). Quick settings by default; `MDPTHEORY_FULL=1` selects the full ones.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from bounds.mdpgape import gap_complexity, root_gaps
from mdptheory import FiniteMDP
from mdptheory.generative import GenerativeOracle, LazyGarnet, TabularModel, horizon_from_accuracy, q_star
from solvers import tree_search

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
S = 100_000 if FULL else 10_000              # the paper's Garnets have 100,000 states (nothing is stored: lazy rows)
N_GARNETS = 40 if FULL else 12               # instances in the sweeps of sections 3 and 4
BUDGETS = (100, 300, 1000, 3000, 10_000, 30_000) if FULL else (100, 300, 1000, 3000, 10_000)
BANDIT_GAPS = (0.4, 0.28, 0.2, 0.14, 0.1, 0.07, 0.05) if FULL else (0.4, 0.28, 0.2, 0.14, 0.1)
BANDIT_SEEDS = 20 if FULL else 4

# %% [markdown]
# ## 1. Watching the bounds close
#
# A Garnet of the paper's family (`K = 5` actions, `B = 2` next states per pair, half of the pairs rewarded,
# `gamma = 0.7`), generated lazily: each row is a hash of `(seed, s, a)`. With `eps = 0.5` the planning depth is
# `H = 8` (the discounted tail beyond it is below `eps / 2`), and `delta = 0.1`. The theory thresholds make the
# run `(eps, delta)`-correct.
#
# Every planner draws its random numbers from one stream in order, so a run cut off by a budget of `n` calls is
# exactly the first `n` calls of the full run: re-running with growing budgets shows the bounds as they were.

# %%
garnet = LazyGarnet(S=S, K=5, B=2, gamma=0.7, seed=3)
EPS, DELTA = 0.5, 0.1
run = tree_search.mdp_gape(GenerativeOracle(garnet), eps=EPS, delta=DELTA, rng=0, keep_tree=True)
H = run.depth
q = q_star(garnet, H)                         # exact Q*_H(s0, .), by backward induction (independent code)
print(run.message)
print("Q*_H(s0, .) =", np.round(q, 3), "  gaps:", np.round(root_gaps(q), 3))

checkpoints = np.unique(np.geomspace(H, run.calls, 40).astype(int) // H * H)
snaps = [tree_search.mdp_gape(GenerativeOracle(garnet, budget=int(n)), eps=EPS, delta=DELTA, rng=0)
         for n in checkpoints]
U = np.array([r.root_upper for r in snaps])
L = np.array([r.root_lower for r in snaps])
stat = np.array([r.extra["stopping_gap"] for r in snaps])
print("every interval contains Q*_H at every checkpoint:", bool(np.all((L <= q) & (q <= U))))

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
colors = plt.cm.tab10(np.arange(garnet.K))
moments = [int(np.searchsorted(checkpoints, f * run.calls)) for f in (0.01, 0.1, 0.4)] + [len(snaps) - 1]
for k, m in enumerate(moments):
    x = np.arange(garnet.K) + (k - 1.5) * 0.18
    axes[0].vlines(x, L[m], U[m], colors=colors, lw=4, alpha=0.35 + 0.2 * k)
    axes[0].annotate(f"{checkpoints[m]:,}", (x[0], U[m, 0]), ha="center", va="bottom", fontsize=7, rotation=90)
axes[0].plot(np.arange(garnet.K), q, "k_", ms=22, mew=2, label="exact Q*_H(s0, a)")
axes[0].set_xticks(np.arange(garnet.K)), axes[0].set_xlabel("root action a (bars: after the calls written above)")
axes[0].set_ylabel("[L(a), U(a)]"), axes[0].set_title("root confidence intervals as the calls grow")
axes[0].legend(fontsize=8, loc="lower left")
axes[1].loglog(checkpoints, stat, "o-", ms=3, label="U(challenger) - L(best)")
axes[1].axhline(EPS, color="k", ls=":", label=f"eps = {EPS}")
axes[1].set_xlabel("oracle calls"), axes[1].set_title(f"the stopping statistic: stop at {run.calls} calls")
axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# Each interval contains its exact value (the confidence event holds on this run, as it must with probability at least
# `1 - delta`). The planner does not wait for every interval to be narrow: it stops when the recommended
# action's lower bound is within `eps` of the *largest* upper bound among the others. Actions that are clearly
# worse keep wide intervals: nobody needs to know how bad they are.
#
# ## 2. Where the samples went
#
# `keep_tree=True` exported the tree the run explored. Compare the decision nodes it opened at each depth with
# the full look-ahead tree, `(B K)^h` nodes at depth `h`, which Sparse Sampling would sample (`C` times each).

# %%
tree = run.extra["tree"]
opened = np.bincount(tree["d_depth"], minlength=H)[:H]
full_tree = (garnet.B * garnet.K) ** np.arange(H, dtype=float)
gaps = root_gaps(q)

fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
axes[0].bar(np.arange(garnet.K), run.root_counts, color=colors)
for a in range(garnet.K):
    axes[0].annotate(f"gap {gaps[a]:.2f}", (a, run.root_counts[a]), ha="center", va="bottom", fontsize=8)
axes[0].set_xlabel("root action"), axes[0].set_ylabel("trajectories started with it")
axes[0].set_title(f"best action {int(np.argmax(q))}, recommended {run.action}")
axes[1].semilogy(np.arange(H), full_tree, "k:", marker="s", label="full look-ahead tree (B K)^h")
axes[1].semilogy(np.arange(H), opened, "o-", color="tab:red", label="nodes MDP-GapE opened")
axes[1].set_xlabel("depth h"), axes[1].set_ylabel("decision nodes"), axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# The samples go mostly to the best action and the actions with small gaps (the best action's gap is its margin
# over the runner-up); the clearly worse ones get few. The split is not exactly in the order of the root gaps:
# the deeper nodes' gaps decide too. Deep in the tree, MDP-GapE opens a vanishing fraction of the `(B K)^h` nodes: below the root it
# follows the optimistic action `argmax_a U_h(s, a)`, so subtrees that cannot change the decision are never
# expanded.
#
# ## 3. Sample complexity follows the gaps
#
# The paper bounds the number of calls by a sum over the visited pairs of `beta / gap^2` terms. The root part
# is `Lambda = sum_a 1 / max(Delta_a, eps)^2` (`bounds.mdpgape.gap_complexity`). Two views:
#
# * **a bandit** (`H = 1`: one state, two Bernoulli arms `0.5 +- Delta / 2`, `eps = 0`), where MDP-GapE is UGapE
#   and `Lambda = 2 / Delta^2` exactly;
# * **Garnets** at `eps = 0.5`: instances differ in their gaps, and the calls grow with `Lambda`.

# %%
def two_arm_bandit(gap: float) -> TabularModel:
    means = np.array([0.5 + gap / 2, 0.5 - gap / 2])
    return TabularModel(FiniteMDP(np.ones((1, 2, 1)), means[None, :], 0.7), reward_noise="bernoulli")


pulls = np.array([[tree_search.mdp_gape(GenerativeOracle(two_arm_bandit(g)), eps=0.0, delta=DELTA, H=1,
                                        rng=seed).calls for seed in range(BANDIT_SEEDS)] for g in BANDIT_GAPS])
lam_bandit = np.array([gap_complexity([0.5 + g / 2, 0.5 - g / 2], 0.0) for g in BANDIT_GAPS])

lam_garnet, calls_garnet = [], []
for seed in range(N_GARNETS):
    g = LazyGarnet(S=S, K=5, B=2, gamma=0.7, seed=100 + seed)
    r = tree_search.mdp_gape(GenerativeOracle(g), eps=EPS, delta=DELTA, rng=seed)
    lam_garnet.append(gap_complexity(q_star(g, r.depth), EPS))
    calls_garnet.append(r.calls)
lam_garnet, calls_garnet = np.array(lam_garnet), np.array(calls_garnet)

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
slope_b = np.polyfit(np.log(lam_bandit), np.log(pulls.mean(axis=1)), 1)[0]
axes[0].loglog(lam_bandit, pulls.mean(axis=1), "o-", label=f"mean pulls (log-log slope {slope_b:.2f})")
for i in range(BANDIT_SEEDS):
    axes[0].loglog(lam_bandit, pulls[:, i], ".", color="tab:blue", alpha=0.3)
axes[0].loglog(lam_bandit, lam_bandit * np.log(1 / DELTA) * pulls.mean() / (lam_bandit * np.log(1 / DELTA)).mean(),
               "k:", label="slope 1")
axes[0].xaxis.set_minor_formatter(plt.NullFormatter())
axes[0].set_xlabel("Lambda = 2 / Delta^2"), axes[0].set_ylabel("oracle calls"), axes[0].set_title("H = 1: a bandit")
axes[0].legend(fontsize=8)
slope_g = np.polyfit(np.log(lam_garnet), np.log(calls_garnet), 1)[0]
axes[1].loglog(lam_garnet, calls_garnet, "o", label=f"{N_GARNETS} Garnets (log-log slope {slope_g:.2f})")
axes[1].set_xlabel("Lambda = sum_a 1/max(Delta_a, eps)^2"), axes[1].set_ylabel("oracle calls")
axes[1].set_title(f"Garnets, eps = {EPS}, H = {horizon_from_accuracy(EPS, 0.7)}"), axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# On the bandit the number of pulls is proportional to `Lambda` (slope close to 1, up to the `log log` of the
# thresholds). On Garnets the root term explains much of the spread, not all of it: the bound also has gaps
# *inside* the tree, which `Lambda` ignores. Sparse Sampling, for comparison, makes
# `tree_search.sparse_sampling_calls(K, C, H)` calls on every instance: with `C = 10` samples per node, already
# `5 * 10 = 50` calls at the root and `50^8 ≈ 4e13` at depth 8.
#
# ## 4. A fixed budget
#
# With a budget of `n` calls instead of an accuracy, MDP-GapE splits the budget as OLOP does (`M` trajectories
# of depth `L`, `tree_search.olop_allocation`), runs with `eps = 0` and recommends UGapE's best action. The
# paper's Figure 2 compares the *simple regret* `Q*(a*) - Q*(a_hat)` against UCT, KL-OLOP and BRUE. The ground
# truth is the official scripts': 9 Bellman iterations, `q_star(model, 9)`.

# %%
planners = {"MDP-GapE": tree_search.mdp_gape_budget, "UCT": tree_search.uct, "KL-OLOP": tree_search.kl_olop,
            "BRUE": tree_search.brue}
regret = {name: np.zeros((N_GARNETS, len(BUDGETS))) for name in planners}
for i in range(N_GARNETS):
    g = LazyGarnet(S=S, K=5, B=2, gamma=0.7, seed=100 + i)
    q9 = q_star(g, 9)
    for j, n in enumerate(BUDGETS):
        for name, planner in planners.items():
            a = planner(GenerativeOracle(g, budget=n), rng=1000 * i + j).action
            regret[name][i, j] = q9.max() - q9[a]

fig, ax = plt.subplots(figsize=(7, 4))
for name, r in regret.items():
    mean, se = r.mean(axis=0), r.std(axis=0, ddof=1) / np.sqrt(N_GARNETS)
    ax.errorbar(BUDGETS, mean, yerr=se, marker="o", capsize=3, label=name)
ax.set_xscale("log"), ax.set_xlabel("budget n (oracle calls)"), ax.set_ylabel("mean simple regret")
ax.set_title(f"{N_GARNETS} Garnets (S = {S:,}), one run each; bars: standard errors"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# With the quick settings the curves are noisy (a dozen instances); `MDPTHEORY_FULL=1` runs more instances and a
# larger budget. The claim `mdpgape-fixed-budget` (`mdptheory verify --quick mdpgape-fixed-budget`) tests the
# paper's statement at the largest budget with paired t-tests.
#
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — the planning depth.** The depth derived from the accuracy is the smallest `H` with
# `gamma^H / (1 - gamma) <= eps / 2` (the rewards beyond `H` cannot change a decision by more than `eps / 2`).
# Compute it for `eps = 0.2`, `gamma = 0.8` (an integer).

# %%
answer_1 = ...   # an integer

# %% tags=["solution"]
if answer_1 is ...:
    answer_1 = next(h for h in range(1, 1000) if 0.8**h / (1 - 0.8) <= 0.2 / 2)

# %% tags=["check"]
assert answer_1 == horizon_from_accuracy(0.2, 0.8), f"H = {answer_1} is not the smallest depth with a small tail"
assert 0.8**answer_1 / 0.2 <= 0.1 < 0.8 ** (answer_1 - 1) / 0.2
print(f"correct: H = {answer_1}")

# %% [markdown]
# **Exercise 2 — the gap complexity.** For root values `Q* = (1.2, 1.0, 0.7)` and `eps = 0.1`, compute
# `Lambda = sum_a 1 / max(Delta_a, eps)^2`, where `Delta_a = Q*(a*) - Q*(a)` for `a != a*` and the best action's
# gap is its margin over the runner-up (a float).

# %%
answer_2 = ...   # a float

# %% tags=["solution"]
if answer_2 is ...:
    answer_2 = 1 / 0.2**2 + 1 / 0.2**2 + 1 / 0.5**2

# %% tags=["check"]
assert np.isclose(answer_2, gap_complexity([1.2, 1.0, 0.7], 0.1)), f"Lambda = {answer_2} is not right"
print(f"correct: Lambda = {answer_2:g}; the two close actions contribute {2 / 0.2**2:g} of it")

# %% [markdown]
# **Exercise 3 — the stopping rule by hand.** From the final root bounds of section 1's run, `run.root_upper` and
# `run.root_lower`, compute UGapE's best candidate `b = argmin_a max_{a' != a} U(a') - L(a)` and its challenger
# `c = argmax_{a != b} U(a)` (lowest index on ties), and the statistic `U(c) - L(b)`. Give `(b, c, statistic)`.

# %%
answer_3 = ...   # a tuple (int, int, float)

# %% tags=["solution"]
if answer_3 is ...:
    Uf, Lf = run.root_upper, run.root_lower
    index = [max(np.delete(Uf, a)) - Lf[a] for a in range(len(Uf))]
    b = int(np.argmin(index))
    c = int(np.argmax(np.where(np.arange(len(Uf)) == b, -np.inf, Uf)))
    answer_3 = (b, c, float(Uf[c] - Lf[b]))

# %% tags=["check"]
b3, c3, stat3 = answer_3
assert b3 == run.action, f"b = {b3}, but the run recommended {run.action}"
assert c3 == run.extra["challenger"], f"c = {c3} is not the run's challenger"
assert np.isclose(stat3, run.extra["stopping_gap"]), f"the statistic {stat3} is not U(c) - L(b)"
assert stat3 <= EPS, "then the run would not have stopped"
print(f"correct: b = {b3}, c = {c3}, U(c) - L(b) = {stat3:.4f} <= eps = {EPS}")

# %% [markdown]
# **Exercise 4 — Sparse Sampling's price.** Sparse Sampling samples each action `C` times at every node down to
# depth `H`, and every sample gets its own subtree (no merging). How many oracle calls does it make with `K = 3`
# actions, `C = 2`, `H = 4`? (an integer; the check runs it)

# %%
answer_4 = ...   # an integer

# %% tags=["solution"]
if answer_4 is ...:
    answer_4 = sum((3 * 2) ** (d + 1) for d in range(4))

# %% tags=["check"]
small = LazyGarnet(S=1000, K=3, B=2, gamma=0.7, seed=0)
ss = tree_search.sparse_sampling(GenerativeOracle(small), H=4, C=2, merge=False, rng=0)
assert answer_4 == ss.calls, f"{answer_4} calls; Sparse Sampling made {ss.calls}"
print(f"correct: {answer_4} calls, whatever the gaps (MDP-GapE's bandit needed {pulls[0].mean():.0f} pulls on "
      f"average at Delta = {BANDIT_GAPS[0]}, with delta = {DELTA} and eps = 0)")
