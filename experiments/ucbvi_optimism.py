r"""UCBVI-BF's optimism with the theory constants: ``V̄^k_h(s) >= V*_h(s)`` at every episode, stage and state.

Azar, Osband, Munos (2017), the optimism lemma behind Theorem 2 [R]: with the theory constants, on an event
of probability ``>= 1 - delta``, the upper values of UCBVI dominate the optimal values for *every* episode
``k``, stage ``h`` and state ``s``. Each run is one UCBVI-BF agent (Bernstein bonus, theory constants,
``L = log(5 S A H T / delta)``, ``delta = 0.1``, estimates shared by the stages) on a random stage-dependent
Garnet (``S = 2, A = 2, H = 3``), ``T = 2000`` episodes (runs of :mod:`experiments.ucbvi_values`); it stores
``max_{k,h,s} (V*_h(s) - V̄^k_h(s))``.

Claim ``ucbvi-optimism``: the number of runs with some violation is consistent with ``Binomial(n, delta)``
(exact one-sided binomial test, ``bounds.checks.below``). Regime: the claim is informative only where the
upper value is below its clip ``H`` (there optimism is forced); ``informative_fraction`` is the fraction of
``(episode, h <= H-2, s)`` entries with ``V̄ < H`` (~25% on the quick grid), and 0 would make the claim
vacuous. That is why the Hoeffding bonus is not checked here: ``7 H L / sqrt(n) < H`` needs ``n > (7 L)^2 ~
10^4`` visits per pair, so UCBVI-CH's upper value sits at its clip for any affordable ``T`` and its optimism
could not fail. Rejects the bonus with the wrong sign (the upper value drops below ``V*`` at once); a bonus
10x too small violates optimism on most runs too (not named: not on every seed). The exact bonus, the clip
and the counts are checked by ``ucbvi-upper-values``.
"""
from __future__ import annotations

from bounds.checks import below

from . import ucbvi_values
from .claims import Claim

NAME = "ucbvi-optimism"
DELTA = ucbvi_values.DELTA

QUICK_GRID = [{"S": 2, "A": 2, "H": 3, "delta": DELTA, "bonus": "bernstein", "constants": "theory",
               "stage_dependent": False, "T": 2000}]
GRID = QUICK_GRID + [dict(QUICK_GRID[0], S=3, H=2, T=4000)]
SEEDS = 20
QUICK_SEEDS = 4


def run(config: dict, seed: int) -> dict:
    """One UCBVI run (see :func:`experiments.ucbvi_values.run`)."""
    return ucbvi_values.run(config, seed)


def check_optimism(df):
    """Runs with some ``V̄_h(s) < V*_h(s)``: at most a ``delta`` fraction (binomial test); informative where
    the upper value is below its clip."""
    v = below(df["worst_gap"].to_numpy(), 0.0, DELTA, atol=1e-9)
    v.details["informative_fraction"] = float(df["frac_below_clip"].mean())
    v.details["summary"] += f"; upper value below its clip on {df['frac_below_clip'].mean():.0%} of entries"
    return v


CLAIMS = [
    Claim(name="ucbvi-optimism", experiment=NAME, bound=None, check=check_optimism, mutants=("ucbvi.bonus-sign",),
          description="With the theory constants, UCBVI-BF's upper value dominates V*_h(s) at every stage, state and "
                      "episode on all but a delta fraction of runs (exact binomial test); informative where the upper "
                      "value is below its clip H (~25% of entries). A bonus with the wrong sign is rejected.",
          source="Azar, Osband, Munos (2017), optimism of the UCB-Q-values on the high-probability event [R]"),
]
