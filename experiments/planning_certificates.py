r"""Every exact planner's certificate against ground truth computed by independent code.

A planner's promise is its certificate: ``converged`` means ``||V - V*||_inf <= error_bound <= tol`` and
``||V* - V^policy||_inf <= policy_gap_bound`` (``solvers.result.PlanningResult``). Each run draws one small
random Garnet MDP (``S`` states, ``A`` actions, ``branching`` next states, rewards in [0, 1]), dense or CSR by
seed parity, one random stochastic policy and one random episodic model, and runs

- discounted optimal planners: ``value_iteration`` (Jacobi, Gauss-Seidel), ``modified_policy_iteration``,
  ``policy_iteration``, ``linear_programming``, ``solve``;
- ``policy_evaluation`` (direct and iterative) of the random stochastic policy;
- ``backward_induction`` and episodic ``policy_evaluation`` (exact recursions: certificate 0);

each against :mod:`experiments.independent` (dense NumPy linear algebra written again from the textbook,
sharing no code with :mod:`solvers`): ``V*`` as the max over all ``A^S`` deterministic policies' exact
values, ``V^pi`` by a direct solve, finite-horizon values by a plain recursion. The comparison's slack is
the reference's own certificate plus the rounding of the comparison (a few ulps of the values), never tuned.

Claim ``planner-certificates``: on every run and planner, the planner converged (to ``tol = 1e-8``) and
``||V - V_ref|| <= error_bound + slack`` and ``||V_ref* - V^policy|| <= policy_gap_bound + slack``. It covers
the Bellman sweeps, the certificates, policy evaluation and backward induction, and rejects their registered
mutants (a wrong discount power or layout in the sweeps, certificates without their amplification factor
or with the midpoint's sign flipped, a transposed evaluation solve, a reward taken one stage late).
"""
from __future__ import annotations

import warnings

import numpy as np

import solvers
from bounds.checks import Verdict, below
from mdptheory import EpisodicMDP
from mdptheory.envs import garnet
from mdptheory.validation import as_generator

from .claims import Claim
from .independent import backward_values, brute_force_optimum, policy_values

NAME = "planning-certificates"
TOL = 1e-8
PLANNERS = ("vi", "gauss-seidel", "mpi", "pi", "lp", "solve", "pe-direct", "pe-iterative", "bi", "pe-episodic")

GRID = [{"S": S, "A": A, "gamma": g, "branching": 3, "H": 5} for S in (3, 6) for A in (2, 3)
        for g in (0.5, 0.9, 0.99)]
QUICK_GRID = [{"S": 5, "A": 3, "gamma": g, "branching": 3, "H": 4} for g in (0.9, 0.99)]
SEEDS = 10
QUICK_SEEDS = 4

_U = np.finfo(float).eps


def _discounted(mdp, name: str, pol: np.ndarray):
    if name == "vi":
        return solvers.value_iteration(mdp, tol=TOL)
    if name == "gauss-seidel":
        return solvers.value_iteration(mdp, tol=TOL, method="gauss-seidel")
    if name == "mpi":
        return solvers.modified_policy_iteration(mdp, tol=TOL)
    if name == "pi":
        return solvers.policy_iteration(mdp, tol=TOL)
    if name == "lp":
        return solvers.linear_programming(mdp, tol=TOL)
    if name == "solve":
        return solvers.solve(mdp, tol=TOL)
    if name == "pe-direct":
        return solvers.policy_evaluation(mdp, pol, tol=TOL)
    if name == "pe-iterative":
        return solvers.policy_evaluation(mdp, pol, method="iterative", tol=TOL)
    raise ValueError(f"unknown planner {name!r}")


def run(config: dict, seed: int) -> dict:
    """One random discounted model, one random policy and one random episodic model; every planner."""
    S, A, g, H = int(config["S"]), int(config["A"]), float(config["gamma"]), int(config["H"])
    rng = as_generator(seed)
    mdp = garnet(S, A, int(config["branching"]), rng=rng, gamma=g, sparse=bool(seed % 2))
    P = np.asarray(mdp.dense_P(), dtype=float) if hasattr(mdp, "dense_P") else mdp.P
    R = np.asarray(mdp.R, dtype=float)
    pol = rng.dirichlet(np.ones(A), size=S)
    v_star, star_cert = brute_force_optimum(P, R, g)
    v_pol, pol_cert = policy_values(P, R, pol, g)
    ep = garnet(S, A, int(config["branching"]), rng=rng, H=H)
    ep_pi = rng.integers(A, size=(H, S))
    ep_star, ep_pol = backward_values(ep.P, ep.R), backward_values(ep.P, ep.R, ep_pi)
    out: dict[str, list] = {k: [] for k in ("err", "bound", "gap", "gap_bound", "converged", "slack")}
    for name in PLANNERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # non-convergence is recorded, not warned
            if name == "bi":
                res = solvers.backward_induction(ep)
                ref, ref_cert, scale = ep_star, 0.0, H
                gap = float(np.abs(ep_star[0] - backward_values(ep.P, ep.R, res.policy)[0]).max())
            elif name == "pe-episodic":
                res = solvers.policy_evaluation(ep, ep_pi)
                ref, ref_cert, scale, gap = ep_pol, 0.0, H, 0.0
            else:
                res = _discounted(mdp, name, pol)
                evaluation = name.startswith("pe-")
                ref, ref_cert = (v_pol, pol_cert) if evaluation else (v_star, star_cert)
                scale = 1.0 / (1.0 - g)
                gap = 0.0 if evaluation else float(np.abs(v_star - policy_values(P, R, res.policy, g)[0]).max())
        out["err"].append(float(np.abs(np.asarray(res.V) - ref).max()))
        out["bound"].append(float(res.error_bound))
        out["gap"].append(gap)
        out["gap_bound"].append(float(res.policy_gap_bound) if name not in ("pe-direct", "pe-iterative", "pe-episodic")
                                else np.inf)
        out["converged"].append(float(res.converged))
        # the reference's certificate (twice: the policy-gap compares two reference-grade values) and the
        # rounding of the comparisons, a few ulps of the largest value
        out["slack"].append(2 * ref_cert + 64 * (S + 2) * _U * scale)
    return {k: np.array(v) for k, v in out.items()}


def _excess(df):
    """Per (run, planner): how far the certificate is exceeded (``inf`` when the planner did not converge)."""
    err, bound = np.stack(df["err"]), np.stack(df["bound"])
    gap, gap_bound = np.stack(df["gap"]), np.stack(df["gap_bound"])
    conv = np.stack(df["converged"]).astype(bool)
    excess = np.maximum(err - bound, gap - gap_bound)
    return np.where(conv, excess, np.inf), np.stack(df["slack"])


def check_certificates(df) -> Verdict:
    """Every planner converged and its certificates hold against the independent ground truth."""
    excess, slack = _excess(df)
    v = below(excess.ravel(), 0.0, 0.0, atol=slack.ravel())
    bad = (excess > slack).any(axis=0)
    v.details["planners_failing"] = [p for p, b in zip(PLANNERS, bad) if b]
    v.details["summary"] = f"{int((excess > slack).sum())}/{excess.size} (run, planner) pairs broken"
    if bad.any():
        v = Verdict(False, v.statistic, v.threshold,
                    v.explanation + f"; failing planners: {', '.join(v.details['planners_failing'])}", v.details)
    return v


CLAIMS = [
    Claim(
        name="planner-certificates",
        experiment=NAME,
        bound=None,
        check=check_certificates,
        mutants=("bellman.discount-squared", "bellman.action-major-rows", "certificates.no-amplification",
                 "certificates.midpoint-sign", "policy-evaluation.transposed",
                 "backward-induction.reward-next-stage"),
        description="Every exact planner (VI Jacobi and Gauss-Seidel, MPI, PI, LP, solve, direct and iterative "
                    "policy evaluation, backward induction) converges and its certificates hold, "
                    "||V - V*|| <= error_bound and ||V* - V^policy|| <= policy_gap_bound, against ground truth "
                    "from independent dense linear algebra (brute force over all A^S policies) on random Garnets.",
        source="Puterman (1994), Thm 6.3.1 and section 6.6 (MacQueen bounds); Williams & Baird (1993) "
               "(policy loss from value error)",
    ),
]
