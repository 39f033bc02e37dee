"""MkDocs hooks of the documentation site (``mkdocs.yml``: ``hooks: [docs/hooks/site.py]``).

- **Notebooks.** Every teaching notebook (``notebooks/*.py`` not starting with ``_``, Jupytext percent format) is
  executed at build time by ``notebooks/_build.py`` and rendered, with its figures, by ``mkdocs-jupyter``; the
  "Teaching notebooks" section of the navigation lists them in file-name order. Dropping a new notebook into
  ``notebooks/`` is all it takes. With ``MDPTHEORY_NOTEBOOKS_EXECUTED=DIR`` the build reads the executed
  ``DIR/<name>.ipynb`` instead (the tests execute each notebook once and build the site from those).
- **Claims table.** ``claims.md`` is generated from the registries (``experiments.all_claims()``,
  ``mdptheory.mutants.registry()``, the bounds of ``bounds.registry()``): never written by hand.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NAV_SECTION = "Teaching notebooks"
ENV_EXECUTED = "MDPTHEORY_NOTEBOOKS_EXECUTED"

log = logging.getLogger("mkdocs.hooks.site")


def _builder():
    """``notebooks/_build.py`` as a module (it is a script of the notebooks folder, not an installed package)."""
    spec = importlib.util.spec_from_file_location("mdptheory_notebooks_build", NOTEBOOKS / "_build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def on_config(config):
    """Add the notebooks, in file-name order, to the navigation (after the home page)."""
    entries = [f"notebooks/{p.stem}.ipynb" for p in _builder().notebooks(NOTEBOOKS)]
    nav = list(config["nav"] or [])
    nav = [item for item in nav if not (isinstance(item, dict) and NAV_SECTION in item)]
    nav.insert(1 if nav else 0, {NAV_SECTION: ["notebooks/index.md"] + entries})
    config["nav"] = nav
    return config


@event_priority(100)       # before mkdocs-jupyter turns the .ipynb files into notebook pages
def on_files(files, config):
    build = _builder()
    sources = build.notebooks(NOTEBOOKS)
    root = Path(tempfile.mkdtemp(prefix="mdptheory-site-"))     # src_dir of the executed notebooks
    folder = root / "notebooks"
    folder.mkdir()
    given = os.environ.get(ENV_EXECUTED)
    if given:
        missing = [p.stem for p in sources if not (Path(given) / f"{p.stem}.ipynb").is_file()]
        if missing:
            raise FileNotFoundError(f"{ENV_EXECUTED}={given} lacks the executed notebook(s) {', '.join(missing)}; "
                                    "run python notebooks/_build.py --out DIR, or unset the variable")
        for p in sources:
            shutil.copyfile(Path(given) / f"{p.stem}.ipynb", folder / f"{p.stem}.ipynb")
    else:
        for p in sources:
            _, wall = build.write_executed(p, folder)
            log.info("executed %s in %.1f s", p.name, wall)
    for p in sources:       # a plain file of src_dir `root`, which mkdocs-jupyter renders as a page
        files.append(File(f"notebooks/{p.stem}.ipynb", src_dir=str(root), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    files.append(File.generated(config, "notebooks/index.md", content=notebooks_index(build, sources)))
    files.append(File.generated(config, "claims.md", content=claims_markdown()))
    return files


def notebooks_index(build, sources) -> str:
    rows = "\n".join(f"| [{build.title(p)}]({p.stem}.ipynb) | `notebooks/{p.name}` |" for p in sources)
    return f"""# Teaching notebooks

Each notebook teaches one idea with the suite's exact tools, pictures first, and ends with exercises whose
answers are checked in the next cell. The sources are Jupytext percent-format `.py` files in `notebooks/`
(reviewable in git); the pages below were executed when this site was built, with the quick settings.

| notebook | source |
|---|---|
{rows}

Open one in Jupyter (`pip install -e '.[docs]'`, then `jupyter lab notebooks/` with Jupytext installed: the
`.py` files open as notebooks), or produce executed `.ipynb` files with `python notebooks/_build.py`
(`--full` or `MDPTHEORY_FULL=1` for the full settings).
"""


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def claims_markdown() -> str:
    """The claims table (and the mutants each claim must reject), generated from the registries."""
    import bounds
    import experiments
    from mdptheory import mutants

    claims = experiments.all_claims()
    lines = ["# Claims", "",
             "Generated from the registries when the site is built (`experiments.all_claims()`, "
             "`mdptheory.mutants.registry()`, `bounds.registry()`), so it lists exactly what "
             "`mdptheory list` and `mdptheory verify` see. How a claim is judged: [verification](verification.md).",
             "", f"{len(claims)} claims, {len(mutants.registry())} registered mutants, "
             f"{len(bounds.registry())} bounds.", "",
             "| claim | experiment | bound [provenance] | source | must reject | description |",
             "|---|---|---|---|---|---|"]
    for name, c in sorted(claims.items()):
        bound = "-" if c.bound is None else f"`{c.bound.name}` [{c.bound.provenance}" + (
            ", hidden constant]" if c.bound.hidden_constant else "]")
        rejects = ", ".join(f"`{m}`" for m in c.mutants) or "-"
        if c.control is not None:
            rejects += " + an extra control"
        lines.append(f"| `{name}` | `{c.experiment}` | {bound} | {_cell(c.source)} | {rejects} | "
                     f"{_cell(c.description)} |")
    named: dict[str, list[str]] = {}
    for name, c in claims.items():
        for m in c.mutants:
            named.setdefault(m, []).append(name)
    lines += ["", "## Registered mutants", "",
              "Realistic single bugs, each a switch in the algorithm it breaks; the claims that name it must "
              "reject it (`mdptheory verify --power` also runs every claim against the other mutants of its "
              "algorithms).", "", "| mutant | the bug | named by |", "|---|---|---|"]
    for name, m in mutants.registry().items():
        by = ", ".join(f"`{c}`" for c in sorted(named.get(name, []))) or "-"
        lines.append(f"| `{name}` | {_cell(m.description)} | {by} |")
    lines += ["", "## Provenance tags", "", "| tag | meaning |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in bounds.PROVENANCE_TAGS.items()]
    return "\n".join(lines) + "\n"
