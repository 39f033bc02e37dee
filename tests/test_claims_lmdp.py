"""The latent-MDP claims end to end (issue 18): verified on their quick grids with every named mutant and control
rejected. The planner claims are cheap and run by default; the learner claims (a few minutes of learning runs)
are ``slow``."""
from __future__ import annotations

import pytest

from experiments import all_claims
from experiments.verify import verify
from mdptheory import mutants
from mdptheory.store import ResultStore

PLANNER = ["lmdp-planner-exact", "lmdp-alpha-monte-carlo", "lmdp-var-star-exact"]
#: learner claims cheap enough for the default run (a few hundred micro episodes, no regret curves)
CHEAP_LEARNER = ["lmdp-optimistic-values-recomputed"]
LEARNER = ["lmdp-regret-rate", "lmdp-optimism", "lmdp-variance", "lmdp-horizon-free", "lmdp-lower-bound"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return ResultStore(tmp_path_factory.mktemp("lmdp") / "r.sqlite")


@pytest.mark.parametrize("name", PLANNER + CHEAP_LEARNER)
def test_planner_claim_is_verified_on_the_quick_grid(name, store):
    r, = verify([name], quick=True, store=store, progress=False, jobs=1).results
    assert r.status == "verified", (r.status, r.error, r.verdict, r.control_verdicts)


@pytest.mark.slow
@pytest.mark.timeout(0)
@pytest.mark.parametrize("name", LEARNER)
def test_learner_claim_is_verified_on_the_quick_grid(name, store):
    r, = verify([name], quick=True, store=store, progress=False, jobs=2).results
    assert r.status == "verified", (r.status, r.error, r.verdict, r.control_verdicts)


def test_every_lmdp_mutant_is_named_by_a_claim_and_every_claim_names_one():
    claims = {n: c for n, c in all_claims().items() if n.startswith("lmdp-")}
    assert sorted(claims) == sorted(PLANNER + CHEAP_LEARNER + LEARNER)
    named = {m for c in claims.values() for m in c.mutants}
    for algo in ("lmdp-planner", "lmdp-var-star", "lmdp-learner"):
        assert mutants.of(algo), algo
        assert {m.name for m in mutants.of(algo)} <= named, algo
    assert all(c.mutants for c in claims.values())
