r"""Exact identities: the performance-difference lemma and the simulation lemma.

On a random Garnet MDP ``M`` with two random stochastic policies ``pi, pi'`` (rows ~ Dirichlet(1)) and
a random initial distribution ``mu``:

- performance difference (Kakade & Langford 2002, Lemma 6.1):
  ``pdl_lhs = V^{pi'}(mu) - V^{pi}(mu)`` and
  ``pdl_rhs = 1/(1-gamma) sum_s d^{pi'}_mu(s) sum_a pi'(a|s) A^{pi}(s, a)`` with
  ``d^{pi'}_mu = (1-gamma) mu^T (I - gamma P_{pi'})^{-1}``;
- simulation lemma: a second MDP ``M'`` with the same rewards and ``P' = (1-w) P + w P_other``;
  ``sim_lhs = V^pi_M - V^pi_{M'}`` and ``sim_rhs = gamma (I - gamma P'_pi)^{-1} (P_pi - P'_pi) V^pi_M``.

Both sides and their tolerance come from :mod:`experiments.theory` (the same functions a user calls on
their own model): the tolerance is propagated from certificates (never tuned): the evaluation certificate
``b = ||T^pi V - V|| / (1-gamma)`` of every solved value, the residual of every linear solve (an error
in the solution of ``(I - gamma X) x = y`` is at most ``||residual|| / (1-gamma)`` in the matching norm),
and the rounding allowance ``n u sum|x_i|`` of each final dot product (Higham 2002, eq. 3.5).

The values come from ``solvers.policy_evaluation`` (the code under test): a check is only as sharp as
its tolerance, so it also requires every evaluation certificate to be at most ``CERT_MAX`` times the value
scale. A broken evaluation (the registered mutants: a transposed solve, a squared discount in the
sweeps that certify it) reports a large certificate or wrong values, and fails either way.

Controls
--------
Mutants ``policy-evaluation.transposed`` and ``bellman.discount-squared``; and a slip in each identity
itself, registered in :mod:`experiments.theory`: ``identities.pdl-wrong-occupancy`` (the advantages weighted
with ``d^{pi}`` instead of ``d^{pi'}``, the classic slip) and ``identities.sim-wrong-resolvent``
(``(I - gamma P_pi)^{-1}``, the wrong model's resolvent for ``V^pi_M``).
"""
from __future__ import annotations

import numpy as np

from bounds.checks import Verdict, identity
from bounds.planning import PERFORMANCE_DIFFERENCE, SIMULATION_LEMMA
from mdptheory.envs import garnet
from mdptheory.validation import as_generator

from .claims import Claim
from .theory import performance_difference, simulation_lemma

NAME = "planning-identities"

_BASE = {"branching": 4, "mix": 0.2}
GRID = [dict(_BASE, S=S, A=A, gamma=g) for S in (5, 20, 100) for A in (2, 4) for g in (0.5, 0.9, 0.99)]
QUICK_GRID = [dict(_BASE, S=8, A=3, gamma=0.9), dict(_BASE, S=25, A=2, gamma=0.99)]
SEEDS = 10
QUICK_SEEDS = 5

#: Largest evaluation certificate, relative to the value scale 1/(1-gamma), under which an identity is judged:
#: planners certify 1e-10 by default; above this the tolerance would swamp any error.
CERT_MAX = 1e-8


def run(config: dict, seed: int) -> dict:
    """One random instance; both identities with certified tolerances (:mod:`experiments.theory`)."""
    S, A, g, w = int(config["S"]), int(config["A"]), float(config["gamma"]), float(config["mix"])
    rng = as_generator(seed)
    mdp = garnet(S, A, int(config["branching"]), rng=rng, gamma=g)
    other = garnet(S, A, int(config["branching"]), rng=rng, gamma=g)
    pi, pi2 = rng.dirichlet(np.ones(A), size=S), rng.dirichlet(np.ones(A), size=S)
    mu = rng.dirichlet(np.ones(S))
    pdl = performance_difference(mdp, pi, pi2, mu)
    sim = simulation_lemma(mdp, type(mdp)((1 - w) * mdp.P + w * other.P, mdp.R, g), pi)
    return {
        "pdl_lhs": pdl.lhs, "pdl_rhs": pdl.rhs, "pdl_tol": float(pdl.tol),
        "sim_lhs": sim.lhs, "sim_rhs": sim.rhs, "sim_tol": sim.tol,
        "cert_max": max(pdl.cert, sim.cert),
    }


def _sharp(df, v):
    """The identity's verdict, failed when some evaluation certificate is too large for it to mean anything."""
    worst = float(df["cert_max"].max())
    if worst <= CERT_MAX:
        return v
    return Verdict(False, v.statistic, v.threshold, v.explanation + f"; but an evaluation certificate is "
                   f"{worst:.3g} of the value scale (> {CERT_MAX:g}): the tolerance swamps the identity", v.details)


def _pdl_check(df):
    return _sharp(df, identity(df["pdl_lhs"].to_numpy(float), df["pdl_rhs"].to_numpy(float),
                               atol=df["pdl_tol"].to_numpy(float)))


def _sim_check(df):
    return _sharp(df, identity(np.concatenate(list(df["sim_lhs"])), np.concatenate(list(df["sim_rhs"])),
                               atol=np.concatenate(list(df["sim_tol"]))))


CLAIMS = [
    Claim(
        name="performance-difference",
        experiment=NAME,
        bound=PERFORMANCE_DIFFERENCE,
        check=_pdl_check,
        mutants=("policy-evaluation.transposed", "bellman.discount-squared", "identities.pdl-wrong-occupancy"),
        description="V^{pi'}(mu) - V^pi(mu) = 1/(1-gamma) E_{s~d^{pi'}_mu, a~pi'}[A^pi(s,a)] exactly "
                    "(up to certified numerical tolerance) on random MDPs and random stochastic policies.",
    ),
    Claim(
        name="simulation-lemma",
        experiment=NAME,
        bound=SIMULATION_LEMMA,
        check=_sim_check,
        mutants=("policy-evaluation.transposed", "bellman.discount-squared", "identities.sim-wrong-resolvent"),
        description="V^pi_M - V^pi_M' = gamma (I - gamma P'_pi)^{-1} (P_pi - P'_pi) V^pi_M exactly "
                    "(up to certified numerical tolerance) for two MDPs sharing rewards.",
    ),
]
