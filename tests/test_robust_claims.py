"""The robust-sanity claims: verified on the quick grid, each control rejected (judged without the store)."""
from __future__ import annotations

import pandas as pd
import pytest

from experiments import judge
from experiments import robust_sanity as E


def _frame(overrides=None, seeds=2):
    rows = []
    for cfg in E.QUICK_GRID:
        cfg = dict(cfg, **(overrides or {}))
        for seed in range(seeds):
            rows.append(dict(cfg, seed=seed, **E.run(cfg, seed)))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def real():
    return _frame()


@pytest.mark.parametrize("claim", E.CLAIMS, ids=lambda c: c.name)
def test_claim_verified_and_control_rejected(claim, real):
    result = judge(claim, real, {"control": _frame(claim.control_overrides)})
    assert result.status == "verified", (result.status, result.verdict, result.control_verdicts, result.error)


def test_unknown_variant():
    with pytest.raises(ValueError, match="variant"):
        E.run(dict(E.QUICK_GRID[0], variant="nope"), 0)
