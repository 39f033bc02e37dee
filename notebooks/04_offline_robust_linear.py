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
# # Offline robust RL with linear features: R2PVI against PEVI
#
# **The idea.** An offline learner gets a fixed dataset, collected once in a *source* environment, and must
# output a policy that will be deployed in a *target* environment that may differ. Two ideas combine:
#
# * **pessimism** (PEVI, Jin et al. 2021): subtract a bonus `Gamma_h(s, a) = beta ||phi(s, a)||_{Lambda_h^-1}`
#   where the data are thin, so that the learner never trusts what it has not seen;
# * **robustness** (R2PVI, Tang, Liu & Xu 2025): plan against a nature that may move the next-state factors of
#   a d-rectangular linear MDP, paying `lam` times a divergence (TV, KL or chi-square); small `lam` means a
#   strong nature.
#
# What you will see: the paper's 5-state simulated linear MDP, the value of learned policies as the target
# drifts from the source (the *perturbation curves*), the role of `lam`, and the role of data coverage: how
# the robust suboptimality falls with the dataset size `K` when the behaviour policy covers the good actions
# and when it does not. Every value is exact (policy evaluation in the target model), not a Monte-Carlo mean.
#
# Guide: `docs/offline.md`. Quick settings by default; `MDPTHEORY_FULL=1` selects the paper's 20 replications.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import solvers
from mdptheory import KL, TV, ChiSquare
from mdptheory.envs import simulated_linear_mdp
from mdptheory.offline import collect, collect_counts, replication_rng

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
REPLICATIONS = 20 if FULL else 6
QS = np.round(np.linspace(0, 1, 11), 10)             # target perturbations q
K_GRID = [10, 30, 100, 300, 1_000, 10_000, 100_000] if FULL else [10, 100, 1_000, 100_000]
HYPER = dict(beta=1.0, ridge=0.1)                    # as the paper's code

# %% [markdown]
# ## 1. The perturbation curves (the paper's Figure 1(a))
#
# The source model: 5 states (`x1` start, `x4` a fail state, `x5` the goal), 16 actions `a in {-1, 1}^4`,
# `d = 4` features, `H = 3`. The target `simulated_linear_mdp(q=q)` moves probability `q` of the goal jump at
# the first stage onto the fail state. Each replication draws `K = 100` trajectories of the uniform behaviour
# policy in the source, trains PEVI and R2PVI (`lam = 0.1`) with each divergence, and evaluates the learned
# policies exactly in every target.

# %%
source = simulated_linear_mdp()
targets = [simulated_linear_mdp(q=q).to_tabular() for q in QS]


def in_targets(policy):
    """Exact expected return from x1 of `policy` in each target environment."""
    return np.array([solvers.policy_evaluation(target, policy).V[0, 0] for target in targets])


def learners(data, lam, model=source):
    out = {"PEVI": solvers.pevi(data, **HYPER)}
    for name in ("tv", "kl", "chi2"):
        out[f"R2PVI-{name.upper()}"] = solvers.r2pvi(data, divergence=name, lam=lam, theta=model.theta, **HYPER)
    return out


curves = {}
for rep in range(REPLICATIONS):
    data = collect(source, K=100, behaviour="uniform", rng=replication_rng(seed=1, replication=rep))
    for name, fit in learners(data, lam=0.1).items():
        curves.setdefault(name, []).append(in_targets(fit.policy))
curves = {name: np.array(v) for name, v in curves.items()}

fig, ax = plt.subplots(figsize=(6.5, 4))
for name, v in curves.items():
    ax.plot(QS, v.mean(0), "o-", ms=4, label=name)
    ax.fill_between(QS, v.mean(0) - v.std(0), v.mean(0) + v.std(0), alpha=0.12)
ax.plot(QS, [solvers.backward_induction(t).V[0, 0] for t in targets], "k:", label="optimal in the target")
ax.set_xlabel("perturbation q of the target"), ax.set_ylabel("value of the learned policy")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# PEVI is best when the target equals the source (`q = 0`) and loses the most as `q` grows; the robust
# learners give up some nominal value for a flatter curve, TV the most. The ordering of the slopes follows
# how strong each regularized nature is at the same `lam`.
#
# ## 2. The role of `lam`
#
# `lam` prices nature's moves: `lam -> inf` gives back the non-robust (pessimistic) learner, small `lam` a very
# cautious one. R2PVI-TV on the model with a wider action effect (`||xi||_1 = 0.3`, Figure 1(b)):

# %%
source_03 = simulated_linear_mdp(xi_norm=0.3)
targets_03 = [simulated_linear_mdp(xi_norm=0.3, q=q).to_tabular() for q in QS]


def tv_curve(lam):
    """Mean over replications of R2PVI-TV's value in every target, at this lam."""
    v = []
    for rep in range(REPLICATIONS):
        data = collect(source_03, K=100, behaviour="uniform", rng=replication_rng(seed=2, replication=rep))
        fit = solvers.r2pvi(data, divergence="tv", lam=lam, theta=source_03.theta, **HYPER)
        v.append([solvers.policy_evaluation(t, fit.policy).V[0, 0] for t in targets_03])
    return np.mean(v, axis=0)


lam_grid = np.logspace(-1, 0.5, 16 if FULL else 8)
by_lam = np.array([tv_curve(lam) for lam in lam_grid])
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for lam, curve in zip(lam_grid[::2], by_lam[::2]):
    axes[0].plot(QS, curve, "o-", ms=3, label=f"lam = {lam:.2f}")
axes[0].set_xlabel("perturbation q"), axes[0].set_ylabel("value of the learned policy"), axes[0].legend(fontsize=7)
for i, color in ((0, "tab:blue"), (9, "tab:red")):
    axes[1].semilogx(lam_grid, by_lam[:, i], "o-", color=color, label=f"in the target q = {QS[i]:g}")
axes[1].set_xlabel("lam"), axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# For TV the regularized nature is all or nothing on this model: below a threshold of `lam` the learner plays
# the cautious action, whose value does not depend on `q`; above it (once `lam` exceeds the span of the
# values, where TV's penalty makes every move too expensive) it plays the nominal optimum, best at `q = 0` and
# worst at `q = 1`. KL and chi-square move between the two smoothly.

# %% [markdown]
# ## 3. The role of data coverage
#
# Pessimism protects against what the data do not show, and the price is paid where coverage is poor. Compare
# the uniform behaviour policy with a skewed one that plays action 0 nine times out of ten. The bars count how
# often each action was tried at the start state in `K = 100` trajectories.

# %%
skewed = np.full((source.H, source.S, source.A), 0.1 / (source.A - 1))
skewed[..., 0] = 0.9
fig, axes = plt.subplots(1, 2, figsize=(11, 3), sharey=True)
for ax, (name, behaviour) in zip(axes, (("uniform", "uniform"), ("skewed", skewed))):
    data = collect(source, K=100, behaviour=behaviour, rng=3)
    first = data.step(0)
    ax.bar(np.arange(source.A), np.bincount(data.a[first], minlength=source.A))
    ax.set_title(f"{name} behaviour: actions tried at x1"), ax.set_xlabel("action (15 = (1, 1, 1, 1))")
plt.show()

# %% [markdown]
# The quantity the theorems bound is the *robust suboptimality* of the learned policy `pi_hat`,
# `SubOpt = V^{lam,*}_1(x1) - V^{lam, pi_hat}_1(x1)`, both computed exactly by robust dynamic programming on the
# source model. `collect_counts` draws the same law of data as `collect`, summarised as counts, so a dataset of
# `10^5` trajectories costs no more than one of 10.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, (div, U) in zip(axes, (("tv", TV(lam=0.3)), ("kl", KL(lam=0.3)))):
    v_opt = solvers.robust_backward_induction(source, U).V[0, 0]
    for name, behaviour in (("uniform", "uniform"), ("skewed", skewed)):
        subopt = []
        for K in K_GRID:
            s = []
            for rep in range(REPLICATIONS):
                data = collect_counts(source, K, behaviour, rng=replication_rng(seed=4, replication=rep))
                fit = solvers.r2pvi(data, divergence=div, lam=0.3, theta=source.theta, **HYPER)
                s.append(v_opt - solvers.robust_policy_evaluation(source, fit.policy, U).V[0, 0])
            subopt.append(np.mean(s))
        ax.semilogx(K_GRID, subopt, "o-", label=f"{name} behaviour")
    ax.set_title(f"R2PVI-{div.upper()}, lam = 0.3"), ax.set_xlabel("trajectories K"), ax.legend(fontsize=8)
axes[0].set_ylabel("robust SubOpt (exact)")
plt.show()

# %% [markdown]
# With good coverage the suboptimality vanishes after a few hundred trajectories; with the skewed behaviour
# the same learner needs an order of magnitude more data, because the good actions' features are rarely seen
# and their bonus stays large. (TV at `lam = 0.3` is a weak test: nature is strong enough there that most
# policies are nearly equally good.)
#
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — the pessimism bonus.** R2PVI's bonus is `Gamma_h(s, a) = beta sum_i phi_i(s, a)
# sqrt([Lambda_h^-1]_ii)`; the result keeps the diagonal of each `Lambda_h^-1` as `fit1.inv_diag (H, d)`. For the
# fit below (`beta = 0.5`), compute the whole bonus table `(H, S, A)` from `source.phi (S, A, d)` and
# `fit1.inv_diag`.

# %%
data1 = collect(source, K=100, behaviour="uniform", rng=5)
fit1 = solvers.r2pvi(data1, divergence="kl", lam=0.3, theta=source.theta, beta=0.5, ridge=0.1)
answer_1 = ...   # an array (H, S, A)

# %% tags=["solution"]
if answer_1 is ...:
    answer_1 = 0.5 * np.einsum("sai,hi->hsa", source.phi, np.sqrt(fit1.inv_diag))

# %% tags=["check"]
assert np.shape(answer_1) == fit1.bonus.shape, f"shape {np.shape(answer_1)}, expected {fit1.bonus.shape}"
assert np.allclose(answer_1, fit1.bonus, rtol=1e-12, atol=0), "not R2PVI's bonus"
print("correct; the largest bonus is on the action", int(np.argmax(answer_1[0, 0])), "at x1 (the rarest features)")

# %% [markdown]
# **Exercise 2 — robust suboptimality.** For `fit1` (KL, `lam = 0.3`), compute its robust suboptimality from
# the start state, `V^{lam,*}_1(x1) - V^{lam, pi_hat}_1(x1)`, with `solvers.robust_backward_induction` (it
# optimizes without `policy=` and evaluates with it).

# %%
answer_2 = ...   # a float >= 0

# %% tags=["solution"]
if answer_2 is ...:
    best = solvers.robust_backward_induction(source, KL(lam=0.3)).V[0, 0]
    answer_2 = float(best - solvers.robust_backward_induction(source, KL(lam=0.3), policy=fit1.policy).V[0, 0])

# %% tags=["check"]
# the same quantity through the other entry point, on the tabular model with a d-rectangular nature
v_star = solvers.robust_backward_induction(source, KL(lam=0.3), rect="d").V[0, 0]
v_hat = solvers.robust_policy_evaluation(source, fit1.policy, KL(lam=0.3)).V[0, 0]
assert abs(answer_2 - (v_star - v_hat)) <= 1e-10, f"{answer_2} is not the robust suboptimality"
print(f"correct: SubOpt = {answer_2:.4f} (robust optimum {v_star:.4f})")

# %% [markdown]
# **Exercise 3 — where does robustness start to pay?** From the perturbation curves `curves` of section 1 (a
# dict of arrays `(replications, len(QS))`), find the smallest `q` in `QS` at which R2PVI-TV's mean value is
# higher than PEVI's.

# %%
answer_3 = ...   # an element of QS

# %% tags=["solution"]
if answer_3 is ...:
    answer_3 = float(QS[np.argmax(curves["R2PVI-TV"].mean(0) > curves["PEVI"].mean(0))])

# %% tags=["check"]
mean_tv, mean_pevi = curves["R2PVI-TV"].mean(0), curves["PEVI"].mean(0)
wins = [q for q, a, b in zip(QS, mean_tv, mean_pevi) if a > b]
assert wins, "R2PVI-TV never beats PEVI on these replications"
assert np.isclose(answer_3, wins[0]), f"q = {answer_3} is not the first q where R2PVI-TV is ahead"
print(f"correct: from q = {answer_3:g} on, the robust learner is ahead")
