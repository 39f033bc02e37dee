"""The official-code presets reproduce the official R2PVI code's outputs on fixed datasets (a claim).

``tests/data/r2pvi_official_linear_ref.npz`` holds what the official code
(``panxulab/Robust-Regularized-Pessimistic-Value-Iteration``, ``Simulated_Linear_MDP``, re-run unchanged) computes
on three datasets of the simulated linear MDP (its own replications 0, 1, 2; K = 100, H = 3, delta = 0.3,
||xi||_1 = 0.2, beta = 1, ridge 0.1, lam = 0.1, DRPVI radius table ``[[0, 0, 0, 0.1], [0, 0, 0, 0]]``): for
PEVI, R2PVI-TV, R2PVI-KL, R2PVI-chi2 and DRPVI the learned weights per step (``w_h = theta_h + nu_h``) and the
16 Q-values at step 1, state x1 (format: ``tests/data/README.md``).

Per run (seed = dataset 0, 1, 2): one learner with :data:`solvers.offline.OFFICIAL_CODE` and the linear-MDP
script's options (``clip="upper"``, ``fail_states=[3]``), compared with the stored outputs. The claim: every
weight and Q-value within 1e-6 (the learners agree to ~1e-14; Nelder-Mead stops within ``xatol = 1e-4``, so a
different start or objective lands on values that differ by far more). Ground truth from independent code:
the authors' own implementation. It has power against slips in every learner's official path, including the
Nelder-Mead search (its start, the sign of its objective); it cannot see slips that only change the
paper-faithful options (the l1 bonus, the min over all states, the stable KL formula).
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from bounds import checks
from experiments import Claim
from mdptheory.envs.linear_sim import simulated_linear_mdp
from mdptheory.offline import OfflineDataset, uniform_policy
from solvers.offline import OFFICIAL_CODE, OfflineResult, fit

from .r2pvi_streams import LINEAR_ACTIONS, linear_features

NAME = "r2pvi-official-reference"
#: Suite learner name -> the official class name used as the key prefix in the reference file.
OFFICIAL_NAMES = {"pevi": "PEVI", "r2pvi-tv": "R2PVI_TV", "r2pvi-kl": "R2PVI_KL", "r2pvi-chi2": "R2PVI_xi2",
                  "drpvi": "DRPVI"}
GRID = [{"method": m} for m in OFFICIAL_NAMES]
QUICK_GRID = GRID
SEEDS = 3          # the three stored datasets
QUICK_SEEDS = 2    # datasets 0 and 1 (every named mutant is rejected on both; the tests check all three)
#: Where the reference outputs live (a fresh clone has them) and their SHA-256 (a changed file is an error,
#: not a silently different claim).
REFERENCE_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "r2pvi_official_linear_ref.npz"
REFERENCE_SHA256 = "66eaf0661d15b20de6b7cafe0d5ef3b7d3d81bedd7845c1d57bdffa6b750b601"
#: The settings the reference outputs were computed with.
SETTINGS = dict(beta=1.0, ridge=0.1, lam=0.1, rho_step1_goal=0.1)
TOLERANCE = 1e-6


@lru_cache(maxsize=1)
def load_reference(path: str | None = None) -> dict[str, np.ndarray]:
    """The reference arrays (``s{seed}_...`` keys), checked against :data:`REFERENCE_SHA256`."""
    p = Path(path) if path is not None else REFERENCE_PATH
    if not p.exists():
        raise FileNotFoundError(f"{p} is missing: the official reference outputs ship with the repository in "
                                f"tests/data/ (run from a checkout, or pass path=)")
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    if path is None and digest != REFERENCE_SHA256:
        raise ValueError(f"{p} has SHA-256 {digest}, expected {REFERENCE_SHA256}: the reference file changed")
    with np.load(p) as z:
        return {k: z[k] for k in z.files}


def reference_dataset(seed: int, ref: dict[str, np.ndarray] | None = None) -> OfflineDataset:
    """Dataset ``seed`` (0, 1, 2) of the reference file as an :class:`~mdptheory.offline.OfflineDataset` with
    the official feature table; the taken action of each row is one whose features equal the stored ones
    (actions with equal features are interchangeable for every learner)."""
    ref = load_reference() if ref is None else ref
    states, phi, r = ref[f"s{seed}_states"], ref[f"s{seed}_phi"], ref[f"s{seed}_r"]
    K, H = r.shape
    F = linear_features(0.3, 0.2)
    s = states[:, :H].T.reshape(-1)
    sn = states[:, 1:].T.reshape(-1)
    rows = phi.transpose(1, 0, 2).reshape(-1, F.shape[2])
    dist = np.abs(F[s] - rows[:, None, :]).sum(axis=2)                      # (K*H, A)
    a = dist.argmin(axis=1)
    worst = float(dist[np.arange(len(a)), a].max())
    if worst > 1e-12:
        raise ValueError(f"reference dataset {seed}: a stored feature vector matches no action (off by {worst:.3g})")
    return OfflineDataset(episode=np.tile(np.arange(K), H), h=np.repeat(np.arange(H), K), s=s, a=a,
                          r=r.T.reshape(-1), s_next=sn, phi=rows, features=F,
                          behaviour=uniform_policy(H, F.shape[0], len(LINEAR_ACTIONS)), K=K, H=H,
                          meta={"source": "official reference", "seed": seed})


def fit_official(method: str, data: OfflineDataset) -> OfflineResult:
    """``method`` with the official preset and the linear-MDP script's settings of the reference file."""
    model = simulated_linear_mdp()
    kw = dict(beta=SETTINGS["beta"], ridge=SETTINGS["ridge"], clip="upper", fail_states=[3], **OFFICIAL_CODE[method])
    if method != "pevi":
        kw["theta"] = model.theta
    if method.startswith("r2pvi"):
        kw["lam"] = SETTINGS["lam"]
    if method == "drpvi":
        rho = np.zeros((data.H, data.d))
        rho[0, 3] = SETTINGS["rho_step1_goal"]
        kw["rho"] = rho
    return fit(method, data, **kw)


def errors(method: str, seed: int) -> tuple[float, float]:
    """Max |difference| of the weights (as the official code stores them) and of the step-1 Q-values at x1."""
    ref = load_reference()
    res = fit_official(method, reference_dataset(seed, ref))
    key = f"s{seed}_{OFFICIAL_NAMES[method]}"
    w = res.w if method == "pevi" else res.w + simulated_linear_mdp().theta    # the code stores theta + nu
    return float(np.abs(w - ref[f"{key}_w"]).max()), float(np.abs(res.Q[0, 0] - ref[f"{key}_Q1x1"]).max())


def run(config: dict, seed: int) -> dict:
    if not 0 <= int(seed) < SEEDS:
        raise ValueError(f"seed={seed}: the reference file holds datasets 0..{SEEDS - 1}")
    w_err, q_err = errors(config["method"], int(seed))
    return {"w_err": w_err, "q_err": q_err}


def _matches(df):
    err = np.maximum(df["w_err"].to_numpy(), df["q_err"].to_numpy())
    return checks.identity(err, np.zeros(len(err)), atol=TOLERANCE)


CLAIMS = [
    Claim(
        name="r2pvi-official-reference",
        experiment=NAME,
        bound=None,
        check=_matches,
        mutants=("r2pvi.chi2-minimised", "r2pvi.chi2-variance-2lam", "r2pvi.nelder-mead-start-0",
                 "r2pvi.tv-threshold-max", "r2pvi.tv-threshold-half-lam", "r2pvi.ridge-twice",
                 "r2pvi.reward-next-stage", "drpvi.nelder-mead-start-0", "drpvi.dual-minimised",
                 "drpvi.penalty-sign", "drpvi.rho-doubled", "pevi.reward-dropped", "pevi.current-state-value",
                 "pevi.reward-next-stage", "pessimistic-vi.bonus-sign", "pessimistic-vi.clip-off-by-one",
                 "pessimistic-vi.next-values-stage-h"),
        description="With the official-code presets, PEVI, R2PVI-TV/KL/chi2 and DRPVI reproduce the official "
                    "code's weights and step-1 Q-values to 1e-6 on its three stored datasets (chi-square and "
                    "DRPVI through the official Nelder-Mead search from H/2).",
        source="Tang, Liu & Xu (ICML 2025), official code panxulab/Robust-Regularized-Pessimistic-Value-Iteration "
               "(Simulated_Linear_MDP/algorithm.py), re-run on fixed datasets",
    ),
]
