"""Every registered claim on its FULL (paper-sized) grid: the slow sweep behind `mdptheory verify`.

Excluded from the default run (hours of CPU for the OPSRL and R2PVI grids); run with
``pytest -m slow tests/test_claims_full.py`` or ``mdptheory verify`` (no ``--quick``), which
share the same store and code path.
"""
from __future__ import annotations

import pytest

from experiments import all_claims
from experiments.verify import verify
from mdptheory.store import ResultStore


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return ResultStore(tmp_path_factory.mktemp("full") / "r.sqlite")


@pytest.mark.slow
@pytest.mark.timeout(0)
@pytest.mark.parametrize("name", sorted(all_claims()))
def test_claim_is_verified_on_the_full_grid(name, store):
    r, = verify([name], quick=False, store=store, progress=False, jobs=2).results
    assert r.status == "verified", (r.status, r.error, r.verdict, r.control_verdicts)
