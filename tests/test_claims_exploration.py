"""The pure-exploration claims on their quick grids (verified, every named mutant rejected), Lemma 13 by
Hypothesis, and the NRoom figure drawn from small runs."""
from __future__ import annotations

import math

import matplotlib
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounds.rfexpress import lemma13_bound, lemma13_hypothesis, lemma13_largest_tau
from experiments.verify import verify
from mdptheory import mutants
from mdptheory.store import ResultStore

matplotlib.use("Agg")

#: Every claim with its named mutants, on the quick grids (about 45 s in all on a loaded 2-core machine).
CLAIMS = ["rfexpress-lemma13", "rfexpress-tau-rate", "rfexpress-error-function", "bpi-ucrl-kl-bounds",
          "rfexpress-pac", "bpi-ucrl-pac", "bpi-ucrl-sandwich"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return ResultStore(tmp_path_factory.mktemp("rfexpress") / "r.sqlite")


@pytest.mark.parametrize("name", CLAIMS)
def test_exploration_claim_is_verified_on_the_quick_grid(name, store):
    r, = verify([name], quick=True, store=store, progress=False, jobs=1).results
    assert r.status == "verified", (r.status, r.error, r.verdict, r.control_verdicts)
    assert all(not v.passed for v in r.control_verdicts.values())


def test_every_exploration_mutant_is_named_by_some_claim():
    from experiments import all_claims

    named = {m for c in all_claims().values() for m in c.mutants}
    algos = ("rf-express", "rf-ucrl", "bpi-ucrl", "rf-express-lemma")
    assert {m.name for a in algos for m in mutants.of(a)} <= named


_pos = st.floats(min_value=math.exp(-6), max_value=math.exp(6))


@settings(max_examples=150, deadline=None)
@given(A=_pos, B=_pos, C=_pos, D=_pos, grow=st.floats(0.0, 3.0), la=st.floats(0.0, 3.0),
       zero=st.sampled_from(["none", "B", "D"]))
def test_lemma13_holds(A, B, C, D, grow, la, zero):
    """Ménard et al. (2021), Lemma 13: the largest tau satisfying the implicit inequality is below the bound."""
    E = B * math.exp(grow)
    B = 0.0 if zero == "B" else B
    D = 0.0 if zero == "D" else D
    alpha = math.exp(1 + la)
    tau = lemma13_largest_tau(A, B, C, D, E, alpha)
    if tau is None:
        return
    assert lemma13_hypothesis(tau, A, B, C, D, E, alpha) == pytest.approx(0.0, abs=1e-6 * tau)
    assert tau <= lemma13_bound(A, B, C, D, E, alpha) * (1 + 1e-9)


def test_lemma13_without_the_square_fails_somewhere():
    """The mis-stated constant (no square on C + sqrt D) is falsified: small A, B and a large C."""
    args = (0.000628, 0.00703, 40.7, 0.000534, 0.00884, 2.88)
    tau = lemma13_largest_tau(*args)
    assert tau <= lemma13_bound(*args)
    with mutants.activated("rf-express-lemma.no-square"):
        assert tau > lemma13_bound(*args)


def test_nroom_figure_draws_from_small_runs():
    from experiments import rfexpress_nroom as N
    from paper_figs import rfexpress_nroom as F

    rows = [{**cfg, "mutant": None, **N.run(dict(cfg, nrooms=2, episodes=30), s)} for cfg in N.QUICK_GRID
            for s in range(2)]
    df = pd.DataFrame(rows)
    curves = F.curves(df)
    assert set(curves) == {"rf-express", "rf-ucrl"}
    for d in curves.values():
        assert (d["visited"][0] <= 53).all() and (d["entropy"][0] >= 0).all()
    fig = F.draw(df)
    assert fig.axes[2].get_yscale() == "log" and len(fig.axes) == 3
