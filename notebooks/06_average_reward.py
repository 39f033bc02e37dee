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
# # Average reward: gains, mixing times and a sample-efficient estimator
#
# **The idea.** Without discounting, a policy is judged by its long-run *gain* `g = lim (1/T) E[sum_t r_t]`,
# and the *bias* `h` says how much better it is to start here rather than there: `g + h = r_pi + P_pi h`. How
# hard an average-reward problem is to solve *from samples* is governed by how fast the chains mix
# (`t_mix`, `t_minorize`): the bias span is at most of the order of the mixing time, and a discounted problem
# with `1 - gamma ~ eps / t` approximates the average-reward one to `eps`. Wang, Blanchet & Glynn (2024)
# turn this reduction into an estimator whose error falls like `n^(-1/2)` in the number of samples per pair.
#
# What you will see: relative value iteration's certified gain interval closing (and why it needs the
# aperiodicity transform), mixing and minorization times read off a picture of `P^t`, the bias growing with
# the mixing time, and the estimator's error rate against the Jin-Sidford reduction.
#
# Guide: `docs/average_reward.md`. Quick settings by default; `MDPTHEORY_FULL=1` selects the full ones.

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np

import solvers
from mdptheory import FiniteMDP
from mdptheory.envs import garnet, two_state_escape
from mdptheory.markov import minorization, stationary_distribution, t_minorize, t_mix, tv_to_stationarity
from mdptheory.structure import policy_chain
from solvers.average_reward.estimator import (GenerativeSampler, amdp_estimator, epsilon_for_samples,
                                              jin_sidford_epsilon, jin_sidford_reduction)

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
SEEDS = 40 if FULL else 12
K = 4500.0                                   # the experiments' constant standing in for the theory's (see below)
N_EXPONENTS = np.linspace(0, 3, 13 if FULL else 7)

# %% [markdown]
# ## 1. The certified gain interval
#
# `solvers.relative_value_iteration` iterates `V <- T V - (T V)(ref)` and brackets the optimal gain:
# with `d = T V - V`, `min d <= g* <= max d` (Puterman, Theorem 8.5.5). It stops when the interval is narrower
# than `2 tol`. On a periodic chain `d` oscillates and the interval never closes, so the planner runs on the
# *aperiodicity transform* `tau P + (1 - tau) I`, which has the same gains and no periodic chain.

# %%
mdp = garnet(30, 3, 4, rng=0, gamma=None)      # an average-reward model: gamma=None
rvi = solvers.relative_value_iteration(mdp, tol=1e-8, trace=True)
print(rvi.message)

flip = FiniteMDP(np.array([[[0.0, 1.0]], [[1.0, 0.0]]]), np.array([[1.0], [0.0]]), gamma=None)  # a 2-cycle
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
k = np.arange(len(rvi.trace["gain_lower"]))
axes[0].fill_between(k, rvi.trace["gain_lower"], rvi.trace["gain_upper"], alpha=0.3, label="[min d, max d]")
axes[0].axhline(rvi.gain, color="k", ls=":", label="g*")
axes[0].set_ylim(rvi.gain - 0.3, rvi.gain + 0.3)
axes[0].set_title("Garnet(30, 3): the gain interval"), axes[0].set_xlabel("sweep"), axes[0].legend(fontsize=8)
for tau, style in ((1.0, "r-"), (0.5, "b-")):
    with warnings.catch_warnings():          # tau = 1 stops at max_iter, as it should: silence the warning
        warnings.simplefilter("ignore", solvers.ConvergenceWarning)
        res = solvers.relative_value_iteration(flip, tol=1e-8, tau=tau, trace=True, max_iter=40)
    width = np.asarray(res.trace["gain_upper"]) - np.asarray(res.trace["gain_lower"])
    axes[1].semilogy(np.maximum(width, 1e-16), style, label=f"tau = {tau:g}" + (" (no transform)" if tau == 1 else ""))
axes[1].set_title("a periodic 2-cycle: interval width"), axes[1].set_xlabel("sweep"), axes[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 2. Mixing and minorization, on a picture
#
# For a policy's chain `P`, `t_mix` is the first `t` at which every row of `P^t` is within total variation
# 1/4 of the stationary law; `t_minorize` comes from the best *minorization* `P^m(s, .) >= p nu(.)` for every
# `s`, `t_minorize = m / p`. The two-state escape family of the estimator's experiments leaves state 0
# (reward 1) with probability about `p` and comes back with probability `p`: both times grow like `1/p`.

# %%
P, r = policy_chain(two_state_escape(0.05), np.array([0, 0]))
eta = stationary_distribution(P)
ts = np.arange(0, 40)
tv = [tv_to_stationarity(np.linalg.matrix_power(P, t), eta) for t in ts]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
axes[0].plot(ts, tv, "o-", ms=3, label="max_s TV(P^t(s, .), eta)")
axes[0].axhline(0.25, color="gray", ls=":", label="1/4")
axes[0].axvline(t_mix(P), color="r", ls="--", label=f"t_mix = {t_mix(P):g}")
axes[0].set_xlabel("t"), axes[0].legend(fontsize=8), axes[0].set_title("two-state escape, p = 0.05")

ps = np.logspace(-3, -0.5, 12)
rows = []
for p in ps:
    m = two_state_escape(p)
    Pp, rp = policy_chain(m, np.array([0, 0]))
    ev = solvers.average_reward_evaluation(m, np.array([0, 0]))
    rows.append((t_mix(Pp), t_minorize(Pp), ev.span))
rows = np.array(rows)
for j, label in enumerate(("t_mix", "t_minorize", "span of the bias h")):
    axes[1].loglog(1 / ps, rows[:, j], "o-", ms=3, label=label)
axes[1].set_xlabel("1 / p"), axes[1].legend(fontsize=8), axes[1].set_title("all of order 1/p")
plt.show()
print("minorization (t, m, p) at p = 0.05:", minorization(P))

# %% [markdown]
# `span(h) <= 8 t_mix` holds for every policy (the suite checks it as the claim `avgreward-span-tmix`); the
# plot shows the three quantities moving together.
#
# ## 3. The estimator: from samples to the optimal gain
#
# Algorithm 4.1 of Wang, Blanchet & Glynn (2024): given an upper bound `t` on `t_minorize` and a target
# accuracy `eps`, solve the discounted problem with `gamma = 1 - eps / (19 t)` on an empirical model built
# from `n` generative samples per state-action pair (rewards perturbed by a small uniform noise, which makes
# the optimal policy unique), and report `alpha_hat = (1 - gamma) mu0 . V_hat`.
#
# Its theorem needs `n ~ t / eps^2` samples; the Jin-Sidford reduction, the same planner with its own discount,
# needs `n ~ t / eps^3`. Read backwards, a budget of `n` samples buys the accuracy `eps = sqrt(K t / n)` for the
# first and `eps = (K t / n)^(1/3)` for the second (`K` a constant standing in for the theorem's). This is the
# paper's Figure 1(a): the error `|alpha_hat - alpha*|` against `n`, mean over seeds, on the two-state escape
# model with `p = 0.05` (`t_minorize = 10`).

# %%
model = two_state_escape(0.05)
alpha_star = solvers.average_reward_evaluation(model, solvers.average_reward_policy_iteration(model).policy).gain
t_bound = t_minorize(policy_chain(model, np.array([0, 0]))[0])
n_grid = (K * t_bound * 10**N_EXPONENTS).astype(int)
methods = {"Wang-Blanchet-Glynn": (amdp_estimator, epsilon_for_samples),
           "Jin-Sidford": (jin_sidford_reduction, jin_sidford_epsilon)}
errors = {name: [] for name in methods}
for n in n_grid:
    for name, (method, accuracy) in methods.items():
        eps_n = accuracy(n, t_bound, K)
        errs = [abs(method(GenerativeSampler(model, rng=seed), eps=eps_n, t=t_bound, n=int(n), rng=1000 + seed).alpha_hat
                    - alpha_star) for seed in range(SEEDS)]
        errors[name].append(np.mean(errs))

fig, ax = plt.subplots(figsize=(6, 4))
for name, errs in errors.items():
    slope = np.polyfit(np.log(n_grid), np.log(errs), 1)[0]
    ax.loglog(n_grid, errs, "o-", label=f"{name} (fitted slope {slope:.2f})")
ax.loglog(n_grid, errors["Wang-Blanchet-Glynn"][0] * np.sqrt(n_grid[0] / n_grid), "k:", label="n^(-1/2)")
ax.loglog(n_grid, errors["Jin-Sidford"][0] * np.cbrt(n_grid[0] / n_grid), "k--", lw=0.8, label="n^(-1/3)")
ax.set_xlabel("samples per state-action pair n"), ax.set_ylabel("|alpha_hat - alpha*|"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The error is dominated by the discounting bias `(1 - gamma) h*(s_0)`, of order `(1 - gamma) t = eps / 19`: the
# better sample-size form buys a smaller `eps`, hence the steeper slope. (The suite's claims
# `amdp-rate-estimator` and `amdp-rate-reduction` test the two slopes with bootstrap intervals.)
#
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — the gain from the stationary law.** For the policy "always action 0" on
# `two_state_escape(0.1)`, compute its gain as the stationary distribution of its chain dotted with its
# rewards. Use only NumPy on `P1, r1` below (hint: the left eigenvector of `P1` for the eigenvalue 1).

# %%
P1, r1 = policy_chain(two_state_escape(0.1), np.array([0, 0]))
answer_1 = ...   # a float

# %% tags=["solution"]
if answer_1 is ...:
    w, vecs = np.linalg.eig(P1.T)
    pi1 = np.real(vecs[:, np.argmin(np.abs(w - 1))])
    answer_1 = float((pi1 / pi1.sum()) @ r1)

# %% tags=["check"]
expected_1 = solvers.average_reward_evaluation(two_state_escape(0.1), np.array([0, 0])).gain
assert abs(answer_1 - expected_1) <= 1e-10, f"{answer_1} is not the gain"
print(f"correct: g = {answer_1:.6f}")

# %% [markdown]
# **Exercise 2 — `t_mix` by matrix powers.** For the chain `P1` of exercise 1, find the smallest `t >= 1`
# with `max_s TV(P1^t(s, .), eta) <= 1/4` (TV is half the L1 distance) by computing the powers yourself.

# %%
answer_2 = ...   # an integer

# %% tags=["solution"]
if answer_2 is ...:
    eta1 = stationary_distribution(P1)
    Pt, answer_2 = P1.copy(), 1
    while 0.5 * np.abs(Pt - eta1).sum(axis=1).max() > 0.25:
        Pt, answer_2 = Pt @ P1, answer_2 + 1

# %% tags=["check"]
expected_2 = t_mix(P1)
assert answer_2 == expected_2, f"t = {answer_2} is not the mixing time"
print(f"correct: t_mix = {answer_2}; t_minorize = {t_minorize(P1):g}")

# %% [markdown]
# **Exercise 3 — the discounting bias.** The reduction rests on `(1 - gamma) V*_gamma ≈ g*` when `1 - gamma` is
# small compared with `1 / t_minorize`. For `model` (`p = 0.05`) and the estimator's discount
# `gamma = 1 - 0.5 / (19 t_bound)` (the discount for `eps = 0.5`), compute `(1 - gamma) V*_gamma(0) - alpha*` exactly, with the discounted
# planners (`model.with_gamma(gamma)` makes the discounted model).

# %%
answer_3 = ...   # a float

# %% tags=["solution"]
if answer_3 is ...:
    gamma3 = 1 - 0.5 / (19 * t_bound)
    answer_3 = float((1 - gamma3) * solvers.policy_iteration(model.with_gamma(gamma3), tol=1e-9).V[0] - alpha_star)

# %% tags=["check"]
gamma3 = 1 - 0.5 / (19 * t_bound)
v_gamma = solvers.value_iteration(model.with_gamma(gamma3), tol=1e-9).V[0]
expected_3 = (1 - gamma3) * v_gamma - alpha_star
assert abs(answer_3 - expected_3) <= 1e-9, f"{answer_3} is not the discounting bias"
assert abs(answer_3) <= 9 * (1 - gamma3) * t_bound          # the reduction lemma (claim amdp-reduction-lemma)
print(f"correct: bias {answer_3:.2e}, within the lemma's 9 (1 - gamma) t_minorize = {9 * (1 - gamma3) * t_bound:.2e}")
