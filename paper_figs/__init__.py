"""Paper figures: one module per figure, auto-discovered, drawn only from stored results.

A figure module defines

- ``FIGURE: str`` — output name (``"planning-vi-contraction"``);
- ``EXPERIMENT: str`` — the ``NAME`` of the experiment whose stored results it reads;
- ``draw(results: pandas.DataFrame) -> matplotlib.figure.Figure`` — never runs an algorithm;
- optionally ``CLAIMS: list[str]`` — the claims it illustrates (the report puts it next to them);
- a module docstring saying what the paper's figure shows and how ours compares.

:func:`save_figure` writes ``paper_figs/out/<FIGURE>.png`` and ``.pdf``; ``mdptheory figs`` does it for every
figure, from one complete run set of its experiment (:mod:`experiments.runsets`: never a mixture of an
interrupted full run and a quick one), stamped with the runs it used. :func:`runs` selects the real runs (or
one mutant's) inside a set.
"""
from __future__ import annotations

import types
from pathlib import Path
from typing import Any

from mdptheory.discovery import import_submodules

__all__ = ["figure_modules", "get_figure", "draw_figure", "save_figure", "describe", "OUT_DIR", "import_errors",
           "runs"]

#: Default output folder, ``paper_figs/out``.
OUT_DIR = Path(__file__).resolve().parent / "out"

#: module name -> "ExceptionType: message" for figure modules that failed to import.
import_errors: dict[str, str] = {}


def runs(results: Any, mutant: str | None = None, **config: Any) -> Any:
    """The rows of one kind of run: the real runs (``mutant=None``) or those of one registered mutant,
    restricted to the given config values (``runs(df, variant="exact")``). A figure draws real runs, and a
    mutant's runs only where it says so: the store also holds every mutant's rows for the same code version.
    """
    keep = results["mutant"].isna() if "mutant" in results.columns else results.index == results.index
    if mutant is not None:
        keep = results["mutant"] == mutant if "mutant" in results.columns else ~keep
    for k, v in config.items():
        if k in results.columns:
            keep = keep & (results[k] == v)
    return results[keep]


def figure_modules() -> dict[str, types.ModuleType]:
    """All figure modules, ``FIGURE -> module`` (sorted); broken modules are warned and recorded."""
    found: dict[str, types.ModuleType] = {}
    for mod in import_submodules(__name__, __path__, errors=import_errors):
        if not (hasattr(mod, "FIGURE") and hasattr(mod, "draw")):
            continue
        if not hasattr(mod, "EXPERIMENT"):
            raise TypeError(f"figure module {mod.__name__} lacks EXPERIMENT (the experiment NAME it reads)")
        if mod.FIGURE in found:
            raise ValueError(f"FIGURE {mod.FIGURE!r} is defined by both {found[mod.FIGURE].__name__} and {mod.__name__}")
        found[mod.FIGURE] = mod
    return dict(sorted(found.items()))


def get_figure(name: str) -> types.ModuleType:
    """The figure module called ``name`` (a ``ValueError`` lists the known names)."""
    mods = figure_modules()
    if name not in mods:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(mods) or 'none'}")
    return mods[name]


def draw_figure(name: str, results: Any = None, quick: bool | None = None, store: Any = None):
    """Draw figure ``name`` from ``results``, by default from one complete run set of its experiment (the
    full grid if complete, else the quick grid; ``quick`` picks one; see :mod:`experiments.runsets`)."""
    mod = get_figure(name)
    if results is None:
        from experiments.runsets import figure_run_set
        from mdptheory.store import ResultStore

        st = store if store is not None else ResultStore()
        rs = figure_run_set(mod.EXPERIMENT, st, quick)
        if not rs.complete(st):
            raise ValueError(f"figure {name!r}: the {rs.describe(st)} is incomplete; run `mdptheory run "
                             f"{mod.EXPERIMENT} --quick` (or `mdptheory figs {name} --quick`)")
        results = rs.load(st)
    return mod.draw(results)


def save_figure(fig, name: str, out_dir: str | Path | None = None, stamp: str | None = None) -> list[Path]:
    """Save ``fig`` as ``<out_dir>/<name>.png`` (150 dpi) and ``.pdf``, with ``stamp`` (which runs it was drawn
    from) written small under the axes; returns both paths."""
    out = Path(out_dir) if out_dir is not None else OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    if stamp:
        fig.text(0.01, 0.002, stamp, fontsize=6, color="0.4", ha="left", va="bottom")
    paths = [out / f"{name}.png", out / f"{name}.pdf"]
    fig.savefig(paths[0], dpi=150, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    return paths


def describe() -> list[str]:
    """One line per figure, for ``mdptheory list``."""
    lines = []
    for name, mod in figure_modules().items():
        doc = (mod.__doc__ or "").strip().splitlines()
        lines.append(f"{name}  (experiment {mod.EXPERIMENT}){': ' + doc[0] if doc else ''}")
    return lines
