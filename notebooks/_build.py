"""Execute the teaching notebooks and write them as ``.ipynb`` files with their outputs.

The notebooks are the Jupytext percent-format ``.py`` files of this folder (every ``*.py`` whose name does
not start with ``_``); the ``.py`` file is the source kept in git, and opens in Jupyter as a notebook
(Jupytext's contents manager). This script is the one way they are executed: by hand, by the tests
(``tests/test_teaching.py``) and by the documentation build (``docs/hooks/notebooks.py``)::

    python notebooks/_build.py                       # every notebook -> notebooks/_executed/<name>.ipynb
    python notebooks/_build.py 01_planning_certificates --out /tmp/nb
    MDPTHEORY_FULL=1 python notebooks/_build.py      # the full (slow) settings instead of the quick ones

Without this script: ``jupytext --to ipynb --execute notebooks/01_planning_certificates.py`` writes the executed
notebook next to its source (``*.ipynb`` files in this folder are ignored by git).

Each notebook runs in a fresh kernel of *this* interpreter, with the notebook's folder as working directory.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Seconds one cell may take before the execution is abandoned (quick settings take seconds).
CELL_TIMEOUT = 600


def notebooks(folder: Path = HERE) -> list[Path]:
    """The notebook sources of ``folder``, sorted by name (their order on the site and in the README)."""
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def title(path: Path) -> str:
    """The notebook's title: the text of its first Markdown heading (the file name if it has none)."""
    import jupytext

    nb = jupytext.read(path)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


def execute(path: Path, *, timeout: int = CELL_TIMEOUT, env: dict[str, str] | None = None):
    """Read the percent-format notebook ``path``, run every cell in a fresh kernel, return the executed
    ``nbformat`` notebook (``nbclient.exceptions.CellExecutionError`` names the failing cell).

    ``env`` adds variables to the kernel's environment (e.g. ``{"MDPTHEORY_FULL": "1"}``).
    """
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    kernel_env = dict(os.environ)
    kernel_env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if env:
        kernel_env.update(env)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    # jupyter_client replaces a kernel command "python" by sys.executable: the kernel runs this interpreter
    client.execute(env=kernel_env)
    return nb


def write_executed(path: Path, out_dir: Path, **kwargs) -> tuple[Path, float]:
    """Execute ``path`` and write ``out_dir/<name>.ipynb``; return the file and the wall time in seconds."""
    import nbformat

    t0 = time.perf_counter()
    nb = execute(path, **kwargs)
    wall = time.perf_counter() - t0
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{path.stem}.ipynb"
    nbformat.write(nb, target)
    return target, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebook names (file stems); default: all")
    parser.add_argument("--out", type=Path, default=HERE / "_executed", help="folder for the .ipynb files")
    parser.add_argument("--full", action="store_true", help="the full settings (sets MDPTHEORY_FULL=1)")
    args = parser.parse_args(argv)
    paths = notebooks()
    if args.names:
        known = {p.stem: p for p in paths}
        unknown = [n for n in args.names if n not in known]
        if unknown:
            parser.error(f"unknown notebook(s) {', '.join(unknown)}; known: {', '.join(known)}")
        paths = [known[n] for n in args.names]
    env = {"MDPTHEORY_FULL": "1"} if args.full else None
    for p in paths:
        target, wall = write_executed(p, args.out, env=env)
        print(f"{p.name}: {wall:.1f} s -> {target}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
