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
# # Verify a theorem yourself
#
# **The idea.** In mdptheory a theorem is checked as a *claim*: an experiment that produces numbers, a check
# that compares them with a bound, and the realistic bugs (*mutants*) the same check must reject. A claim is
# **verified** only if the check passes on the real algorithm *and fails on every mutant it names*; if a
# broken algorithm passes too, the claim is **vacuous**: it could not have failed, so it says nothing.
#
# In this notebook you write two claims about value iteration from scratch, run them exactly as
# `mdptheory verify` does, read the verdicts, and then switch a bug on by hand and watch a claim fail:
#
# 1. Singh & Yee's policy-loss bound: the greedy policy of any `V` with `||V - V*|| <= eps` loses at most
#    `2 gamma eps / (1 - gamma)`. True, and useless as a test: it turns out vacuous;
# 2. the certificate of value iteration itself, `||V - V*|| <= res.error_bound`, against exact ground truth:
#    verified, and it rejects every bug of its algorithms.
#
# Guide: `docs/verification.md`, section "Claims with power". Quick settings by default; `MDPTHEORY_FULL=1`
# runs the full grids.

# %%
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import sympy

import experiments
import solvers
from bounds import Bound
from bounds.checks import below
from experiments import Claim
from experiments.runner import run_experiment
from mdptheory import mutants
from mdptheory.envs import garnet
from mdptheory.store import ResultStore

FULL = os.environ.get("MDPTHEORY_FULL") == "1"


def fresh_store():
    """A results store of its own (the default is .mdptheory/results.sqlite in the working directory)."""
    return ResultStore(Path(tempfile.mkdtemp(prefix="my-claims-")) / "results.sqlite")


# %% [markdown]
# ## 1. The picture first
#
# Value iteration stopped at a loose tolerance on small random (Garnet) MDPs: its certified error
# `res.error_bound` against the true error `||V - V*||`, and the loss of the greedy policy of `V` against
# Singh & Yee's bound. Everything below the diagonal is a bound that holds.

# %%
def brute_force_v_star(mdp):
    """V* as the best of all A^S deterministic policies' values (dense linear solves): independent of solvers."""
    P, R, S = mdp.dense_P(), mdp.R, mdp.S
    best = np.full(S, -np.inf)
    for pi in itertools.product(range(mdp.A), repeat=S):
        rows = np.arange(S), np.array(pi)
        best = np.maximum(best, np.linalg.solve(np.eye(S) - mdp.gamma * P[rows], R[rows]))
    return best


def greedy_loss(mdp, V, v_star):
    """||V* - V^pi||_inf for the greedy policy pi of V (computed with the true gamma, by dense algebra)."""
    P, R, S = mdp.dense_P(), mdp.R, mdp.S
    rows = np.arange(S), np.argmax(R + mdp.gamma * P @ V, axis=1)
    return float(np.max(v_star - np.linalg.solve(np.eye(S) - mdp.gamma * P[rows], R[rows])))


points = []
for seed in range(30):
    mdp = garnet(5, 3, 2, rng=seed, gamma=0.9)
    res = solvers.value_iteration(mdp, tol=0.3)
    v_star = brute_force_v_star(mdp)
    points.append((res.error_bound, np.abs(res.V - v_star).max(), greedy_loss(mdp, res.V, v_star)))
points = np.array(points)
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
axes[0].scatter(points[:, 0], points[:, 1])
axes[0].set_xlabel("certified error bound"), axes[0].set_ylabel("true error ||V - V*||")
bound = 2 * 0.9 * points[:, 0] / (1 - 0.9)
axes[1].scatter(bound, points[:, 2])
axes[1].set_xlabel("Singh & Yee bound 2 gamma eps / (1 - gamma)"), axes[1].set_ylabel("loss of the greedy policy")
for ax in axes:
    lim = max(ax.get_xlim()[1], ax.get_ylim()[1])
    ax.plot([0, lim], [0, lim], "k:", label="bound = value")
    ax.legend()
plt.show()

# %% [markdown]
# The certificate is nearly tight; the policy-loss bound is two orders of magnitude above the loss, which is
# mostly exactly 0. Keep that picture in mind.
#
# ## 2. A bound, an experiment, a claim
#
# A **`Bound`** is the right-hand side of the theorem's inequality as a SymPy expression, with the meaning of
# every symbol, the source, and a provenance tag (`"R"`: recalled, not re-read in the paper).

# %%
g, eps = sympy.symbols("gamma epsilon", positive=True)
POLICY_LOSS = Bound(
    name="my-greedy-policy-loss",
    expr=2 * g * eps / (1 - g),
    symbols={"gamma": "discount factor in [0, 1)", "epsilon": "sup-norm error ||V - V*|| of the value V"},
    source="Singh & Yee (1994), Corollary 2",
    provenance="R",
    lhs=r"\|V^\star - V^{\pi_V}\|_\infty",
)
print(POLICY_LOSS.latex())
print("at gamma = 0.9, eps = 0.01:", POLICY_LOSS.evaluate(gamma=0.9, epsilon=0.01))

# %% [markdown]
# An **experiment** is a module with a name, a grid of configurations (a full one and a quick one), a number
# of seeds, and `run(config, seed) -> dict` of numbers. Ground truth comes from code independent of the
# algorithm under test: here brute force over all policies.

# %%
NAME = "my-value-iteration"
GRID = [{"gamma": gm, "tol": t} for gm in (0.5, 0.9, 0.99) for t in (0.3, 0.01, 1e-4)]
QUICK_GRID = [{"gamma": gm, "tol": t} for gm in (0.5, 0.9) for t in (0.3, 0.01)]
SEEDS, QUICK_SEEDS = 20, 8


def run(config, seed):
    mdp = garnet(5, 3, 2, rng=seed, gamma=config["gamma"])
    res = solvers.value_iteration(mdp, tol=config["tol"])      # the algorithm under test
    v_star = brute_force_v_star(mdp)                             # the ground truth
    return {"epsilon": float(res.error_bound), "true_error": float(np.abs(res.V - v_star).max()),
            "loss": greedy_loss(mdp, res.V, v_star), "r_max": float(np.abs(mdp.R).max())}


run(QUICK_GRID[0], seed=0)

# %% [markdown]
# A **claim** binds the experiment, the bound and a **check** (a function of the results' DataFrame returning a
# `Verdict`), and names the registered mutants it must reject. `below(empirical, bound, delta=0)` is the check
# for a deterministic upper bound: any run above it fails. `trivial=` is the quantity's a-priori maximum
# (`r_max / (1 - gamma)` for a loss): a bound above it could not bind, and the claim would be vacuous.
#
# Which bugs should a claim about value iteration catch? The registered mutants of the Bellman sweep and of
# the certificates:

# %%
for m in mutants.of("bellman") + mutants.of("certificates"):
    print(f"{m.name:32s} {m.description}")


# %%
def check_policy_loss(df):
    gamma = df["gamma"].to_numpy()
    bound = POLICY_LOSS.evaluate(gamma=gamma, epsilon=df["epsilon"].to_numpy())
    return below(df["loss"].to_numpy(), bound, delta=0.0, atol=1e-9, trivial=df["r_max"].to_numpy() / (1 - gamma))


POLICY_LOSS_CLAIM = Claim(
    "my-greedy-policy-loss", NAME, POLICY_LOSS, check_policy_loss,
    mutants=("certificates.no-amplification", "bellman.discount-squared"),
    description="The greedy policy of value iteration's V loses at most 2 gamma eps / (1 - gamma), eps = its "
                "certified error.")

# %% [markdown]
# ## 3. Run it, read the verdict
#
# The runner wants a module: gather the pieces into one (`mdptheory verify --module my_claims.py` does the
# same from a file, see section 6). `experiments.verify_claim` runs the real grid and each mutant's grid,
# stores every job, and judges.

# %%
my_module = types.ModuleType("my_value_iteration_claims")
my_module.__dict__.update(NAME=NAME, GRID=GRID, QUICK_GRID=QUICK_GRID, SEEDS=SEEDS, QUICK_SEEDS=QUICK_SEEDS,
                          run=run, CLAIMS=[POLICY_LOSS_CLAIM])
sys.modules[my_module.__name__] = my_module     # the in-process runner imports experiments by module name

store = fresh_store()
result = experiments.verify_claim(POLICY_LOSS_CLAIM, my_module, quick=not FULL, store=store)
print(result.status, "|", result.row())
for label, verdict in result.control_verdicts.items():
    print(f"  {label}: check {'PASSED (not rejected)' if verdict.passed else 'failed (rejected)'}: {verdict.explanation}")

# %% [markdown]
# **Vacuous.** The real runs pass, and so do both bugs: value iteration with the wrong discount, or with a
# certificate 10 times too small, still produces greedy policies whose loss is far below a bound that is
# 100 times too large. A test that cannot fail on a broken algorithm verifies nothing, however true the
# theorem is.
#
# ## 4. A claim with power
#
# Test the algorithm's own promise against exact ground truth: the certified error bound must hold, every run,
# and it is nearly tight (the picture of section 1), so any bug that makes `V` wrong or the certificate too
# small shows. Same experiment, second claim (a property with no SymPy form: `bound=None`).

# %%
def check_certificate(df):
    gamma = df["gamma"].to_numpy()
    return below(df["true_error"].to_numpy(), df["epsilon"].to_numpy(), delta=0.0, atol=1e-12,
                 trivial=df["r_max"].to_numpy() / (1 - gamma))


CERTIFICATE_CLAIM = Claim(
    "my-vi-certificate", NAME, None, check_certificate,
    mutants=("certificates.no-amplification", "bellman.discount-squared"),
    description="Value iteration's certified error bound holds against brute force.",
    source="MacQueen (1966); Puterman (1994), Section 6.6")
my_module.CLAIMS = [POLICY_LOSS_CLAIM, CERTIFICATE_CLAIM]

result2 = experiments.verify_claim(CERTIFICATE_CLAIM, my_module, quick=not FULL, store=store, power=True)
print(result2.status, "|", result2.row())
print(result2.details["power"].format())

# %% [markdown]
# Verified, and with `power=True` it was also run against the *other* mutants of its algorithms (the ones it
# does not name): it rejects all four. That is the target for every claim of the suite: at least 90% of an
# algorithm's mutants rejected by some claim.
#
# ## 5. Break the algorithm yourself
#
# A mutant is a switch on one line of the algorithm (`if M.active:` in `solvers/`). The runner switches it on
# for the jobs whose config has `"mutant": name`, so their results are stored apart from the real ones.
# Here are the certificate and the true error with and without the bug "certificates without their
# `1/(1 - gamma)` factor" (successive differences taken as errors, the most common slip in RL code).

# %%
real = run_experiment(my_module, quick=not FULL, store=store, progress=False)
broken = run_experiment(my_module, quick=not FULL, store=store, progress=False,
                        overrides={"mutant": "certificates.no-amplification"})
fig, ax = plt.subplots(figsize=(5.5, 4.5))
for df, label, marker in ((real, "real value iteration", "o"), (broken, "no-amplification mutant", "x")):
    ax.loglog(df["epsilon"], df["true_error"], marker, label=label, alpha=0.7)
lim = [1e-4, 1]
ax.plot(lim, lim, "k:", label="error = certificate")
ax.set_xlabel("certified error bound (what VI reports)"), ax.set_ylabel("true error"), ax.legend(fontsize=8)
plt.show()
print("real:  ", check_certificate(real).explanation)
print("broken:", check_certificate(broken).explanation)

# %% [markdown]
# The same switch by hand, outside the runner (for exploring; never store such results under the real key):

# %%
mdp = garnet(5, 3, 2, rng=0, gamma=0.9)
with mutants.activated("certificates.no-amplification"):
    res_bug = solvers.value_iteration(mdp, tol=0.01)
res_ok = solvers.value_iteration(mdp, tol=0.01)
v_star = brute_force_v_star(mdp)
print(f"bug : reports {res_bug.error_bound:.2e}, true error {np.abs(res_bug.V - v_star).max():.2e}")
print(f"real: reports {res_ok.error_bound:.2e}, true error {np.abs(res_ok.V - v_star).max():.2e}")

# %% [markdown]
# ## 6. The same from a file and the command line
#
# In practice a claim lives in a file. `docs/examples/my_claims.py` is a complete one (a sibling of our
# certificate claim); `mdptheory verify --module FILE --quick` runs it like the built-in claims and exits
# non-zero unless it is verified. (Run from a scratch folder: the command writes `.mdptheory/` and `report/`.)

# %%
example = Path("..") / "docs" / "examples" / "my_claims.py"
command = shutil.which("mdptheory") or str(Path(sys.executable).with_name("mdptheory"))
scratch = tempfile.mkdtemp(prefix="verify-")
out = subprocess.run([command, "verify", "--module", str(example.resolve()), "--quick", "--jobs", "1"],
                     cwd=scratch, capture_output=True, text=True)
print(out.stdout[-1500:] or out.stderr[-1500:])
print("exit status:", out.returncode)

# %% [markdown]
# ## Exercises
#
# Replace the `...` by your answer and run the check cell below it. The cell tagged *solution* fills in one
# answer only when you have not given yours.
#
# **Exercise 1 — how tight is the certificate?** The verdict's `details["tightness"]` is the largest ratio
# empirical / bound over the runs (the "ratio" column of `mdptheory verify`). Compute it yourself from `real`
# (the DataFrame of section 5): the largest `true_error / epsilon`.

# %%
answer_1 = ...   # a float

# %% tags=["solution"]
if answer_1 is ...:
    answer_1 = float((real["true_error"] / real["epsilon"]).max())

# %% tags=["check"]
expected_1 = check_certificate(real).details["tightness"]
assert abs(answer_1 - expected_1) <= 1e-12 * max(1.0, expected_1), f"{answer_1} is not the tightness"
print(f"correct: the true error reaches {answer_1:.1%} of the certified bound")

# %% [markdown]
# **Exercise 2 — catch the other bug by hand.** Run the experiment's quick grid with the mutant
# `bellman.discount-squared` switched on (through `run_experiment(..., overrides=...)`, with `store`) and count
# the runs whose true error exceeds the certified bound.

# %%
answer_2 = ...   # an integer

# %% tags=["solution"]
if answer_2 is ...:
    squared = run_experiment(my_module, quick=not FULL, store=store, progress=False,
                             overrides={"mutant": "bellman.discount-squared"})
    answer_2 = int((squared["true_error"] > squared["epsilon"]).sum())

# %% tags=["check"]
# recomputed outside the store and the runner: the mutant switched on around each run
expected_2 = 0
for config in (QUICK_GRID if not FULL else GRID):
    for seed in range(QUICK_SEEDS if not FULL else SEEDS):
        with mutants.activated("bellman.discount-squared"):
            out2 = run(config, seed)
        expected_2 += out2["true_error"] > out2["epsilon"]
assert answer_2 == expected_2, f"{answer_2} runs: not the number of violations"
print(f"correct: {answer_2} of {len(QUICK_GRID if not FULL else GRID) * (QUICK_SEEDS if not FULL else SEEDS)} "
      "runs violate the certificate")

# %% [markdown]
# **Exercise 3 — how much slack does the weak claim have?** Singh & Yee's bound keeps the factor 2. Would the
# real runs still pass the policy-loss check with a bound *half* as large, `gamma eps / (1 - gamma)`? Answer
# `True` or `False` by running the check with that bound on `real`.

# %%
answer_3 = ...   # True or False

# %% tags=["solution"]
if answer_3 is ...:
    half = real["gamma"] * real["epsilon"] / (1 - real["gamma"])
    answer_3 = bool(below(real["loss"].to_numpy(), half.to_numpy(), delta=0.0, atol=1e-9).passed)

# %% tags=["check"]
full_bound = POLICY_LOSS.evaluate(gamma=real["gamma"].to_numpy(), epsilon=real["epsilon"].to_numpy())
expected_3 = bool(np.all(real["loss"].to_numpy() <= 0.5 * full_bound + 1e-9))
assert answer_3 == expected_3, f"{answer_3} is not what the check says about the halved bound"
print(f"correct: {answer_3}; the loss reaches at most {np.max(real['loss'] / full_bound):.1%} of Singh & Yee's bound")
