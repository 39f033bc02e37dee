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
# # Robust MDPs: nature's worst case
#
# **The idea.** A robust MDP does not trust its transition kernel `P0`. At every step an adversary, *nature*,
# may replace each row `p0 = P0(.|s, a)` by any `p` close to it, and the agent plans against the worst such
# choice. Closeness is a divergence: total variation (TV), Kullback-Leibler (KL) or chi-square. Either nature
# must stay inside a ball `D(p || p0) <= rho` (*constrained*), or it pays a penalty `lam D(p || p0)`
# (*regularized*). The inner problem `min_p <p, V>` has a closed form or a one-dimensional dual for each of
# these sets, so robust dynamic programming is as exact as the nominal one.
#
# What you will see: the three balls drawn on the simplex of a three-state distribution, the worst case moving
# as the radius grows or the penalty shrinks, robust against nominal values on RiverSwim, and the
# d-rectangular linear MDP of the R2PVI paper, where nature perturbs a few shared factors instead of every row.
#
# Guide: `docs/robust.md`. Quick settings by default; `MDPTHEORY_FULL=1` selects the full ones.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import solvers
from mdptheory import KL, TV, ChiSquare
from mdptheory.envs import riverswim, simulated_linear_mdp

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
RES = 400 if FULL else 150               # simplex grid resolution for the contour plots
N_RHO = 41 if FULL else 21               # radii on the robust-value curves

# %% [markdown]
# ## 1. The balls on the simplex
#
# A distribution over three next states is a point of a triangle (the corners are the point masses). Take a
# nominal `p0` and a value vector `V` (nature wants low values). Each panel draws the ball of the divergence
# for a few radii, and the worst-case distribution `p_worst` that `solvers.worst_case` returns for each radius:
# it always lies on the boundary of the ball, pushed towards the corner of the lowest value.

# %%
p0 = np.array([0.5, 0.3, 0.2])
V = np.array([1.0, 0.0, 2.0])          # state 1 is the worst for the agent
corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])


def to_xy(p):
    """Barycentric coordinates (..., 3) -> points of the triangle (..., 2)."""
    return np.asarray(p) @ corners


xs, ys = np.meshgrid(np.linspace(0, 1, RES), np.linspace(0, np.sqrt(3) / 2, RES))
p3 = ys / (np.sqrt(3) / 2)
p2 = xs - p3 / 2
grid = np.stack([1 - p2 - p3, p2, p3], axis=-1)
inside = (grid >= -1e-12).all(axis=-1)
grid = np.clip(grid, 0, 1)

radii = (0.05, 0.15, 0.3)
sets = {"TV": TV, "KL": KL, "chi-square": ChiSquare}
fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
for ax, (name, cls) in zip(axes, sets.items()):
    D = np.where(inside, cls(0.0).divergence(grid, p0), np.nan)
    cs = ax.contour(xs, ys, D, levels=list(radii), cmap="viridis")
    ax.clabel(cs, fmt={r: f"rho={r:g}" for r in radii}, fontsize=7)
    path = np.array([solvers.worst_case(p0, V, cls(r))[1] for r in np.linspace(0, 0.6, 61)])
    ax.plot(*to_xy(path).T, "r-", lw=1, label="p_worst as rho grows")
    for r in radii:
        ax.plot(*to_xy(solvers.worst_case(p0, V, cls(r))[1]), "ro", ms=5)
    ax.plot(*to_xy(p0), "k*", ms=12, label="p0")
    ax.plot(*np.r_[corners, corners[:1]].T, "k-", lw=0.8)
    for i, (x, y) in enumerate(corners):
        ax.annotate(f"state {i}, V = {V[i]:g}", (x, y), xytext=(8, -4) if y > 0 else (0, -6),
                    textcoords="offset points", ha="left" if y > 0 else "center", va="top", fontsize=8)
    ax.set_title(f"{name} balls D(p || p0) <= rho", pad=12), ax.set_aspect("equal"), ax.axis("off")
axes[0].legend(loc="upper left", fontsize=8)
plt.show()

# %% [markdown]
# Three different geometries: the TV ball is a polygon (nature moves mass linearly, and may put it on states
# outside the support of `p0`), the KL and chi-square balls are smooth and stay inside the support (they
# re-weight `p0`; a zero of `p0` stays a zero). TV's worst case heads straight for the worst corner; KL's and
# chi-square's bend along the boundary.
#
# ## 2. The worst value as the radius grows, and as the penalty shrinks
#
# The constrained value `min_{D(p||p0) <= rho} <p, V>` decreases with `rho` from `<p0, V>` to `min V`. The
# regularized value `min_p <p, V> + lam D(p || p0)` increases with `lam`: at `lam = 0` nature is free, as
# `lam -> inf` it must play `p0`.

# %%
rhos = np.linspace(0, 1, 101)
lams = np.logspace(-2, 2, 101)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for name, cls in sets.items():
    axes[0].plot(rhos, [solvers.worst_case(p0, V, cls(r))[0] for r in rhos], label=name)
    axes[1].semilogx(lams, [solvers.worst_case(p0, V, cls(lam=lam))[0] for lam in lams], label=name)
for ax in axes:
    ax.axhline(p0 @ V, color="gray", ls=":", label="nominal <p0, V>")
    ax.axhline(V.min(), color="gray", ls="--", label="min V")
axes[0].set_xlabel("radius rho (constrained)"), axes[1].set_xlabel("penalty lam (regularized)")
axes[0].set_ylabel("nature's value"), axes[0].legend(fontsize=8)
plt.show()

# %% [markdown]
# The same with `p_worst` itself: the probability nature puts on the worst state, for the regularized sets.

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.5))
for name, cls in sets.items():
    ax.semilogx(lams, [solvers.worst_case(p0, V, cls(lam=lam))[1][1] for lam in lams], label=name)
ax.axhline(p0[1], color="gray", ls=":", label="p0(worst state)")
ax.set_xlabel("lam"), ax.set_ylabel("p_worst(state 1)"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 3. Robust against nominal values on RiverSwim
#
# `solvers.robust_value_iteration(mdp, uncertainty, rect="sa")` runs value iteration with the inner expectation
# replaced by nature's response, row by row (*(s,a)-rectangular*), and certifies its result with the same
# MacQueen bracket as the nominal planner (the robust operator is still a monotone `gamma`-contraction).
#
# RiverSwim rewards swimming right (upstream, hard) to the last state and offers a small reward for staying
# at the left bank. Against a strong enough nature, swimming upstream stops being worth it.

# %%
river = riverswim(6, gamma=0.9)
nominal = solvers.value_iteration(river, tol=1e-10)
rho_grid = np.linspace(0, 0.5, N_RHO)
fig, ax = plt.subplots(figsize=(6, 3.8))
for name, cls in sets.items():
    values = [solvers.robust_value_iteration(river, cls(r), tol=1e-10).V[0] for r in rho_grid]
    ax.plot(rho_grid, values, label=f"robust V(0), {name}")
ax.axhline(nominal.V[0], color="gray", ls=":", label="nominal V*(0)")
ax.set_xlabel("rho"), ax.set_ylabel("value of the left bank"), ax.legend(fontsize=8)
plt.show()

for r in (0.0, 0.1, 0.2, 0.4):
    res = solvers.robust_value_iteration(river, TV(r), tol=1e-10)
    print(f"TV rho = {r:.1f}: policy {res.policy} (1 = swim right), V = {np.round(res.V, 3)}")

# %% [markdown]
# Robust values lie below the nominal ones for every set (nature may always play `P0`). The robust planner's
# result says *how* nature attacks: `res.extra["P_worst"]` is the worst-case kernel, and evaluating the robust
# policy *nominally* on it reproduces the robust value.

# %%
rob = solvers.robust_value_iteration(river, KL(0.2), tol=1e-10)
from mdptheory import FiniteMDP

attacked = FiniteMDP(rob.extra["P_worst"], river.R + rob.extra["penalty"], gamma=river.gamma)
replay = solvers.policy_evaluation(attacked, rob.policy)
print("robust V          :", np.round(rob.V, 6))
print("V on nature's P   :", np.round(replay.V, 6))
print("max difference    :", np.abs(rob.V - replay.V).max(), "<= certificates", rob.error_bound + replay.error_bound)

# %% [markdown]
# ## 4. The d-rectangular linear case
#
# In a linear MDP, `P_h(s' | s, a) = sum_i phi_i(s, a) mu_{h,i}(s')`: every row is a mixture of `d` shared
# *factors* `mu_{h,i}`. A **d-rectangular** nature perturbs the factors, not the rows, and pays
# `lam sum_i phi_i(s, a) D(mu'_{h,i} || mu_{h,i})` (R2PVI's regularized robust MDP). Then
# `Q_h = phi . (theta_h + nu_h)` with one number `nu_{h,i}` per factor: the robust Bellman update stays
# `d`-dimensional.
#
# The 5-state simulated linear MDP of Tang, Liu & Xu (2025) (`d = 4`, 16 actions, `H = 3`): the optimal robust
# value from the start state for each divergence, as the penalty grows, with the d-rectangular nature and
# with the (s,a)-rectangular one on the same tabular kernel.

# %%
lin = simulated_linear_mdp()
lam_grid = np.logspace(-1.5, 1.5, 13 if FULL else 7)
v_nominal = solvers.backward_induction(lin.to_tabular()).V[0, 0]
fig, ax = plt.subplots(figsize=(6.5, 4))
for (name, cls), color in zip(sets.items(), ("tab:blue", "tab:orange", "tab:green")):
    d_rect = [solvers.robust_backward_induction(lin, cls(lam=lam)).V[0, 0] for lam in lam_grid]
    sa_rect = [solvers.robust_backward_induction(lin, cls(lam=lam), rect="sa").V[0, 0] for lam in lam_grid]
    ax.semilogx(lam_grid, d_rect, "o-", color=color, label=f"{name}, d-rectangular")
    ax.semilogx(lam_grid, sa_rect, "x--", color=color, label=f"{name}, (s,a)-rectangular")
ax.axhline(v_nominal, color="gray", ls=":", label="nominal")
ax.set_xlabel("lam"), ax.set_ylabel("robust V*_1(x1)"), ax.legend(fontsize=7)
plt.show()

# %% [markdown]
# The d-rectangular nature is weaker (for KL and chi-square, convexity makes the factor-wise penalty at least
# the row-wise one), so its values are higher; for TV they coincide on this model. Either way the values rise
# from the pessimistic limit to the nominal `V* = 1.6243` as `lam` grows.
#
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — TV by hand.** For a TV ball of radius `rho <= 1 - p0(argmin V)`, nature moves mass `rho` from
# the highest values to the lowest one. With `p0` and `V` of section 1 and `rho = 0.25`, compute nature's value
# `min_{TV(p, p0) <= 0.25} <p, V>` by hand (a float).

# %%
answer_1 = ...   # a float

# %% tags=["solution"]
if answer_1 is ...:
    order = np.argsort(V)[::-1]               # highest values first
    p, budget = p0.copy(), 0.25
    for s in order[:-1]:
        take = min(budget, p[s])
        p[s] -= take
        p[order[-1]] += take
        budget -= take
    answer_1 = float(p @ V)

# %% tags=["check"]
expected_1 = solvers.worst_case(p0, V, TV(0.25))[0]
assert abs(answer_1 - expected_1) <= 1e-12, f"{answer_1} is not nature's value"
print(f"correct: {answer_1:.4f} (nominal {p0 @ V:.4f})")

# %% [markdown]
# **Exercise 2 — KL regularized in closed form.** The penalty `lam KL(p || p0)` has the closed-form response
# `min_p <p, V> + lam KL(p || p0) = -lam log E_{p0}[exp(-V / lam)]`, attained by `p ∝ p0 exp(-V / lam)`.
# Compute nature's value for `lam = 0.4` with this formula (a float).

# %%
answer_2 = ...   # a float

# %% tags=["solution"]
if answer_2 is ...:
    answer_2 = float(-0.4 * np.log(p0 @ np.exp(-V / 0.4)))

# %% tags=["check"]
expected_2 = solvers.worst_case(p0, V, KL(lam=0.4))[0]
assert abs(answer_2 - expected_2) <= 1e-12, f"{answer_2} differs from worst_case's {expected_2}"
print(f"correct: {answer_2:.6f}")

# %% [markdown]
# **Exercise 3 — when does the robust agent give up?** On `river`, find the smallest radius in `rho_grid` for
# which the TV-robust optimal policy stops swimming right at the left bank (state 0).

# %%
answer_3 = ...   # one element of rho_grid

# %% tags=["solution"]
if answer_3 is ...:
    answer_3 = next(r for r in rho_grid if solvers.robust_value_iteration(river, TV(r), tol=1e-10).policy[0] == 0)

# %% tags=["check"]
at = solvers.robust_value_iteration(river, TV(answer_3), tol=1e-10)
assert np.isclose(rho_grid, answer_3).any(), "give one element of rho_grid"
i = int(np.argmin(np.abs(rho_grid - answer_3)))
before = solvers.robust_value_iteration(river, TV(rho_grid[i - 1]), tol=1e-10) if i > 0 else None
assert at.policy[0] == 0, f"at rho = {answer_3} the robust agent still swims right at state 0"
assert before is not None and before.policy[0] == 1, "a smaller radius of the grid already gives up"
print(f"correct: from rho = {answer_3:.3f} on, state 0 stays at the bank")

# %% [markdown]
# **Exercise 4 — the d-rectangular Bellman update.** For the KL-regularized (`lam = 0.3`) d-rectangular
# result `res4` below, rebuild `Q (H, S, A)` from the features `lin.phi (S, A, d)`, the reward parameters
# `lin.theta (H, d)` and nature's per-factor values `res4.extra["nu"] (H, d)`.

# %%
res4 = solvers.robust_backward_induction(lin, KL(lam=0.3))
answer_4 = ...   # an array (H, S, A)

# %% tags=["solution"]
if answer_4 is ...:
    answer_4 = np.einsum("sai,hi->hsa", lin.phi, lin.theta + res4.extra["nu"])

# %% tags=["check"]
assert np.shape(answer_4) == res4.Q.shape, f"shape {np.shape(answer_4)}, expected {res4.Q.shape}"
assert np.allclose(answer_4, res4.Q, atol=1e-12), "not the planner's Q"
print("correct: Q_h = phi . (theta_h + nu_h), and V_h = max_a Q_h =", np.round(answer_4[0, 0].max(), 6))
