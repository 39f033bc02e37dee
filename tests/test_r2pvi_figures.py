"""The R2PVI figures draw from stored-looking rows (synthetic here: the drawing code, not the numbers), name the
paper figure they regenerate, select real runs only, say what their bands are and how many replications they
average, and write a note where curves coincide; every paper figure module names its paper figure (or that
there is none)."""
from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer

import paper_figs
from experiments import r2pvi_linear_sim, r2pvi_option, r2pvi_timing
from paper_figs import r2pvi_fig1a, r2pvi_fig1b, r2pvi_fig1c, r2pvi_fig1d, r2pvi_fig2
from paper_figs._r2pvi_common import OFFICIAL_1A, PAPER_1D, coincidence_note


def _frame(grid, seeds, make, mutant_rows=True):
    rows = []
    for cfg in grid:
        for s in range(seeds):
            rows.append(dict(cfg, seed=s, mutant=None, **make(cfg, s)))
    if mutant_rows:   # the store also holds mutant rows for the same configs: they must never be drawn
        rows += [dict(r, mutant="r2pvi.chi2-minimised", values=np.full(11, 99.0), values_mc=np.full(11, 99.0))
                 for r in rows[:3]]
    return pd.DataFrame(rows)


def _linear_rows(cfg, s):
    if cfg["version"] == "official" and cfg["fig"] == "1a" and cfg["method"] in OFFICIAL_1A:
        mc = np.array(OFFICIAL_1A[cfg["method"]]) + 0.001 * (s - 1.5)      # mean = the official curve
    else:
        mc = np.linspace(1.5, 0.8, 11) + 0.01 * s
    return {"values": np.linspace(1.4, 1.0, 11) + 0.01 * s, "values_mc": mc, "value_q09": 1.0 + 0.01 * s,
            "value_q09_mc": 0.9 + 0.01 * s}


def _texts(fig) -> str:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title()] + [t.get_text() for t in ax.texts]
    return " ".join(out).replace("\n", " ")     # captions are wrapped


@pytest.mark.parametrize("module, tag", [(r2pvi_fig1a, "Figure 1(a)"), (r2pvi_fig1b, "Figure 1(b)"),
                                         (r2pvi_fig1c, "Figure 1(c)")])
def test_linear_figures(module, tag):
    df = _frame(r2pvi_linear_sim.QUICK_GRID, 3, _linear_rows)
    fig = module.draw(df)
    text = _texts(fig)
    assert f"Regenerates Tang, Liu & Xu (ICML 2025) {tag}" in text
    assert "over 3 replications" in text and "±1 standard deviation" in text
    assert len(fig.axes) == 2                                           # paper-faithful and official panels
    ymax = max(ax.get_ylim()[1] for ax in fig.axes)
    assert ymax < 50                                                    # the mutant rows (99) are not drawn
    if module is r2pvi_fig1a:
        assert "on the official main.py output" in text                 # official curves equal main.py's


def test_option_figure():
    def make(cfg, s):
        ref = PAPER_1D[(cfg["method"], cfg["param"])]
        return {"values": np.array(ref) * 0.9, "values_mc": np.array(ref), "s0": 100.0}
    fig = r2pvi_fig1d.draw(_frame(r2pvi_option.GRID, 3, make))
    text = _texts(fig)
    assert "Regenerates Tang, Liu & Xu (ICML 2025) Figure 1(d)" in text and "over 3 replications" in text
    assert "PEVI, R2PVI-TV λ=1" in text and "on the paper's Figure 1(d)" in text


def test_timing_figure_has_every_setting_and_error_bars():
    df = _frame(r2pvi_timing.GRID, 3, lambda cfg, s: {"train_seconds": 0.01 * (1 + s) * cfg["N"] / 1000},
                mutant_rows=False)
    fig = r2pvi_fig2.draw(df)
    text = _texts(fig)
    assert "Regenerates Tang, Liu & Xu (ICML 2025) Figure 2" in text and "over 3 replications" in text
    ticks = [[t.get_text() for t in ax.get_xticklabels()] for ax in fig.axes]
    assert ticks == [["30", "60", "120"], ["1000", "5000", "10000"]]
    for ax in fig.axes:
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert len(bars) == 5 and all(c.errorbar is not None for c in bars)   # one bar set per learner


def test_coincidence_note_groups_coinciding_curves_only():
    text = coincidence_note({"A": np.array([1.0, 2.0]), "B": np.array([1.001, 2.002]), "C": np.array([1.2, 2.0]),
                             "D": np.array([1.004, 2.003])}, {"C": [1.2, 2.001]})
    assert text == "A = B = D; C on its published curve"
    assert coincidence_note({"A": np.array([1.0]), "B": np.array([2.0])}) == ""


def test_every_paper_figure_names_its_paper_figure():
    """Each figure says in its title which paper figure it regenerates, or that there is none (the OPSRL figure
    is another issue's)."""
    for name, mod in paper_figs.figure_modules().items():
        if name == "opsrl-regret":
            continue
        src = inspect.getsource(mod)
        assert "Regenerates " in src or "No paper figure" in src, name
