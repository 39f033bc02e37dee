r"""The average-reward planners' certificates against brute-force ground truth.

Each run draws one small average-reward model, either a random **Garnet** (``S`` states, ``A`` actions,
``branching`` next states, redrawn until it is unichain) or a random **periodic** model (states split in two
halves, every action of one half moves to the other half: every policy's chain has period 2, the case RVI needs
its aperiodicity transform for); dense or CSR and backend Numba or NumPy by seed parity. It runs

- :func:`solvers.relative_value_iteration` (``tol = 1e-8``, the gain interval recorded at every sweep),
- :func:`solvers.average_reward_policy_iteration`, :func:`solvers.average_reward_linear_programming`,

against :mod:`experiments.avgreward_truth` (every deterministic policy's gain from the null space of
``P_pi^T - I``). Slack: the rounding of the comparison, ``64 (S + 2) u (1 + |h|)``, never tuned.

Claim ``avgreward-planner-certificates``: every planner converged, ``g*`` lies in every gain interval it reported
(for RVI at every sweep), ``|gain - g*| <= error_bound`` and the returned policy's exact gain is within
``policy_gap_bound`` of ``g*``.

The returned relative values ``h`` (RVI and PI) solve the optimality equation ``g* + h = max_a [R + P h]`` up to
``policy_gap_bound``: with ``d = max_a (R + P h) - h`` computed here by dense NumPy on the ``(S, A, S)`` kernel,
``max_s |d(s) - g*| <= policy_gap_bound`` (+ the slack above). Derivation: for any ``h``,
``min d <= g* <= max d`` (Puterman 1994, Thm 8.5.5), so ``|d - g*| <= span(d)``; both planners' gain interval is
the span bracket of exactly this ``d``: PI computes it on the returned ``h``; RVI on its last transformed iterate
``V``, whose ``d_tau = max_a [R + tau P V] - tau V`` is ``d`` at ``h = tau (V - V[ref])`` (the transform's bias is
``h / tau``; rows of ``P`` sum to 1), so ``span(d) <= gain_upper - gain_lower = policy_gap_bound`` up to the
bracket's own rounding allowance. Floating point: the rounding of ``h = tau (V - V[ref])`` (``u |h|`` per entry,
twice in ``d``) and of this module's ``d`` (``(S + 4) u (r_max + 2 |h|)``, ``r_max <= 1`` here) stay below the slack
``64 (S + 2) u (1 + |h|)``. LP is not held to it: its upper end may come from the duals, not from the returned
policy's ``h``. Measured on the full grid (80 runs): ``max |d - g*| / policy_gap_bound`` up to 0.999 for RVI (``g*``
at one end of the bracket: the bound is tight) and 0.04 for PI (``|d - g*| <= 4e-16``); with RVI's relative values
scaled by ``1/tau`` instead of ``tau`` (mutant ``rvi.bias-scale``, off by ``1/tau^2 = 4``), ``max |d - g*|`` is
0.11 to 1.9 on every run against a ``policy_gap_bound`` below 2e-8.
"""
from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

import solvers
from bounds.checks import Verdict, below
from mdptheory import FiniteMDP
from mdptheory.envs import garnet
from mdptheory.validation import as_generator

from .avgreward_truth import optimal_gain, policy_gain_bias
from .claims import Claim

NAME = "avgreward-planners"
TOL = 1e-8
PLANNERS = ("rvi", "pi", "lp")
#: RVI's sweep cap here: generous for the transformed operator (tens of sweeps on these models), small enough
#: that a non-converging variant costs a fraction of a second
MAX_ITER = 5_000

GRID = [{"kind": k, "S": S, "A": A, "branching": 3} for k in ("garnet", "periodic") for S in (4, 6) for A in (2, 3)]
QUICK_GRID = [{"kind": k, "S": 5, "A": 2, "branching": 3} for k in ("garnet", "periodic")]
SEEDS = 10
QUICK_SEEDS = 4

_U = np.finfo(float).eps
#: Planners whose gain interval is the span bracket of the returned ``h`` (held to the optimality equation on it).
H_CERTIFIED = ("rvi", "pi")


def optimality_residual(P3: np.ndarray, R: np.ndarray, h: np.ndarray, g_star: float) -> float:
    """``max_s |max_a (R + P h)(s, a) - h(s) - g*|``, dense NumPy (shares no code with the planners' kernels)."""
    d = (R + P3 @ h).max(axis=1) - h
    return float(np.abs(d - g_star).max())


def periodic_model(S: int, A: int, rng: np.random.Generator) -> FiniteMDP:
    """Random model whose every policy has a period-2 chain: states ``0..S//2-1`` move to the other half and back,
    each row a random law with full support on the other half (so every policy's chain is irreducible)."""
    half = S // 2
    P = np.zeros((S, A, S))
    for s in range(S):
        other = np.arange(half, S) if s < half else np.arange(half)
        P[s][:, other] = rng.dirichlet(np.ones(len(other)), size=A)
    return FiniteMDP(P, rng.random((S, A)), None)


def draw_model(config: dict, rng: np.random.Generator) -> FiniteMDP:
    S, A = int(config["S"]), int(config["A"])
    if config["kind"] == "periodic":
        return periodic_model(S, A, rng)
    for _ in range(1000):
        mdp = garnet(S, A, int(config["branching"]), rng=rng, gamma=None)
        P = mdp.dense_P()
        if all(policy_gain_bias(P, mdp.R, np.array(p)) is not None
               for p in np.ndindex(*([A] * S))):
            return mdp
    raise RuntimeError("no unichain Garnet drawn in 1000 tries")


def run(config: dict, seed: int) -> dict:
    rng = as_generator(seed)
    mdp = draw_model(config, rng)
    P3, R = mdp.dense_P(), mdp.R
    if seed % 2:
        mdp = FiniteMDP(sp.csr_array(mdp.P_flat), R, None)
    backend = "numba" if seed % 2 == 0 else "numpy"
    g_star, _, gains = optimal_gain(P3, R)
    out: dict[str, list] = {k: [] for k in ("err", "bound", "gap", "gap_bound", "converged", "outside", "slack",
                                            "h_resid")}
    for name in PLANNERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if name == "rvi":
                res = solvers.relative_value_iteration(mdp, tol=TOL, max_iter=MAX_ITER, backend=backend, trace=True)
                lows, highs = res.trace["gain_lower"], res.trace["gain_upper"]
            elif name == "pi":
                res = solvers.average_reward_policy_iteration(mdp, tol=TOL, backend=backend)
                lows, highs = np.array([res.gain_lower]), np.array([res.gain_upper])
            else:
                res = solvers.average_reward_linear_programming(mdp, tol=TOL, backend=backend)
                lows, highs = np.array([res.gain_lower]), np.array([res.gain_upper])
        g_pol = gains.get(tuple(np.asarray(res.policy)), -np.inf)
        out["err"].append(abs(res.gain - g_star))
        out["bound"].append(res.error_bound)
        out["gap"].append(g_star - g_pol)
        out["gap_bound"].append(res.policy_gap_bound)
        out["converged"].append(float(res.converged))
        # how far g* lies outside the reported intervals (<= 0 when inside all of them)
        out["outside"].append(float(max((lows - g_star).max(), (g_star - highs).max())))
        out["slack"].append(64 * (mdp.S + 2) * _U * (1.0 + float(np.abs(res.V).max())))
        # the optimality equation on the returned relative values (see the module docstring)
        out["h_resid"].append(optimality_residual(P3, R, np.asarray(res.V, dtype=float), g_star)
                              if name in H_CERTIFIED else np.nan)
    return {k: np.array(v) for k, v in out.items()}


def check_certificates(df) -> Verdict:
    """Every planner converged and all its gain intervals and certificates hold against brute force."""
    err, bound = np.stack(df["err"]), np.stack(df["bound"])
    gap, gap_bound = np.stack(df["gap"]), np.stack(df["gap_bound"])
    outside, slack = np.stack(df["outside"]), np.stack(df["slack"])
    conv = np.stack(df["converged"]).astype(bool)
    h_resid = np.stack(df["h_resid"])
    h_excess = np.where(np.isnan(h_resid), -np.inf, h_resid - gap_bound)    # LP: not held to it (docstring)
    excess = np.where(conv, np.maximum.reduce([err - bound, gap - gap_bound, outside, h_excess]), np.inf)
    v = below(excess.ravel(), 0.0, 0.0, atol=slack.ravel())
    bad = (excess > slack).any(axis=0)
    failing = [p for p, b in zip(PLANNERS, bad) if b]
    v.details["planners_failing"] = failing
    v.details["summary"] = (f"{int((excess > slack).sum())}/{excess.size} (run, planner) pairs broken; "
                            f"largest certified gain error {float(bound.max()):.2g}; "
                            f"max |T h - h - g*| / policy_gap_bound (RVI, PI) "
                            f"{float(np.nanmax(h_resid / gap_bound)):.2g}")
    if bad.any():
        v = Verdict(False, v.statistic, v.threshold, v.explanation + f"; failing planners: {', '.join(failing)}",
                    v.details)
    return v


CLAIMS = [
    Claim(
        name="avgreward-planner-certificates", experiment=NAME, bound=None, check=check_certificates,
        mutants=("rvi.no-aperiodicity", "rvi.span-halved", "rvi.bias-scale", "ar-pi.evaluation-transposed",
                 "ar-lp.balance-transposed"),
        description="Relative value iteration (aperiodicity transform, span stopping rule), unichain policy iteration "
                    "and the occupancy LP converge, the optimal gain lies in every certified gain interval they "
                    "report (RVI: at every sweep), |gain - g*| <= error_bound and g* - g^policy <= policy_gap_bound, "
                    "RVI's and PI's relative values h solve g* + h = max_a [R + P h] to within policy_gap_bound, "
                    "against brute force over all A^S policies on random unichain Garnets and periodic models.",
        source="Puterman (1994), Thm 8.5.5 (span bracket), sections 8.5.4 (aperiodicity transform), 8.6 (PI), "
               "8.8 (LP)"),
]
