"""The teaching notebooks (``notebooks/*.py``) and the documentation site (``mkdocs.yml``).

- every notebook executes from top to bottom in a fresh kernel with the quick settings, within a CPU budget;
- every exercise's check cell rejects a wrong answer (the answer perturbed, in the same kernel);
- every notebook has the agreed shape: Jupytext percent format, a title, the ``MDPTHEORY_FULL`` switch, at least
  two exercises (an ``answer_k = ...`` cell, a ``solution`` cell, a ``check`` cell), public imports only;
- ``mkdocs build --strict`` passes, rendering the executed notebooks with their figures, the API reference and
  the claims table generated from the registries;
- the README's "Teaching" section lists every notebook.

Notebooks are discovered (every ``notebooks/*.py`` not starting with ``_``): a new notebook is tested by dropping
its file into the folder. Each is executed once per test session; the docs build reuses those executions.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need the test extra: pip install -e '.[test]'")
jupytext = pytest.importorskip("jupytext", reason="pip install -e '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[test]'")

#: CPU seconds (kernel process, user + system) one notebook may take with the quick settings. Measured 3-22 s
#: each with a cold Numba cache (NUMBA_CACHE_DIR empty, as in a fresh clone), 3-9 s warm, on the shared 2-core
#: machine; the budget leaves room for a slower CI runner.
NOTEBOOK_CPU_BUDGET = 60.0
#: CPU seconds all the notebooks together may take. Measured 101 s cold for the 12 notebooks (53 s warm for the
#: first 11): with the site build (~10 s of CPU) and the rest of the suite (~4 min of CPU), CI stays well under
#: 20 minutes on 2 cores.
NOTEBOOKS_TOTAL_CPU_BUDGET = 240.0
#: Seconds one cell may run before nbclient gives up (a hung cell fails the test instead of stalling CI).
CELL_TIMEOUT = 600

ANSWER = re.compile(r"^answer_(\w+)\s*=\s*\.\.\.", re.M)


def _load_build():
    spec = importlib.util.spec_from_file_location("mdptheory_notebooks_build", NOTEBOOK_DIR / "_build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


build = _load_build()
NOTEBOOKS = build.notebooks(NOTEBOOK_DIR)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 8, [p.name for p in NOTEBOOKS]


# ----------------------------------------------------------------------------- structure


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def exercises(nb) -> list[tuple[str, int, int, int]]:
    """``(name, answer cell, solution cell, check cell)`` indices of each exercise, in order."""
    out = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        m = ANSWER.search(cell.source)
        if not m:
            continue
        j = next((k for k in range(i + 1, len(cells)) if cells[k].cell_type == "code"), None)
        k = next((k for k in range((j or i) + 1, len(cells)) if cells[k].cell_type == "code"), None)
        out.append((m.group(1), i, j, k))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_shape(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ---\n# jupyter:") and "format_name: percent" in text, \
        f"{path.name}: not a Jupytext percent-format notebook (jupytext --set-formats py:percent {path.name})"
    nb = jupytext.read(path)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), \
        f"{path.name}: the first cell must be a Markdown cell starting with the title ('# ...')"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert 'os.environ.get("MDPTHEORY_FULL")' in code, f"{path.name}: read MDPTHEORY_FULL for the full settings"
    ex = exercises(nb)
    assert len(ex) >= 2, f"{path.name}: {len(ex)} exercise(s); at least two, each an 'answer_k = ...' cell"
    for name, i, j, k in ex:
        assert j is not None and "solution" in _tags(nb.cells[j]) and f"answer_{name} is ..." in nb.cells[j].source, \
            f"{path.name}, exercise {name}: the next code cell must be tagged 'solution' and only fill in " \
            f"answer_{name} when it is still '...'"
        assert k is not None and "check" in _tags(nb.cells[k]) and "assert" in nb.cells[k].source, \
            f"{path.name}, exercise {name}: the cell after the solution must be tagged 'check' and assert"
        assert f"answer_{name}" in nb.cells[k].source, f"{path.name}: the check of exercise {name} must read answer_{name}"
    for node in ast.walk(ast.parse(code)):     # public APIs only: no private module of the suite
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[0] in ("mdptheory", "solvers", "bounds", "experiments", "paper_figs"):
                assert not any(p.startswith("_") for p in parts), f"{path.name} imports the private module {name}"
    assert not re.search(r"np\.random\.(rand|randn|randint|choice|seed|normal|uniform)\(", code), \
        f"{path.name}: draw random numbers from a seeded Generator (np.random.default_rng(seed))"
    assert "default_rng()" not in code, f"{path.name}: seed every Generator"


# ----------------------------------------------------------------------------- execution

#: Run in the kernel after a check cell: the check must fail on a perturbed answer.
PROBE = '''
import numpy as _np
def _mdpt_perturb(x):
    if isinstance(x, (bool, _np.bool_)):
        return not x
    if isinstance(x, (int, _np.integer)):
        return x + 1
    if isinstance(x, (float, _np.floating)):
        return x * 1.5 + 1.0
    if isinstance(x, _np.ndarray):
        y = x.astype(float).copy() if x.dtype.kind == "f" else x.copy()
        y.flat[0] = y.flat[0] + 1 + (abs(y.flat[0]) if y.dtype.kind == "f" else 0)
        return y
    if isinstance(x, (tuple, list)):
        return type(x)(_mdpt_perturb(v) for v in x)
    if isinstance(x, str):
        return x + "?"
    if isinstance(x, dict):
        return {k: _mdpt_perturb(v) for k, v in x.items()}
    raise TypeError(f"cannot perturb an answer of type {type(x).__name__}")
_mdpt_saved = ANSWER
ANSWER = _mdpt_perturb(_mdpt_saved)
try:
    exec(compile(CHECK, "<check cell>", "exec"))
except Exception as _mdpt_exc:
    _mdpt_rejected = f"{type(_mdpt_exc).__name__}: {_mdpt_exc}"
else:
    _mdpt_rejected = None
finally:
    ANSWER = _mdpt_saved
assert _mdpt_rejected is not None, "the check accepted a wrong answer (ANSWER perturbed)"
'''

CPU_PROBE = ("import resource as _r, json as _j\n"
             "_u = _r.getrusage(_r.RUSAGE_SELF); _c = _r.getrusage(_r.RUSAGE_CHILDREN)\n"
             "print(_j.dumps({'cpu': _u.ru_utime + _u.ru_stime + _c.ru_utime + _c.ru_stime}))")

_EXECUTED: dict[str, object] = {}


def _execute_with_probes(path: Path):
    """Execute the notebook cell by cell; after each check cell, feed the check a wrong answer (it must fail);
    at the end, read the kernel's CPU time. Returns ``(executed notebook, cpu seconds, rejections)``."""
    nb = jupytext.read(path)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    checks = {k: f"answer_{name}" for name, _, _, k in exercises(nb)}
    env = dict(os.environ)
    env.pop("MDPTHEORY_FULL", None)                    # the quick settings
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    rejections = {}
    with client.setup_kernel(env=env):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, index)
            if index in checks:
                probe = nbformat.v4.new_code_cell(PROBE.replace("CHECK", repr(cell.source)).replace("ANSWER", checks[index]))
                client.execute_cell(probe, index)      # nbclient stores the executed cell at that index:
                nb.cells[index] = cell                  # put the check cell back
                rejections[checks[index]] = True
        cpu_cell = nbformat.v4.new_code_cell(CPU_PROBE)
        nb.cells.append(cpu_cell)
        client.execute_cell(cpu_cell, len(nb.cells) - 1)
        nb.cells.pop()
    cpu = json.loads(cpu_cell.outputs[0]["text"])["cpu"]
    return nb, cpu, rejections


def total_cpu(out_dir: Path) -> tuple[float, dict[str, float]]:
    """Kernel CPU seconds of every notebook (executing those not yet run) and their sum."""
    each = {p.stem: executed(p, out_dir)[0] for p in NOTEBOOKS}
    return sum(each.values()), each


def executed(path: Path, out_dir: Path):
    """Each notebook executed once per session (the docs build reuses it); the exception if it failed."""
    if path.stem not in _EXECUTED:
        try:
            nb, cpu, rejections = _execute_with_probes(path)
            nbformat.write(nb, out_dir / f"{path.stem}.ipynb")
            _EXECUTED[path.stem] = (cpu, rejections)
        except Exception as exc:  # noqa: BLE001 - re-raised by every test that needs this notebook
            _EXECUTED[path.stem] = exc
    out = _EXECUTED[path.stem]
    if isinstance(out, Exception):
        raise out
    return out


@pytest.fixture(scope="module")
def executed_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("executed_notebooks")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_and_its_checks_can_fail(path, executed_dir, record_property):
    cpu, rejections = executed(path, executed_dir)
    record_property("cpu_seconds", round(cpu, 1))
    print(f"{path.name}: {cpu:.1f} s of kernel CPU; checks rejecting a wrong answer: {sorted(rejections)}")
    assert len(rejections) >= 2
    assert cpu <= NOTEBOOK_CPU_BUDGET, f"{path.name} took {cpu:.0f} s of CPU in quick mode (budget " \
                                       f"{NOTEBOOK_CPU_BUDGET:.0f} s): shrink its quick settings"
    nb = nbformat.read(executed_dir / f"{path.stem}.ipynb", as_version=4)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images >= 2, f"{path.name}: pictures first - it drew {images} figure(s)"
    # a stray warning in a teaching notebook is noise the reader cannot act on (show an intended one with print)
    stderr = [o.get("text", "")[:200] for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("name") == "stderr"]
    assert not stderr, f"{path.name} wrote to stderr: {stderr}"


def test_notebooks_together_within_the_ci_budget(executed_dir):
    try:
        total, each = total_cpu(executed_dir)
    except Exception:  # noqa: BLE001 - the failing notebook's own test reports why
        pytest.skip("a notebook did not execute (see its test)")
    print("kernel CPU per notebook (s): " + ", ".join(f"{k} {v:.1f}" for k, v in each.items()) + f"; total {total:.1f}")
    assert total <= NOTEBOOKS_TOTAL_CPU_BUDGET, \
        f"the notebooks took {total:.0f} s of CPU together (budget {NOTEBOOKS_TOTAL_CPU_BUDGET:.0f} s): shrink the " \
        f"quick settings of the slowest ({max(each, key=each.get)}: {max(each.values()):.0f} s)"


# ----------------------------------------------------------------------------- the site


def _hooks():
    spec = importlib.util.spec_from_file_location("mdptheory_site_hooks", ROOT / "docs" / "hooks" / "site.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_claims_page_is_generated_from_the_registries():
    pytest.importorskip("mkdocs", reason="pip install -e '.[docs]'")
    import experiments
    from mdptheory import mutants

    page = _hooks().claims_markdown()
    claims = experiments.all_claims()
    assert claims and all(f"| `{name}` |" in page for name in claims)
    assert all(f"| `{name}` |" in page for name in mutants.registry())
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert len(rows) == len(claims) + len(mutants.registry())
    # a table row has exactly its columns: a '|' inside a description must be escaped
    for line in rows:
        assert len(re.findall(r"(?<!\\)\|", line)) in (7, 4), line


def test_docs_build_strict(executed_dir, tmp_path):
    pytest.importorskip("mkdocs", reason="pip install -e '.[docs]'")
    pytest.importorskip("mkdocs_jupyter", reason="pip install -e '.[docs]'")
    pytest.importorskip("mkdocstrings", reason="pip install -e '.[docs]'")
    failed = []
    for p in NOTEBOOKS:
        try:
            executed(p, executed_dir)
        except Exception:  # noqa: BLE001 - reported by its own test; the site cannot be built without it
            failed.append(p.stem)
    if failed:
        pytest.fail(f"notebooks that did not execute: {', '.join(failed)}")
    site = tmp_path / "site"
    env = dict(os.environ, MDPTHEORY_NOTEBOOKS_EXECUTED=str(executed_dir), NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    for p in NOTEBOOKS:
        html = (site / "notebooks" / p.stem / "index.html").read_text(encoding="utf-8")
        assert "data:image/png" in html, f"{p.stem}: rendered without its figures"
        assert build.title(p) in html
    index = (site / "notebooks" / "index.html").read_text(encoding="utf-8")
    assert all(p.stem in index for p in NOTEBOOKS)
    claims = (site / "claims" / "index.html").read_text(encoding="utf-8")
    import experiments
    assert all(name in claims for name in experiments.all_claims())
    api = (site / "api" / "planners" / "index.html").read_text(encoding="utf-8")
    assert "value_iteration" in api and "Parameters" in api        # numpydoc sections rendered
    for page in site.rglob("*.html"):                              # nothing fetched from the network at view time
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text, f"{page}: Google Fonts (theme.font: false)"


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Teaching" in readme
    section = readme.split("## Teaching", 1)[1].split("\n## ", 1)[0]
    missing = [p.name for p in NOTEBOOKS if p.name not in section]
    assert not missing, f"README's Teaching section does not list {', '.join(missing)}"
