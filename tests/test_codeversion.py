"""Stored results are keyed by the code they ran: an edit to any module a run imports hides the old rows."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from mdptheory.codeversion import PACKAGES, code_version, import_closure

ROOT = Path(__file__).resolve().parents[1]


def test_closure_follows_imports_but_not_other_experiments():
    closure = import_closure("experiments.planning_vi")
    assert {"experiments.planning_vi", "experiments.claims", "solvers._kernels.csr", "mdptheory.envs.garnet",
            "bounds.planning", "solvers", "mdptheory"} <= set(closure)
    assert "experiments.opsrl_regret" not in closure        # another experiment: not part of this one's version
    assert all(name.split(".")[0] in PACKAGES for name in closure)


def _copy_tree(dst: Path) -> None:
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, dst / pkg, ignore=shutil.ignore_patterns("__pycache__", "out"))


def _version_and_run(tree: Path, store: Path) -> str:
    """In a fresh interpreter on ``tree``: the experiment's code version, then run its quick grid into ``store``
    and print how many jobs were computed now."""
    code = textwrap.dedent(f"""
        import experiments
        from experiments.runner import plan_jobs, execute_jobs
        from mdptheory.store import ResultStore
        mod = experiments.get_experiment("planning-pi")
        st = ResultStore({str(store)!r})
        jobs = plan_jobs(mod, quick=True, seeds=1)
        before = len(st.done_keys(mod.NAME, jobs[0].version))
        assert not execute_jobs(jobs, store=st, progress=False)
        print(experiments.code_version(mod), len(st.done_keys(mod.NAME, jobs[0].version)) - before)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True,
                         env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "NUMBA_CACHE_DIR": str(tree / ".nb")})
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_editing_a_solver_invalidates_stored_rows(tmp_path):
    tree, store = tmp_path / "tree", tmp_path / "r.sqlite"
    _copy_tree(tree)
    v1, computed = _version_and_run(tree, store)
    assert int(computed) > 0
    v1b, computed = _version_and_run(tree, store)
    assert v1b == v1 and computed == "0"                      # same code: stored rows reused
    other = tree / "experiments" / "opsrl_regret.py"           # an unrelated experiment: no effect
    other.write_text(other.read_text() + "\n# edited\n")
    assert _version_and_run(tree, store) == [v1, "0"]
    kernel = tree / "solvers" / "_kernels" / "dense.py"        # a solver the experiment runs: new version
    kernel.write_text(kernel.read_text() + "\n# a bug fix\n")
    v2, computed = _version_and_run(tree, store)
    assert v2 != v1 and int(computed) > 0                     # the old rows are not reused


def test_version_covers_library_versions(monkeypatch):
    import mdptheory.codeversion as cv

    v = code_version("experiments.planning_vi")
    monkeypatch.setattr(cv, "library_versions", lambda: {"numpy": "0.0"})
    assert code_version("experiments.planning_vi") != v


def test_numba_cache_is_keyed_by_every_kernel_source(tmp_path):
    """Numba does not recompile a cached kernel when a jitted function it calls from another file changes; the
    cache directory is named after all kernel sources, so such an edit starts a fresh cache."""
    import os

    import numba

    from mdptheory import _numba_cache

    assert numba.config.CACHE_DIR.endswith(_numba_cache.kernel_sources_hash()) or os.environ.get("NUMBA_CACHE_DIR")
    tree = tmp_path / "tree"
    _copy_tree(tree)
    probe = ("import sys; sys.path.insert(0, %r); from mdptheory._numba_cache import kernel_sources_hash; "
             "print(kernel_sources_hash())" % str(tree))
    before = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    callee = tree / "solvers" / "_kernels" / "_numba_common.py"     # called by dense.py's cached kernels
    callee.write_text(callee.read_text() + "\n# an edit of the tie rule\n")
    after = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert before != after
    unrelated = next(p for p in sorted((tree / "solvers").rglob("*.py"))   # no Numba in it: the cache stays
                     if b"numba" not in p.read_bytes())
    unrelated.write_text(unrelated.read_text() + "\n# an edit\n")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout == after
