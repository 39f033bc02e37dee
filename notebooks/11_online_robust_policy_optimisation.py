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
# # Online robust policy optimisation: a KL-regularised robust objective, learnt by mirror descent
#
# **The idea.** A robust agent maximises its value against the worst transition model in an uncertainty set
# around the nominal one. DR-RPO (Gu, He, Liu & Xu 2025) adds a second constraint, on the *policy*: it pays
# `tau KL(pi(.|s) || pi_ref(.|s))` at every visited state for moving away from a reference policy. The optimum of
# this doubly regularised objective is a *Gibbs* policy, `pi*(a|s) ∝ pi_ref(a|s) exp(Q*(s, a) / tau)`: greedy as
# `tau -> 0`, the reference as `tau -> infinity`. DR-RPO learns it online, in the nominal environment, with
# softmax policies updated by KL mirror descent on optimistic robust Q estimates (linear features, an
# upper-confidence bonus), with sublinear regret.
#
# What you will see: the regularised robust optimum moving from the greedy policy to the reference as `tau`
# grows, with the exact price of regularisation and its bound; DR-RPO's exact regret and its policy converging
# to the Gibbs optimum; the role of the mirror-descent step `eta`.
#
# Guide: `docs/drrpo.md`. **Only the paper's abstract could be read**: the objective, the update and every
# constant are the suite's reconstruction, named parameters, and the guide says which. Quick settings by
# default; `MDPTHEORY_FULL=1` selects the full ones.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from mdptheory.envs import simulated_linear_mdp
from mdptheory.uncertainty import make
from solvers.robust import policy_regularized_dp, policy_regularized_evaluation
from solvers.robust_online import DRRPO, RobustRegretOracle

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
SEEDS = 10 if FULL else 3
EPISODES = 1000 if FULL else 300
ETAS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0) if FULL else (0.5, 2.0, 8.0)
TAUS = np.geomspace(0.01, 10, 25 if FULL else 13)

# %% [markdown]
# ## 1. The regularised robust optimum
#
# The 5-state d-rectangular linear MDP of the R2PVI paper (`S = 5`, `A = 16`, `d = 4`, `H = 3`), TV balls of
# radius `rho` per factor, and a non-uniform reference policy (half uniform, half a Dirichlet draw, as in the
# suite's experiments). `policy_regularized_dp` is exact backward induction: nature's worst case per factor, then
# the Gibbs stage optimum `V*(s) = tau log sum_a pi_ref(a|s) exp(Q*(s, a) / tau)`.

# %%
env = simulated_linear_mdp()
H, S, A = env.H, env.S, env.A
reference = 0.5 / A + 0.5 * np.random.default_rng([0, 4242]).dirichlet(np.ones(A), size=(H, S))
TV = make("tv", rho=0.2)
s0 = int(np.argmax(env.mu0))

optima = {tau: policy_regularized_dp(env, TV, tau=tau, reference=reference) for tau in TAUS}
unreg = policy_regularized_dp(env, TV, tau=0.0, reference=reference)
# the bound on the price of regularisation: tau sum_h max_s log(1 / pi_ref(greedy action))
greedy = unreg.extra["greedy"]
log_inv_ref = -np.log(np.take_along_axis(reference, greedy[..., None], axis=-1)[..., 0])      # (H, S)
price_bound = TAUS * log_inv_ref.max(axis=1).sum()

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
by_rho = {rho: [policy_regularized_dp(env, make("tv", rho=rho), tau=t, reference=reference).V[0, s0] for t in TAUS]
          for rho in (0.0, 0.2, 0.4)}
for (rho, values), style in zip(by_rho.items(), (":", "-", "--")):
    axes[0].semilogx(TAUS, values, style, color="tab:red", label=f"V*_tau, rho = {rho}")
axes[0].semilogx(TAUS, unreg.V[0, s0] - price_bound, color="k", lw=0.8, label="V*_0 - price bound (rho = 0.2)")
ref_value = [policy_regularized_evaluation(env, reference, TV, tau=t, reference=reference).V[0, s0] for t in TAUS]
axes[0].semilogx(TAUS, ref_value, color="tab:gray", label="the reference policy (rho = 0.2)")
axes[0].set_ylim(min(by_rho[0.4]) - 0.1, max(by_rho[0.0]) + 0.1)
axes[0].set_xlabel("tau"), axes[0].set_ylabel("value at the start state"), axes[0].legend(fontsize=8)
axes[0].set_title("the regularised robust value")
shown = TAUS[::3]
probs = np.array([optima[t].policy[0, s0] for t in shown] + [reference[0, s0]])
bottom = np.zeros(len(probs))
colors = plt.cm.tab20(np.arange(A) % 20)
for a in range(A):
    axes[1].bar(np.arange(len(probs)), probs[:, a], bottom=bottom, color=colors[a])
    bottom += probs[:, a]
axes[1].set_xticks(np.arange(len(probs)), [f"{t:.2g}" for t in shown] + ["pi_ref"])
axes[1].set_xlabel("tau"), axes[1].set_ylabel("pi*_tau(a | s_1) (16 actions)")
axes[1].set_title("the Gibbs policy at the start state")
fig.tight_layout()
plt.show()

# %% [markdown]
# As `tau` grows the optimum trades value for closeness to the reference: from the unregularised robust optimum
# (one action) to the reference itself, whose value then differs from the optimum by the vanishing `tau KL`
# term. The price of regularisation stays below its bound `tau sum_h max_s log(1 / pi_ref(a*_h(s) | s))` (the
# value of the greedy policy under the regularised objective). Larger radii `rho` lower every value: nature has
# more room.
#
# ## 2. Learning it online
#
# DR-RPO plays its softmax policy `pi^k ∝ pi_ref exp(phi . W^k)` in the *nominal* environment, estimates an
# optimistic robust `Q^k` from all its data (ridge regression per factor, the d-rectangular TV dual, an `l1`
# bonus), and takes a mirror-descent step `W <- (W + eta w^k) / (1 + eta tau)`. `RobustRegretOracle` computes
# each episode's exact regret `V*_tau - V^{pi_k}_tau`. We also record how far the policy at the start state is
# from the Gibbs optimum.

# %%
TAU, BETA = 0.1, 2.0
oracle = RobustRegretOracle(env, TV, tau=TAU, reference=reference)
target = oracle.optimum[2][0, s0]


def learn(eta: float, seed: int, episodes: int = EPISODES):
    agent = DRRPO.for_model(env, rho=0.2, tau=TAU, eta=eta, reference=reference, beta=BETA, rng=seed)
    rng = np.random.default_rng(seed)
    regret, distance = [], []
    for _ in range(episodes):
        pi = agent.policy()
        regret.append(oracle.v_star - oracle.value(pi))
        distance.append(0.5 * np.abs(pi[0, s0] - target).sum())
        agent.update(oracle.play(pi, rng))
    return np.cumsum(regret), np.array(distance)


runs = {eta: [learn(eta, seed) for seed in range(SEEDS)] for eta in ETAS}
k = np.arange(1, EPISODES + 1)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for eta, color in zip(ETAS, plt.cm.viridis(np.linspace(0, 0.9, len(ETAS)))):
    reg = np.array([r for r, _ in runs[eta]])
    dist = np.array([d for _, d in runs[eta]])
    axes[0].plot(k, reg.mean(axis=0), color=color, label=f"eta = {eta:g}")
    axes[1].semilogy(k, dist.mean(axis=0), color=color, label=f"eta = {eta:g}")
best = np.array([r for r, _ in runs[ETAS[-1]]]).mean(axis=0)
axes[0].plot(k, best[-1] * np.sqrt(k / EPISODES), "k:", label="sqrt(K) shape")
axes[0].set_xlabel("episodes K"), axes[0].set_ylabel("cumulative regret (exact)"), axes[0].legend(fontsize=8)
axes[0].set_title(f"DR-RPO, tau = {TAU}, rho = 0.2, {SEEDS} seeds (mean)")
axes[1].set_xlabel("episode"), axes[1].set_ylabel("TV(pi_k(.|s_1), pi*_tau(.|s_1))"), axes[1].legend(fontsize=8)
axes[1].set_title("distance to the Gibbs optimum at the start state")
fig.tight_layout()
plt.show()

# %% [markdown]
# The regret flattens: the policy approaches the Gibbs optimum, at the start state where the data accumulate
# first. The step `eta` matters in the first episodes: a small step leaves the policy near the reference longer
# and the early regret piles up; later the optimistic estimates, not the step, set the pace (the distances
# nearly coincide). The claim `drrpo-regret-sublinear` tests the late
# slope of the regret with bootstrap intervals, and `drrpo-evaluation-consistency` the optimistic estimates
# themselves (`mdptheory verify --quick drrpo-regret-sublinear`).
#
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — the Gibbs stage value.** From the optimum at `tau = TAU`, `opt = optima_tau` below, take the
# robust Q values at the first stage and start state, `opt.Q[0, s0]`, and the reference `reference[0, s0]`, and
# compute the stage value `V*(s_1) = tau log sum_a pi_ref(a|s_1) exp(Q*(s_1, a) / tau)` (a float).

# %%
optima_tau = policy_regularized_dp(env, TV, tau=TAU, reference=reference)
answer_1 = ...   # a float

# %% tags=["solution"]
if answer_1 is ...:
    q, p = optima_tau.Q[0, s0], reference[0, s0]
    m = q.max()
    answer_1 = float(m + TAU * np.log(np.sum(p * np.exp((q - m) / TAU))))     # shifted: no overflow

# %% tags=["check"]
assert np.isclose(answer_1, optima_tau.V[0, s0], rtol=1e-10), f"{answer_1} is not V*_tau(s_1) = {optima_tau.V[0, s0]}"
pi1 = optima_tau.policy[0, s0]
assert np.isclose(answer_1, pi1 @ optima_tau.Q[0, s0] - TAU * np.sum(pi1 * np.log(pi1 / reference[0, s0])))
print(f"correct: V*_tau(s_1) = {answer_1:.6f} = E_pi* Q - tau KL(pi* || pi_ref) (Donsker-Varadhan)")

# %% [markdown]
# **Exercise 2 — the regret of doing nothing.** An agent that keeps playing the reference policy pays no KL
# term. What is its exact regret per episode under the objective of section 2, `V*_tau - V^{pi_ref}_tau` at the
# start state? (a float; `policy_regularized_evaluation` gives the value of any policy)

# %%
answer_2 = ...   # a float

# %% tags=["solution"]
if answer_2 is ...:
    answer_2 = float(optima_tau.V[0, s0]
                     - policy_regularized_evaluation(env, reference, TV, tau=TAU, reference=reference).V[0, s0])

# %% tags=["check"]
assert np.isclose(answer_2, oracle.v_star - oracle.value(reference)), f"{answer_2} is not the reference's regret"
print(f"correct: {answer_2:.4f} per episode, {EPISODES * answer_2:.1f} over {EPISODES} episodes; DR-RPO "
      f"(eta = {ETAS[-1]:g}) paid {np.mean([r[-1] for r, _ in runs[ETAS[-1]]]):.1f}")

# %% [markdown]
# **Exercise 3 — how close to the reference at large `tau`?** At the optimum, `KL(pi* || pi_ref) <= (E_pi* Q -
# E_ref Q) / tau`, so by Pinsker `TV(pi*(.|s), pi_ref(.|s)) <= span_a Q*(s, .) / (2 tau)`. For `tau = 3`, give
# the pair `(TV, bound)` at the first stage and start state (two floats).

# %%
answer_3 = ...   # a tuple (float, float)

# %% tags=["solution"]
if answer_3 is ...:
    opt3 = policy_regularized_dp(env, TV, tau=3.0, reference=reference)
    q3 = opt3.Q[0, s0]
    answer_3 = (float(0.5 * np.abs(opt3.policy[0, s0] - reference[0, s0]).sum()), float(np.ptp(q3) / (2 * 3.0)))

# %% tags=["check"]
tv3, bound3 = answer_3
opt3_check = policy_regularized_dp(env, TV, tau=3.0, reference=reference)
gibbs = reference[0, s0] * np.exp((opt3_check.Q[0, s0] - opt3_check.Q[0, s0].max()) / 3.0)
gibbs /= gibbs.sum()                                # the Gibbs policy, recomputed from Q
assert np.isclose(tv3, 0.5 * np.abs(gibbs - reference[0, s0]).sum()), f"TV = {tv3} is not right"
assert np.isclose(bound3, (opt3_check.Q[0, s0].max() - opt3_check.Q[0, s0].min()) / 6.0), f"bound = {bound3}?"
assert tv3 <= bound3
print(f"correct: TV = {tv3:.4f} <= span Q / (2 tau) = {bound3:.4f}")
