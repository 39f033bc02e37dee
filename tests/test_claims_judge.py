"""experiments.claims (verified / failed / vacuous / error), the report and the verify CLI plumbing."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import sympy

from bounds import Bound
from bounds.checks import below
from experiments import Claim, all_claims, experiment_modules, judge
from experiments.report import format_table, write_report

B = Bound("test-judge-bound", sympy.Symbol("x") * 2, {"x": "input"}, source="Judge (2020), Thm 1")


def check(df):
    return below(df["y"].to_numpy(), 2 * df["x"].to_numpy(), delta=0.0)


def frame(y):
    return pd.DataFrame({"x": [1.0, 2.0], "y": y})


def claim(control=None):
    return Claim("c", "exp", B, check, control if control is not None else {"variant": "broken"},
                 description="demo")


def test_verified_failed_vacuous_error_are_distinct():
    good, bad = frame([1.0, 3.0]), frame([1.0, 5.0])
    assert judge(claim(), good, bad).status == "verified"
    assert judge(claim(), bad, bad).status == "failed"
    assert judge(claim(), good, good).status == "vacuous"
    r = judge(claim(), good, None)
    assert r.status == "error" and "control results are missing" in r.error


def test_callable_control_is_applied_to_the_real_results():
    wrong_constant = lambda df: below(df["y"].to_numpy(), 1 * df["x"].to_numpy(), delta=0.0)  # noqa: E731
    assert judge(claim(wrong_constant), frame([1.0, 3.0])).status == "verified"
    too_loose = lambda df: below(df["y"].to_numpy(), 10 * df["x"].to_numpy(), delta=0.0)  # noqa: E731
    assert judge(claim(too_loose), frame([1.0, 3.0])).status == "vacuous"


def test_check_exceptions_and_wrong_return_types_become_error():
    boom = Claim("c", "exp", B, lambda df: 1 / 0, {"v": 1})
    r = judge(boom, frame([1.0, 1.0]), frame([1.0, 1.0]))
    assert r.status == "error" and "ZeroDivisionError" in r.error and "traceback" in r.details
    notverdict = Claim("c", "exp", B, lambda df: True, {"v": 1})
    assert "expected bounds.checks.Verdict" in judge(notverdict, frame([1.0, 1.0]), frame([1.0, 1.0])).error


def test_claim_requires_a_negative_control_and_a_callable_check():
    with pytest.raises(TypeError, match="negative control"):
        Claim("c", "exp", B, check, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty control"):
        Claim("c", "exp", B, check, {})
    with pytest.raises(TypeError, match="check must be callable"):
        Claim("c", "exp", B, "no", {"v": 1})  # type: ignore[arg-type]
    assert claim().source == B.source


def test_table_row_and_text_table():
    r = judge(claim(), frame([1.0, 3.0]), frame([1.0, 5.0]))
    row = r.row()
    assert row["verdict"] == "verified" and row["control"] == "rejected" and row["ratio"] == "0.75"
    assert row["empirical"] == "0/2 above"
    text = format_table([r])
    assert text.splitlines()[0].split() == ["claim", "source", "bound", "empirical", "ratio", "control", "verdict"]


def test_report_is_self_contained(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from experiments.report import figure_png

    fig = Figure()
    fig.add_subplot().plot([0, 1], [0, 1])
    results = [judge(claim(), frame([1.0, 3.0]), frame([1.0, 5.0])),
               judge(claim(), frame([1.0, 5.0]), frame([1.0, 5.0]))]
    path = write_report(results, tmp_path / "r" / "index.html", {"c": [("fig", figure_png(fig))]},
                        meta={"mode": "quick"}, problems=["bounds.x: ImportError: y"])
    html = path.read_text()
    assert html.count("data:image/png;base64,") >= 3  # 2 formulas + 1 figure
    assert not re.search(r"(src|href)=\"https?://", html)  # no network needed
    assert "verified" in html and "failed" in html and "ImportError" in html and "2 x" in html


def test_registered_claims_are_well_formed():
    claims = all_claims()
    assert {"vi-contraction", "vi-iteration-count", "pi-iteration-bound", "pi-monotone-improvement",
            "performance-difference", "simulation-lemma"} <= set(claims)
    mods = experiment_modules()
    for c in claims.values():
        assert c.experiment in mods and c.source and c.description
        assert c.control_overrides is None or c.control_overrides  # every claim has a real control


def test_quick_grids_are_small():
    """`mdptheory verify --quick` must stay fast: the quick jobs of every experiment with claims (real
    grid plus one grid per distinct control variant) stay at most 200."""
    for name, mod in experiment_modules().items():
        controls = {json.dumps(c.control_overrides, sort_keys=True) for c in mod.CLAIMS if c.control_overrides}
        if mod.CLAIMS:
            assert (1 + len(controls)) * len(mod.QUICK_GRID) * mod.QUICK_SEEDS <= 200, name
