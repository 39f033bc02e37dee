"""experiments.claims (verified / failed / vacuous / error), mutants and the power report, the report."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import sympy

import toy_mutants
from bounds import Bound
from bounds.checks import below
from experiments import Claim, all_claims, experiment_modules, judge, register_experiment
from experiments.claims import Crashed, verdict_label
from experiments.report import format_table, write_report
from experiments.verify import verify
from mdptheory import mutants
from mdptheory.store import ResultStore

B = Bound("test-judge-bound", sympy.Symbol("x") * 2, {"x": "input"}, source="Judge (2020), Thm 1")
BR = Bound("test-judge-bound-r", sympy.Symbol("x") * 2, {"x": "input"}, source="Judge (2020), Thm 2",
           provenance="R", hidden_constant=True)


def check(df):
    return below(df["y"].to_numpy(), 2 * df["x"].to_numpy(), delta=0.0)


def frame(y):
    return pd.DataFrame({"x": [1.0, 2.0], "y": y})


def claim(control=None, bound=B):
    return Claim("c", "exp", bound, check, control=control if control is not None else {"variant": "broken"},
                 description="demo")


def test_verified_failed_vacuous_error_are_distinct():
    good, bad = frame([1.0, 3.0]), frame([1.0, 5.0])
    assert judge(claim(), good, {"control": bad}).status == "verified"
    assert judge(claim(), bad, {"control": bad}).status == "failed"
    r = judge(claim(), good, {"control": good})
    assert r.status == "vacuous" and "does not reject control" in r.details["why"]
    r = judge(claim(), good, None)
    assert r.status == "error" and "are missing" in r.error


def test_every_named_mutant_must_be_rejected():
    c = Claim("c", "exp", B, check, mutants=("toy.double", "toy.tiny-shift"))
    assert set(c.controls()) == {"mutant:toy.double", "mutant:toy.tiny-shift"} and c.algorithms == ("toy",)
    good, bad = frame([1.0, 3.0]), frame([1.0, 5.0])
    assert judge(c, good, {"mutant:toy.double": bad, "mutant:toy.tiny-shift": bad}).status == "verified"
    r = judge(c, good, {"mutant:toy.double": bad, "mutant:toy.tiny-shift": good})
    assert r.status == "vacuous" and r.passing_controls == ["mutant:toy.tiny-shift"]
    assert r.row()["control"] == "1/2 rejected"
    # a mutant whose runs crash is caught
    assert judge(c, good, {"mutant:toy.double": Crashed("ZeroDivisionError"), "mutant:toy.tiny-shift": bad}).ok


def test_a_bound_above_the_trivial_range_is_vacuous_not_verified():
    def chk(df):
        return below(df["y"].to_numpy(), 2 * df["x"].to_numpy(), 0.0, trivial=df["cap"].to_numpy())

    c = Claim("c", "exp", B, chk, control={"variant": "broken"})
    good, bad = frame([1.0, 3.0]), frame([1.0, 5.0])
    informative = good.assign(cap=[10.0, 10.0])
    uninformative = good.assign(cap=[1.5, 3.5])          # bound 2x >= cap everywhere: it cannot bind
    assert judge(c, informative, {"control": bad.assign(cap=10.0)}).status == "verified"
    r = judge(c, uninformative, {"control": bad.assign(cap=10.0)})
    assert r.status == "vacuous" and "cannot bind" in r.details["why"]
    assert r.verdict.details["informative_fraction"] == 0.0


def test_callable_control_is_applied_to_the_real_results():
    wrong_constant = lambda df: below(df["y"].to_numpy(), 1 * df["x"].to_numpy(), delta=0.0)  # noqa: E731
    assert judge(claim(wrong_constant), frame([1.0, 3.0])).status == "verified"
    too_loose = lambda df: below(df["y"].to_numpy(), 10 * df["x"].to_numpy(), delta=0.0)  # noqa: E731
    assert judge(claim(too_loose), frame([1.0, 3.0])).status == "vacuous"


def test_check_exceptions_and_wrong_return_types_become_error():
    boom = Claim("c", "exp", B, lambda df: 1 / 0, control={"v": 1})
    r = judge(boom, frame([1.0, 1.0]), {"control": frame([1.0, 1.0])})
    assert r.status == "error" and "ZeroDivisionError" in r.error and "traceback" in r.details
    notverdict = Claim("c", "exp", B, lambda df: True, control={"v": 1})
    assert "expected bounds.checks.Verdict" in judge(notverdict, frame([1.0, 1.0]), {"control": frame([1.0, 1.0])}).error


def test_claim_requires_mutants_or_a_control_and_a_callable_check():
    with pytest.raises(ValueError, match="proves nothing"):
        Claim("c", "exp", B, check)
    with pytest.raises(ValueError, match="empty control"):
        Claim("c", "exp", B, check, control={})
    with pytest.raises(TypeError, match="check must be callable"):
        Claim("c", "exp", B, "no", control={"v": 1})  # type: ignore[arg-type]
    assert claim().source == B.source


def test_table_row_text_table_and_provenance_label():
    r = judge(claim(), frame([1.0, 3.0]), {"control": frame([1.0, 5.0])})
    row = r.row()
    assert row["verdict"] == "verified" and row["control"] == "1/1 rejected" and row["ratio"] == "0.75"
    assert row["empirical"] == "0/2 above"
    text = format_table([r])
    assert text.splitlines()[0].split() == ["claim", "source", "bound", "empirical", "ratio", "control", "verdict"]
    r2 = judge(claim(bound=BR), frame([1.0, 3.0]), {"control": frame([1.0, 5.0])})
    assert verdict_label(r2) == "verified (recalled constant R; rate/shape check, constant hidden)"


def test_mutants_registry_and_activation():
    assert mutants.get("toy.double").description == "returns 2x instead of x"
    assert [m.name for m in mutants.of("toy")] == ["toy.double", "toy.tiny-shift"]
    assert toy_mutants.algo(3.0) == 3.0
    with mutants.activated("toy.double"):
        assert toy_mutants.DOUBLE.active and not toy_mutants.TINY.active and toy_mutants.algo(3.0) == 6.0
        with pytest.raises(RuntimeError, match="do not nest"):
            with mutants.activated("toy.tiny-shift"):
                pass
    assert mutants.active_name() is None and toy_mutants.algo(3.0) == 3.0
    with pytest.raises(ValueError, match="unknown mutant"):
        with mutants.activated("toy.nope"):
            pass
    with pytest.raises(ValueError, match="another description"):
        mutants.register("toy", "double", "something else")


def test_verify_runs_mutants_and_reports_power(tmp_path, monkeypatch):
    import experiments

    monkeypatch.setattr(experiments, "_EXTERNAL", {})   # registered for this test only
    register_experiment(toy_mutants)
    claims = {c.name: c for c in toy_mutants.CLAIMS}
    out = verify(quick=True, power=True, store=ResultStore(tmp_path / "r.sqlite"), progress=False, jobs=1,
                 claims=claims)
    status = {r.claim.name: r.status for r in out.results}
    assert status == {"toy-exact": "verified", "toy-below": "verified"}
    p = out.power
    assert p.cells[("toy-exact", "toy.tiny-shift")] == "passed"        # 1e-12 is below the identity's tolerance
    assert p.cells[("toy-exact", "toy.double")] == "rejected"
    assert p.summary() == {"toy": (1, 2)} and "NOT CAUGHT" in p.format()
    assert out.code_versions["toy-mutants"]
    # mutant rows are stored under their own config key: a second run reuses them
    st = ResultStore(tmp_path / "r.sqlite")
    assert {r.get("mutant") for r in st.load("toy-mutants").to_dict("records")} >= {"toy.double", "toy.tiny-shift"}


def test_report_is_self_contained(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from experiments.report import figure_png

    fig = Figure()
    fig.add_subplot().plot([0, 1], [0, 1])
    results = [judge(claim(), frame([1.0, 3.0]), {"control": frame([1.0, 5.0])}),
               judge(claim(), frame([1.0, 5.0]), {"control": frame([1.0, 5.0])})]
    path = write_report(results, tmp_path / "r" / "index.html", {"planning-vi-contraction": (figure_png(fig), "quick grid")},
                        meta={"mode": "quick"}, problems=["bounds.x: ImportError: y"], code_versions={"exp": "abc123"},
                        claim_figures={"c": ["planning-vi-contraction"]})
    html = path.read_text()
    assert html.count("data:image/png;base64,") >= 3  # 2 formulas + 1 figure
    assert not re.search(r"(src|href)=\"https?://", html)  # no network needed
    assert "verified" in html and "failed" in html and "ImportError" in html and "abc123" in html
    assert html.count('id="fig-planning-vi-contraction"') == 1 and 'href="#fig-planning-vi-contraction"' in html
    assert "commit" in html and "machine" in html


def test_registered_claims_are_well_formed():
    claims = all_claims()
    assert {"vi-contraction", "vi-iteration-count", "pi-iteration-bound", "pi-monotone-improvement",
            "performance-difference", "simulation-lemma"} <= set(claims)
    mods = experiment_modules()
    registered = mutants.registry()
    for c in claims.values():
        assert c.experiment in mods and c.source and c.description
        assert all(m in registered for m in c.mutants), c.name


def test_quick_grids_are_small():
    """`mdptheory verify --quick` must stay fast: the quick jobs of every experiment with claims (real
    grid plus one grid per distinct control) stay at most 200, or at most an experiment's own
    ``QUICK_JOB_LIMIT`` (cheap jobs whose claim needs more seeds; never above 400)."""
    for name, mod in experiment_modules().items():
        if not mod.CLAIMS:
            continue
        controls = {json.dumps(dict(v), sort_keys=True) for c in mod.CLAIMS for v in c.controls().values()
                    if not callable(v)}
        limit = getattr(mod, "QUICK_JOB_LIMIT", 200)
        assert limit <= 400 and (1 + len(controls)) * len(mod.QUICK_GRID) * mod.QUICK_SEEDS <= limit, name
