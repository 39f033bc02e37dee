"""Paper figures: one module per figure, auto-discovered, drawn only from stored results.

A figure module defines

- ``FIGURE: str`` — output name (``"planning-vi-contraction"``);
- ``EXPERIMENT: str`` — the ``NAME`` of the experiment whose stored results it reads;
- ``draw(results: pandas.DataFrame) -> matplotlib.figure.Figure`` — never runs an algorithm;
- optionally ``CLAIMS: list[str]`` — the claims it illustrates (the report puts it next to them);
- a module docstring saying what the paper's figure shows and how ours compares.

:func:`save_figure` writes ``paper_figs/out/<FIGURE>.png`` and ``.pdf``; ``mdptheory figs`` does it
for every figure (running the experiment first if nothing is stored).
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


def draw_figure(name: str, results: Any = None):
    """Draw figure ``name`` from ``results`` (default: the experiment's stored results)."""
    mod = get_figure(name)
    if results is None:
        from experiments import load_results

        results = load_results(mod.EXPERIMENT)
    if len(results) == 0:
        raise ValueError(
            f"figure {name!r}: no stored results for experiment {mod.EXPERIMENT!r}; run `mdptheory run {mod.EXPERIMENT} --quick`"
        )
    return mod.draw(results)


def save_figure(fig, name: str, out_dir: str | Path | None = None) -> list[Path]:
    """Save ``fig`` as ``<out_dir>/<name>.png`` (150 dpi) and ``.pdf``; returns both paths."""
    out = Path(out_dir) if out_dir is not None else OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
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
