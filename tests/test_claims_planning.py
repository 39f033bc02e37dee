"""The planning claims end to end: each is verified on its quick grid (real run passes, negative
control rejected), the broken variants misbehave as documented, and the CLI drives it all."""
from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.verify import verify
from mdptheory.cli import main
from mdptheory.store import ResultStore

PLANNING = ["vi-contraction", "vi-iteration-count", "pi-iteration-bound", "pi-monotone-improvement",
            "performance-difference", "simulation-lemma", "planner-certificates"]
PLANNING_ALGORITHMS = ("bellman", "certificates", "policy-evaluation", "backward-induction", "identities")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return ResultStore(tmp_path_factory.mktemp("planning") / "r.sqlite")


@pytest.mark.parametrize("name", PLANNING)
def test_planning_claim_is_verified_on_the_quick_grid(name, store):
    r, = verify([name], quick=True, store=store, progress=False, jobs=1).results
    assert r.status == "verified", (r.status, r.error, r.verdict, r.control_verdicts)


def test_every_planning_mutant_is_named_by_a_claim():
    """Each registered mutant of the planners is a control some planning claim must reject (and the claims
    above are verified, so they do)."""
    from experiments import all_claims
    from mdptheory import mutants

    named = {m for c in all_claims().values() for m in c.mutants}
    for algo in PLANNING_ALGORITHMS:
        assert mutants.of(algo), algo
        assert {m.name for m in mutants.of(algo)} <= named, algo


def test_vi_contraction_is_nearly_tight_on_garnets_and_the_discount_mutant_stalls():
    from experiments import planning_vi as m
    from mdptheory import mutants

    cfg = dict(m.QUICK_GRID[0])
    out = m.run(cfg, 0)
    k = np.arange(out["err"].size)
    ratio = out["err"][1:] / (cfg["gamma"] ** k[1:] * out["e0"])
    assert ratio.max() <= 1 + 1e-9 and ratio.max() > 0.5
    with mutants.activated("bellman.discount-squared"):
        bad = m.run(cfg, 0)
    assert bad["err"][-1] > 0.1 * bad["e0"]  # stuck at the wrong fixed point


def test_pi_mutants_never_reach_the_independent_optimum():
    from experiments import planning_pi as m
    from mdptheory import mutants

    cfg = dict(m.QUICK_GRID[0])
    ok = m.run(cfg, 1)
    assert ok["iters_to_optimal"] <= ok["iterations"] and ok["max_decrease"] < 0
    for name in ("policy-evaluation.transposed", "bellman.discount-squared"):
        with mutants.activated(name):
            assert math.isinf(m.run(cfg, 1)["iters_to_optimal"]), name


def test_identity_tolerances_are_tiny_but_cover_the_real_error():
    from experiments import planning_identities as m

    cfg = dict(m.QUICK_GRID[1])  # gamma = 0.99: the ill-conditioned case
    out = m.run(cfg, 3)
    assert abs(out["pdl_lhs"] - out["pdl_rhs"]) <= out["pdl_tol"] < 1e-6
    assert np.all(np.abs(out["sim_lhs"] - out["sim_rhs"]) <= out["sim_tol"])
    assert out["sim_tol"].max() < 1e-6


def test_cli_run_verify_figs_export(tmp_path, capsys):
    db = str(tmp_path / "r.sqlite")
    assert main(["run", "planning-pi", "--quick", "--store", db, "--no-progress", "--jobs", "1"]) == 0
    assert "10/10 jobs stored (10 computed now" in capsys.readouterr().out
    assert main(["run", "planning-pi", "--quick", "--store", db, "--no-progress", "--jobs", "1"]) == 0
    assert "(0 computed now, 10 already stored)" in capsys.readouterr().out
    report = tmp_path / "rep" / "index.html"
    code = main(["verify", "pi-iteration-bound", "pi-monotone-improvement", "--quick", "--jobs", "1",
                 "--store", db, "--report", str(report), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "pi-iteration-bound" in out and "2 verified, 0 failed, 0 vacuous, 0 error" in out
    assert report.exists() and "data:image/png;base64," in report.read_text()
    assert main(["figs", "planning-pi-iterations", "--out", str(tmp_path / "figs"), "--store", db, "--jobs", "1"]) == 0
    assert (tmp_path / "figs" / "planning-pi-iterations.png").exists()
    assert (tmp_path / "figs" / "planning-pi-iterations.pdf").exists()
    assert main(["export", "--csv", "--out", str(tmp_path / "csv"), "--store", db]) == 0
    assert (tmp_path / "csv" / "planning-pi.csv").exists()


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["verify", "no-such-claim", "--no-report", "--store", str(tmp_path / "r.sqlite")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mdptheory: error: unknown claim(s) no-such-claim") and err.count("\n") == 1
    assert main(["run", "no-such-experiment"]) == 1
    assert "unknown experiment" in capsys.readouterr().err


def test_cli_list_shows_bounds_with_sources(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "pi-howard-iterations" in out and "Scherrer" in out and "planning-vi" in out
