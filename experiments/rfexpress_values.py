r"""RF-Express's error function, RF-UCRL's, and BPI-UCRL's KL bounds against independent code; their stopping rules.

Each run explores a small random stage-dependent Garnet (``S = 4``, ``A = 2``, ``H = 3``, a new one per run)
with the algorithm of the config, pausing at checkpoints (5, 30, 150 and 600 episodes; the agent continues its
counts across calls of :func:`solvers.exploration.explore`). At every checkpoint the agent's bounds are compared
with the paper's recursions recomputed by :mod:`experiments._rfexpress_common` from the dense counts (plain
loops; the KL-ball maximum by its convex dual with SciPy, not :mod:`solvers.kl`):

- RF-Express (Ménard et al. 2021, Algorithm 1): ``W_h(s,a) = min(H, 15 H^2 beta(n)/n + (1 + 1/H) p_hat max_a' W_{h+1})``,
  ``beta(n) = log(3SAH/delta) + S log(8e(n+1))``, ``W = H`` unvisited;
- RF-UCRL (as compared in the ICML paper): ``E = min(H, H sqrt(beta(n)/n) + p_hat max_a' E_{h+1})``;
- BPI-UCRL: ``Qup = min(H - h, r + max_{KL(p_hat||q) <= beta/n} q Vup)``, ``Qlo = max(0, r + min_{...} q Vlo)``,
  ``Vlo = Qlo(s, pi_up(s))``.

A last run per job explores until the stopping rule holds; the reference certificate at ``tau`` must be
``<= eps/2`` (``eps`` for BPI-UCRL) and the agent's certificate one episode earlier above it.

``error`` = the largest ``|agent - reference|`` over every entry and checkpoint, plus ``stop_error`` = how far
the stopping rule is from holding at ``tau`` (``> 0``: it stopped early or late).

Claims
------
``rfexpress-error-function`` (identity, tolerance ``1e-9 (1 + H)``: a few dozen rounding errors of values
``<= H``): rejects every slip in RF-Express's and RF-UCRL's bonus, multiplier, clip, counts and stopping rule.
``bpi-ucrl-kl-bounds`` (identity, tolerance ``1e-7``: the SciPy dual's accuracy): rejects the lower value
computed with the upper operator, the counts of the wrong stage, a shrunk radius and the lower bound of the
wrong policy. RF-UCRL and BPI-UCRL run with the theory constants; RF-Express's bonus is scaled by ``RFE_SCALE = 1e-3`` (the
reference uses the same scale): at the theory constants its ``W`` is the clip ``H`` everywhere at these
checkpoints, an identity no slip in the bonus could fail.
"""
from __future__ import annotations

import numpy as np

from bounds.checks import identity
from bounds.rfexpress import BPI_UCRL_PAC, RF_EXPRESS_PAC
from mdptheory import EpisodicMDP
from mdptheory.envs import garnet
from solvers.exploration import BPIUCRL, RFUCRL, RFExpress, explore

from ._rfexpress_common import reference_certificate, reference_error, reference_kl_bounds, run_seeds
from .claims import Claim

NAME = "rfexpress-values"
CHECKPOINTS = (5, 30, 150, 600)
DELTA = 0.1

GRID = [{"algorithm": a, "runs": 3} for a in ("rf-express", "rf-ucrl", "bpi-ucrl")]
QUICK_GRID = [{"algorithm": a, "runs": 1} for a in ("rf-express", "rf-ucrl", "bpi-ucrl")]
SEEDS = 4
QUICK_SEEDS = 2

#: eps of the stopping run: reachable within ~10^4 episodes on S = 4, H = 3.
_STOP_EPS = {"rf-express": 2.0, "rf-ucrl": 2.5, "bpi-ucrl": 1.0}
#: RF-Express's bonus scale: at the theory constants 15 H^2 beta / n > H until n ~ 2000, so W would be the clip
#: H everywhere at these checkpoints (an identity nothing could fail); 1e-3 puts it below the clip from n ~ 3.
RFE_SCALE = 1e-3


def _agent(alg: str, env, eps: float):
    if alg == "rf-express":
        return RFExpress(env.S, env.A, env.H, eps=eps, delta=DELTA, bonus_scale=RFE_SCALE)
    if alg == "rf-ucrl":
        return RFUCRL(env.S, env.A, env.H, eps=eps, delta=DELTA)
    if alg == "bpi-ucrl":
        return BPIUCRL(env.S, env.A, env.H, env.R, eps=eps, delta=DELTA)
    raise ValueError(f"algorithm={alg!r}")


def _reference(alg: str, counts: np.ndarray, env) -> tuple[np.ndarray, float]:
    """The agent's bound array and certificate as the paper writes them."""
    s0 = int(np.argmax(env.mu0))
    if alg == "bpi-ucrl":
        Vu, Vl = reference_kl_bounds(counts, env.R, DELTA, 1.0, "policy")
        return np.concatenate([Vu[:-1], Vl[:-1]]), float(Vu[0, s0] - Vl[0, s0])
    W = reference_error(counts, env.H, DELTA, alg, RFE_SCALE if alg == "rf-express" else 1.0)
    return W, reference_certificate(W[0], s0, alg)


def _mine(alg: str, agent) -> np.ndarray:
    agent.policy()
    return np.concatenate([agent.V[:-1], agent.V_low[:-1]]) if alg == "bpi-ucrl" else agent.W


def run(config: dict, seed: int) -> dict:
    alg = config["algorithm"]
    err, stop_err, taus = [], [], []
    for i, rng in enumerate(run_seeds(seed, config["runs"])):
        g = garnet(4, 2, 2, rng=int(rng.integers(2**31)), H=3)
        env = EpisodicMDP(g.P, g.R, np.eye(g.S)[0])       # a fixed start state, as in the papers
        agent = _agent(alg, env, 1e-9)
        worst, played = 0.0, 0
        for cp in CHECKPOINTS:
            explore(agent, env, cp - played, rng=rng, stop=False)
            played = cp
            ref, _ = _reference(alg, agent.counts, env)
            worst = max(worst, float(np.abs(_mine(alg, agent) - ref).max()))
        err.append(worst)
        agent = _agent(alg, env, _STOP_EPS[alg])
        res = explore(agent, env, 200_000, rng=rng)
        _, cert = _reference(alg, res.counts, env)
        thr = _STOP_EPS[alg] / (1.0 if alg == "bpi-ucrl" else 2.0)
        late = 0.0 if res.tau == 0 else max(0.0, thr - res.certificates[-2])   # > 0: held one episode earlier
        stop_err.append(max(cert - thr, late) if res.stopped else np.inf)
        taus.append(res.tau)
    return {"error": np.asarray(err), "stop_error": np.asarray(stop_err), "tau": np.asarray(taus, dtype=float)}


def _flat(df, col):
    return np.concatenate([np.atleast_1d(v) for v in df[col]])


def _check(df, algs, atol):
    rows = df[df["algorithm"].isin(algs)]
    e = np.concatenate([_flat(rows, "error"), np.maximum(_flat(rows, "stop_error"), 0.0)])
    return identity(e, np.zeros_like(e), atol=atol)


def check_error_function(df):
    """RF-Express's W and RF-UCRL's E equal the paper's recursion; the stopping rule holds exactly at tau."""
    return _check(df, ("rf-express", "rf-ucrl"), 1e-9 * 4)


def check_kl_bounds(df):
    """BPI-UCRL's KL upper and lower values equal the dual recomputation; the stop holds exactly at tau."""
    return _check(df, ("bpi-ucrl",), 1e-7)


CLAIMS = [
    Claim(name="rfexpress-error-function", experiment=NAME, bound=RF_EXPRESS_PAC, check=check_error_function,
          mutants=("rf-express.no-multiplier", "rf-express.bonus-n-plus-one", "rf-express.bonus-no-h2",
                   "rf-express.bonus-sqrt-n", "rf-express.stop-no-half", "rf-express.beta-no-s",
                   "rf-express.beta-no-h", "rf-express.no-clip", "rf-express.stage-shift",
                   "rf-ucrl.bonus-no-h", "rf-ucrl.stop-no-half"),
          description="RF-Express's error function W (bonus 15 H^2 beta/n, multiplier 1 + 1/H, clip H) and "
                      "RF-UCRL's E equal the paper's recursions recomputed by plain loops from the counts, at 4 "
                      "checkpoints up to 600 episodes (RF-Express's bonus scaled by 1e-3 so that W is below its clip), and the stopping rule "
                      "3e sqrt(W) + W <= eps/2 holds exactly at tau (identity, tolerance 4e-9)."),
    Claim(name="bpi-ucrl-kl-bounds", experiment=NAME, bound=BPI_UCRL_PAC, check=check_kl_bounds,
          mutants=("bpi-ucrl.lower-upper-operator", "bpi-ucrl.stage-shift", "bpi-ucrl.beta-log-delta",
                   "bpi-ucrl.lower-max-with-policy"),
          description="BPI-UCRL's upper and lower values (KL balls of radius beta/n, the lower value of the "
                      "optimistic policy) equal a recomputation with the KL-ball maximum by its convex dual "
                      "(SciPy), and the stop Vup - Vlo <= eps holds exactly at tau (identity, tolerance 1e-7)."),
]
