r"""The average-to-discounted reduction: ``|(1 - gamma) v^pi_gamma(s) - alpha^pi| <= c (1 - gamma) t_minorize(P_pi)``
for every deterministic policy, on tiny uniformly ergodic models; the smallest valid ``c`` is reported.

Each run draws one model: a lazy full-support Garnet (``S = 3``, ``A = 2``, ``theta``; every policy ergodic) or the
two-state escape family (``p``: ``t_minorize = 1/(2p)`` up to 50). For every one of the ``A^S`` policies and
``gamma in {0.9, 0.99, 0.999}`` it computes ``v^pi_gamma`` by an independent dense solve
(:func:`experiments.independent.policy_values`), ``alpha^pi`` with :func:`solvers.average_reward_evaluation` and
``t_minorize(P_pi)`` with :func:`mdptheory.markov.t_minorize`.

Claim ``amdp-reduction-lemma``: the inequality with the constant ``c = 9`` (our inference from Algorithm 4.1's
19 = 1 + 2 * 9; the lemma was not read, provenance I) holds everywhere, with the smallest valid ``c`` in the
summary. A-priori range: both sides lie in ``[0, 1]`` for rewards in ``[0, 1]``, so ``trivial = 1``; the bound is
informative where ``9 (1 - gamma) t < 1``.
"""
from __future__ import annotations

import numpy as np

import solvers
from bounds.avgreward import REDUCTION
from bounds.checks import Verdict, below
from mdptheory import FiniteMDP
from mdptheory.envs import two_state_escape
from mdptheory.markov import t_minorize
from mdptheory.structure import deterministic_policies, policy_chain
from mdptheory.validation import as_generator

from .claims import Claim
from .independent import policy_values

NAME = "avgreward-reduction"
GAMMAS = (0.9, 0.99, 0.999)
GRID = ([{"kind": "garnet", "theta": th} for th in (1.0, 0.3, 0.05)]
        + [{"kind": "escape", "p": p} for p in (0.2, 0.05, 0.01)])
QUICK_GRID = [{"kind": "garnet", "theta": 0.3}, {"kind": "escape", "p": 0.01}]
SEEDS = 6
QUICK_SEEDS = 3
_U = np.finfo(float).eps


def run(config: dict, seed: int) -> dict:
    rng = as_generator(seed)
    if config["kind"] == "garnet":
        th = float(config["theta"])
        P = th * rng.dirichlet(np.ones(3), size=(3, 2)) + (1.0 - th) * np.eye(3)[:, None, :]
        mdp = FiniteMDP(P, rng.random((3, 2)), None)
    else:
        mdp = two_state_escape(float(config["p"]))
    lhs, unit, slack = [], [], []
    for pi in deterministic_policies(mdp):
        alpha = solvers.average_reward_evaluation(mdp, pi).gain
        t = t_minorize(policy_chain(mdp, pi)[0])
        for g in GAMMAS:
            v, cert = policy_values(mdp.dense_P(), mdp.R, pi, g)
            lhs.append(float(np.abs((1.0 - g) * v - alpha).max()))
            unit.append((1.0 - g) * t)
            slack.append((1.0 - g) * cert + 16 * mdp.S * _U)
    return dict(lhs=np.array(lhs), unit=np.array(unit), slack=np.array(slack),
                gamma=np.tile(np.array(GAMMAS), len(lhs) // len(GAMMAS)))


def check_reduction(df) -> Verdict:
    lhs, unit, slack = (np.concatenate(df[k].to_list()) for k in ("lhs", "unit", "slack"))
    gamma = np.concatenate(df["gamma"].to_list())
    t = unit / (1.0 - gamma)
    v = below(lhs, REDUCTION.evaluate(gamma=gamma, t=t), 0.0, atol=slack, trivial=1.0)
    c_min = float(np.max((lhs - slack) / unit))
    v.details["smallest_valid_c"] = c_min
    v.details["summary"] = f"smallest valid c = {c_min:.3g} (lemma constant 9, inferred); t up to {t.max():.3g}"
    return v


CLAIMS = [
    Claim(name="amdp-reduction-lemma", experiment=NAME, bound=REDUCTION, check=check_reduction,
          mutants=("stationary.transposed", "mixing.minorize-max"),
          description="|(1 - gamma) v^pi_gamma - alpha^pi| <= 9 (1 - gamma) t_minorize(P_pi) for every deterministic "
                      "policy of lazy Garnets and the two-state escape family (t up to 50), gamma in {0.9, 0.99, "
                      "0.999}; the smallest valid c is reported. Informative where 9 (1 - gamma) t < 1.",
          source="Jin & Sidford (2021)-style reduction as used by Wang, Blanchet & Glynn (2024), Algorithm 4.1"),
]
