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
# # Planning with certificates
#
# **The idea.** An exact planner should not only return a value function `V`: it should *prove* how far `V`
# is from the optimal `V*`. The Bellman optimality operator `T` is a `gamma`-contraction in the sup-norm, and
# one application of `T` to any `V` already brackets `V*` (MacQueen's bound). Every planner of `solvers`
# returns such a certificate, `res.error_bound`, and it holds *in floating point*.
#
# What you will see: the operator as a picture on a two-state MDP, the contraction on a grid-world, value
# iteration, policy iteration and linear programming solving the same grid, the MacQueen bracket closing
# around `V*`, and what `tol` can and cannot mean in float64.
#
# Guide: `docs/planners.md`. Settings are quick by default; `MDPTHEORY_FULL=1` selects the full ones.

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np

import solvers
from mdptheory import FiniteMDP
from mdptheory.envs import garnet, gridworld, gridworld_cells

FULL = os.environ.get("MDPTHEORY_FULL") == "1"
GRID = 12 if FULL else 6          # side of the grid-world
GAMMA = 0.99 if FULL else 0.95
rng = np.random.default_rng(0)    # every random thing below is drawn from this generator

# %% [markdown]
# ## 1. The picture: an optimal value function and its policy
#
# `gridworld(k, gamma=...)` is the OPSRL grid-world as a discounted `FiniteMDP`: four actions (left, right,
# down, up) that succeed with probability 0.8 and otherwise slip to another neighbour, and a reward of 1 for
# every step spent in the far corner. `solvers.solve` picks a good certified planner.

# %%
mdp = gridworld(GRID, gamma=GAMMA)
opt = solvers.solve(mdp, tol=1e-10)
print(opt.message)

cells = np.array(gridworld_cells(GRID))
arrows = {0: (-1, 0), 1: (1, 0), 2: (0, -1), 3: (0, 1)}          # left, right, down, up, as (dx, dy) on screen


def show_values(ax, V, policy, title):
    img = np.full((GRID, GRID), np.nan)
    img[cells[:, 0], cells[:, 1]] = V[: len(cells)]
    im = ax.imshow(img, cmap="viridis")
    dx = np.array([arrows[a][0] for a in policy[: len(cells)]])
    dy = np.array([arrows[a][1] for a in policy[: len(cells)]])
    ax.quiver(cells[:, 1], cells[:, 0], dx, dy, color="white", scale=GRID * 2.2)
    ax.set_title(title)
    ax.set_xticks([]), ax.set_yticks([])
    return im


fig, ax = plt.subplots(figsize=(4.5, 4))
fig.colorbar(show_values(ax, opt.V, opt.policy, r"$V^\star$ and a greedy policy"), ax=ax)
plt.show()

# %% [markdown]
# ## 2. The Bellman operator, written out
#
# For a discounted MDP with kernel `P[s, a, s']` and rewards `R[s, a]`,
#
#
#     (T V)(s) = max_a [ R(s, a) + γ Σ_s' P(s' | s, a) V(s') ].
#
#
# It takes a few lines of NumPy. The optimal value is its fixed point: `T V* = V*`.

# %%
P, R, gamma = mdp.dense_P(), mdp.R, mdp.gamma     # (S, A, S), (S, A), float


def bellman(V):
    """One application of the Bellman optimality operator."""
    return (R + gamma * P @ V).max(axis=1)


print("||T V - V||_inf at the planner's V:", np.abs(bellman(opt.V) - opt.V).max())
print("certified ||V - V*||_inf          :", opt.error_bound)

# %% [markdown]
# ### Contraction on a picture (two states)
#
# On a two-state MDP a value function is a point of the plane, and `T` maps the plane to itself. Take the
# square of sup-norm radius `r` around `V*` (the sup-norm ball): its image under `T` lies inside the square of
# radius `gamma r`. Every square shrinks by the same factor, so iterating `T` from anywhere lands at `V*`.

# %%
P2 = np.array([[[0.9, 0.1], [0.2, 0.8]],
               [[0.7, 0.3], [0.05, 0.95]]])          # P2[s, a, s']
R2 = np.array([[0.0, 0.3], [1.0, 0.2]])
two = FiniteMDP(P2, R2, gamma=0.8)
v2 = solvers.policy_iteration(two, tol=1e-12).V


def bellman2(V):
    return (two.R + two.gamma * two.dense_P() @ V).max(axis=1)


fig, ax = plt.subplots(figsize=(5, 5))
t = np.linspace(-1, 1, 200)
square = np.concatenate([np.c_[t, -np.ones_like(t)], np.c_[np.ones_like(t), t],
                         np.c_[-t, np.ones_like(t)], np.c_[-np.ones_like(t), -t]])
for r_, color in ((2.0, "tab:blue"), (1.0, "tab:orange")):
    pts = v2 + r_ * square
    img = np.array([bellman2(p) for p in pts])
    ax.plot(*pts.T, color=color, label=f"ball of radius {r_:g}")
    ax.plot(*img.T, color=color, ls="--", label="its image under T")
    ax.plot(*(v2 + two.gamma * r_ * square).T, color=color, ls=":", lw=1,
            label=f"ball of radius gamma x {r_:g} = {two.gamma * r_:g}")
V = v2 + np.array([-2.0, 1.8])
path = [V]
for _ in range(12):
    V = bellman2(V)
    path.append(V)
path = np.array(path)
ax.plot(*path.T, "k.-", ms=5, label="value iteration from a corner")
ax.plot(*v2, "r*", ms=14, label=r"$V^\star$")
ax.set_xlabel("V(state 0)"), ax.set_ylabel("V(state 1)"), ax.set_aspect("equal")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
plt.show()

# %% [markdown]
# The same on the grid-world, where we cannot draw the space: the sup-norm distance between `T^k U` and
# `T^k W` for random `U, W` never shrinks slower than `gamma^k`.

# %%
U, W = rng.normal(size=mdp.S) * 10, rng.normal(size=mdp.S) * 10
dist = []
for _ in range(60):
    dist.append(np.abs(U - W).max())
    U, W = bellman(U), bellman(W)
k = np.arange(len(dist))
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.semilogy(k, dist, label=r"$\|T^k U - T^k W\|_\infty$")
ax.semilogy(k, dist[0] * gamma**k, "--", label=r"$\gamma^k \|U - W\|_\infty$")
ax.set_xlabel("k"), ax.legend()
plt.show()

# %% [markdown]
# ## 3. Value iteration, policy iteration and the LP on the same grid
#
# Three exact methods, one contract: `res.V`, `res.policy`, a certificate `res.error_bound` on
# `||V - V*||_inf`, and `res.policy_gap_bound` on `||V* - V^policy||_inf`.
#
# * value iteration sweeps `V <- T V` and stops on the MacQueen bracket (section 4);
# * policy iteration evaluates each policy exactly (a linear solve) and improves it greedily;
# * the LP minimises `sum_s w(s) V(s)` subject to `V >= T^a V` for every action (SciPy's HiGHS).

# %%
vi = solvers.value_iteration(mdp, tol=1e-8, trace="V")
pi = solvers.policy_iteration(mdp, tol=1e-8, trace=True)
lp = solvers.linear_programming(mdp, tol=1e-8)
for res in (vi, pi, lp):
    print(res.message)

V_star = pi.V      # the reference; its own certificate is pi.error_bound
print("\nmax |V_vi - V*| =", np.abs(vi.V - V_star).max(), " <= certified", vi.error_bound + pi.error_bound)
print("max |V_lp - V*| =", np.abs(lp.V - V_star).max(), " <= certified", lp.error_bound + pi.error_bound)
print("states where VI's and PI's greedy actions differ:", np.flatnonzero(vi.policy != pi.policy))

# %% [markdown]
# The policies may differ where two actions are *exactly* as good (moving right or down is the same on this
# grid). Both are optimal: their exact values agree with `V*` within the certificates.

# %%
for name, res in (("VI", vi), ("PI", pi), ("LP", lp)):
    v_pol = solvers.policy_evaluation(mdp, res.policy).V
    print(f"{name}: ||V* - V^policy||_inf = {np.abs(V_star - v_pol).max():.2e}"
          f"  (certified <= {res.policy_gap_bound:.2e})")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
ax = axes[0]
ax.semilogy(vi.trace["supnorm_bound"], lw=3, alpha=0.5, label=r"VI: $\gamma\|TV-V\|/(1-\gamma)$")
ax.semilogy(vi.trace["error_bound"], label="VI: certified error bound (bracket)")
ax.semilogy(np.abs(vi.trace["V"] - V_star).max(axis=1), ":", label="VI: true error of the iterate")
ax.semilogy(pi.trace["error_bound"], "o-", label="PI: certified error bound")
ax.set_title("the grid-world (slow mixing)"), ax.set_xlabel("iteration"), ax.legend(fontsize=8)

fast = garnet(50, 4, 5, rng=1, gamma=GAMMA)        # a random MDP: every state reaches many others
vi_fast = solvers.value_iteration(fast, tol=1e-8, trace=True)
Pf, Rf, V = fast.dense_P(), fast.R, np.zeros(fast.S)
supnorm_rule = []                                   # plain VI stopped by the sup-norm rule, by hand
while not supnorm_rule or supnorm_rule[-1] > 1e-8:
    TV = (Rf + GAMMA * Pf @ V).max(axis=1)
    supnorm_rule.append(GAMMA * np.abs(TV - V).max() / (1 - GAMMA))
    V = TV
ax = axes[1]
ax.semilogy(supnorm_rule, lw=3, alpha=0.5, label=r"$\gamma\|TV-V\|/(1-\gamma)$ (sup-norm rule)")
ax.semilogy(vi_fast.trace["error_bound"], "o-", label="certified bracket half-width")
ax.axhline(1e-8, color="gray", ls=":", label="tol")
ax.set_title("a Garnet MDP (fast mixing)"), ax.set_xlabel("iteration"), ax.legend(fontsize=8)
plt.show()
print(f"Garnet: the bracket certifies 1e-8 after {vi_fast.iterations} iterations, the sup-norm rule after "
      f"{len(supnorm_rule)}")

# %% [markdown]
# ## 4. The MacQueen bracket
#
# With `d = T V - V`, `m = min d` and `M = max d`, componentwise
#
#
#     T V + γ m / (1 − γ)  ≤  V*  ≤  T V + γ M / (1 − γ).
#
#
# The bracket's half-width `gamma (M - m) / (2 (1 - gamma))` only depends on the *span* of `d`, not on its
# size, so it ignores the constant error mode that makes the sup-norm rule slow. Value iteration stops when
# the half-width is below `tol` and returns the midpoint. Below: the bracket of three states along the
# iterations, closing around `V*`.

# %%
iterates = vi.trace["V"]
lows, highs = [], []
for V in iterates:
    TV = bellman(V)
    d = TV - V
    lows.append(TV + gamma * d.min() / (1 - gamma))
    highs.append(TV + gamma * d.max() / (1 - gamma))
lows, highs = np.array(lows), np.array(highs)

fig, ax = plt.subplots(figsize=(6, 3.8))
for s, color in zip((0, mdp.S // 2, mdp.S - 1), ("tab:blue", "tab:orange", "tab:green")):
    ax.fill_between(np.arange(len(iterates)), lows[:, s], highs[:, s], color=color, alpha=0.3)
    ax.plot(iterates[:, s], color=color, lw=1, label=f"state {s}: iterate and bracket")
    ax.axhline(V_star[s], color=color, ls=":")
ax.set_ylim(V_star.min() - 5, V_star.max() + 5)
ax.set_xlabel("iteration"), ax.set_ylabel("value"), ax.legend(fontsize=8)
plt.show()
print("V* inside every bracket:", bool(np.all(lows <= V_star + 1e-9) and np.all(V_star <= highs + 1e-9)))

# %% [markdown]
# ## 5. What a certified error means in floating point
#
# The bracket is a statement about the *exact* `T V`; the computer returns a rounded one. Near the fixed
# point the computed `T V - V` can even be exactly 0 while `V` is not `V*`. So the certificate adds a bound on
# the rounding of the last sweep (`res.extra["rounding_bound"]`, about `n eps ||V*|| / (1 - gamma)`), and a
# `tol` that float64 cannot certify is refused honestly: status `"inaccurate"`, with the attainable bound in
# the message, rather than a fake `"converged"`.

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore", solvers.ConvergenceWarning)   # the message below says the same
    tiny = solvers.value_iteration(mdp, tol=1e-300)
print(tiny.status, "|", tiny.message)
print("rounding part of the bound:", tiny.extra["rounding_bound"], " total:", tiny.error_bound)

scales = np.logspace(0, 12, 7)
attainable = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore", solvers.ConvergenceWarning)
    for c in scales:
        res = solvers.value_iteration(FiniteMDP(P, R * c, gamma=gamma), tol=1e-300)
        attainable.append(res.error_bound)
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.loglog(scales, attainable, "o-", label="attainable certified error")
ax.loglog(scales, scales * np.abs(V_star).max() * np.finfo(float).eps / (1 - gamma), "--",
          label=r"$\epsilon\,\|V^\star\|/(1-\gamma)$")
ax.set_xlabel("reward scale c (rewards c R)"), ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The attainable accuracy scales with `||V*||`: a relative accuracy, as it must be in floating point.
#
# ## Exercises
#
# Each exercise asks for a value in a variable `answer_k`. Replace the `...`, then run the check cell below
# it. The cell tagged *solution* fills in one answer only when you have not given yours (CI runs it, so that
# every check is exercised; the tests also feed each check a wrong answer and require it to fail).
#
# **Exercise 1 — an a-priori iteration count.** From `V0 = 0`, the contraction gives
# `||V_k - V*|| <= gamma^k ||V*|| <= gamma^k r_max / (1 - gamma)`. What is the smallest `k` for which this
# guarantees `||V_k - V*|| <= 1e-6` on our grid (`r_max = mdp.r_max`)? Compare with the iterations value
# iteration needed for the same certified accuracy.

# %%
answer_1 = ...   # an integer

# %% tags=["solution"]
if answer_1 is ...:
    answer_1 = int(np.ceil(np.log(1e-6 * (1 - gamma) / mdp.r_max) / np.log(gamma)))

# %% tags=["check"]
# the smallest k with gamma^k r_max / (1 - gamma) <= 1e-6, by direct search
k_expected = next(k for k in range(100_000) if gamma**k * mdp.r_max / (1 - gamma) <= 1e-6)
assert answer_1 == k_expected, f"answer_1 = {answer_1!r}: not the smallest such k"
print(f"correct: k = {answer_1}")

# %%
vi6 = solvers.value_iteration(mdp, tol=1e-6)
print(f"the MacQueen bracket certified 1e-6 after {vi6.iterations} iterations, against {k_expected} a priori")

# %% [markdown]
# **Exercise 2 — the bracket by hand.** Take the value iteration result `vi6` above. Compute the
# MacQueen bracket `(lower, upper)` at `vi6.V` with your `bellman` function, as two arrays of shape `(S,)`.
# The check verifies that `V*` lies inside, and your ends against the formula.

# %%
answer_2 = ...   # a pair (lower, upper) of arrays

# %% tags=["solution"]
if answer_2 is ...:
    TV = bellman(vi6.V)
    answer_2 = (TV + gamma * (TV - vi6.V).min() / (1 - gamma), TV + gamma * (TV - vi6.V).max() / (1 - gamma))

# %% tags=["check"]
lower, upper = (np.asarray(x, dtype=float) for x in answer_2)
assert lower.shape == upper.shape == (mdp.S,), "two arrays of shape (S,)"
slack = pi.error_bound + 1e-12     # the reference V* is itself certified to pi.error_bound
assert np.all(lower <= V_star + slack) and np.all(V_star <= upper + slack), "V* is not inside your bracket"
# the expected bracket, from the flat (S*A, S) layout of the kernel rather than your bellman()
Q6 = (mdp.R.ravel() + gamma * (mdp.P_flat @ vi6.V)).reshape(mdp.S, mdp.A)
d6 = Q6.max(axis=1) - vi6.V
scale = 1e-9 * np.abs(V_star).max()
assert np.allclose(lower, Q6.max(axis=1) + gamma * d6.min() / (1 - gamma), atol=scale), "lower end is off"
assert np.allclose(upper, Q6.max(axis=1) + gamma * d6.max() / (1 - gamma), atol=scale), "upper end is off"
print(f"correct: half-width {(upper - lower).max() / 2:.3e} at the returned V (VI certified {vi6.error_bound:.3e})")

# %% [markdown]
# **Exercise 3 — strong duality.** The LP's dual is the *occupancy measure* of an optimal policy started
# from the weights `w = lp.extra["weights"]`: `d = lp.extra["occupancy"]`, shape `(S, A)`, summing to 1.
# Compute the optimal expected discounted return `w . V*` **from `d` and the rewards alone** (no `V`).

# %%
answer_3 = ...   # a float

# %% tags=["solution"]
if answer_3 is ...:
    answer_3 = float((lp.extra["occupancy"] * R).sum() / (1 - gamma))

# %% tags=["check"]
expected_3 = float(lp.extra["weights"] @ V_star)
tol_3 = 1e-6 * max(1.0, abs(expected_3)) + pi.error_bound
assert abs(answer_3 - expected_3) <= tol_3, f"{answer_3} differs from w . V* = {expected_3}"
print(f"correct: sum d R / (1 - gamma) = {answer_3:.6f} = w . V*")
