"""The MDP-GapE claims end to end on their quick grids: verified, with every named mutant and control rejected,
and the figures drawn from the stored runs."""
from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from experiments.verify import verify
from mdptheory.store import ResultStore

matplotlib.use("Agg")

#: Claims cheap enough for the default suite; the others (a few hundred runs per variant) are ``slow``.
FAST = ["mdpgape-bounds-recursion", "mdpgape-bandit-reduction"]
SLOW = ["mdpgape-gap-dependence", "mdpgape-delta-correct", "mdpgape-bounds-valid", "mdpgape-fixed-budget"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return ResultStore(tmp_path_factory.mktemp("mdpgape") / "r.sqlite")


@pytest.mark.parametrize("name", FAST + [pytest.param(n, marks=pytest.mark.slow) for n in SLOW])
def test_mdpgape_claim_is_verified_on_the_quick_grid(name, store):
    r, = verify([name], quick=True, store=store, progress=False, jobs=1).results
    assert r.status == "verified", (r.status, r.error, r.verdict, r.control_verdicts)
    assert all(not v.passed for v in r.control_verdicts.values())


def test_every_mdp_gape_mutant_is_named_by_some_claim():
    from experiments import all_claims
    from mdptheory import mutants

    named = {m for c in all_claims().values() for m in c.mutants}
    assert {m.name for a in ("mdp-gape", "mdp-gape-stopping") for m in mutants.of(a)} <= named


def test_figures_draw_from_small_runs():
    from experiments import mdpgape_budget as B
    from experiments import mdpgape_confidence as C
    from paper_figs import mdpgape_fig1, mdpgape_fig2
    import pandas as pd

    rows = [{**cfg, **C.run(dict(cfg, runs=2), s)} for cfg in C.QUICK_GRID[:2] for s in range(2)]
    fig = mdpgape_fig1.draw(pd.DataFrame(rows))
    assert fig.axes[0].get_xscale() == "log" and len(mdpgape_fig1.table(pd.DataFrame(rows))) == 2
    cfg = dict(B._BASE, budgets=[50, 200], runs=3, planners=list(B.PLANNERS))
    rows = [{**cfg, **B.run(cfg, s)} for s in range(2)]
    fig = mdpgape_fig2.draw(pd.DataFrame(rows))
    assert fig.axes[0].get_yscale() == "symlog"
    means = mdpgape_fig2.mean_regrets(pd.DataFrame(rows))
    assert set(means) == set(mdpgape_fig2.PLANNERS) and all(np.all(m[2] <= m[1] + 1e-12) for m in means.values())
