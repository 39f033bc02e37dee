"""The user workflow: a store you can see and clean, figures from one complete run set, own claims from a file."""
from __future__ import annotations

from pathlib import Path

from experiments.runner import execute_jobs, plan_jobs
from experiments.runsets import figure_run_set, run_set
from mdptheory.cli import main
from mdptheory.store import ResultStore

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "my_claims.py"


def test_interrupted_full_run_then_quick_run_draws_the_quick_set(tmp_path, capsys, monkeypatch):
    """The issue's scenario: two jobs of an interrupted full run must not take priority over a complete quick run."""
    import experiments.cli

    monkeypatch.setattr(experiments.cli, "FIGS_AUTORUN_SECONDS", 0.0)   # the full grid counts as a long run
    db = tmp_path / "r.sqlite"
    st = ResultStore(db)
    full = plan_jobs("planning-pi", quick=False)
    assert not execute_jobs(full[:2], store=st, progress=False)          # the "interrupted" full sweep
    rs = figure_run_set("planning-pi", st)
    assert rs.mode == "full" and not rs.complete(st)                      # nothing complete yet
    assert main(["figs", "planning-pi-iterations", "--store", str(db), "--out", str(tmp_path), "--no-progress", "--jobs", "1"]) == 2
    out = capsys.readouterr().out
    assert "is incomplete" in out and "--quick" in out                    # the estimate and the hint, nothing run
    assert len(st.done_keys("planning-pi", full[0].version)) == 2
    assert main(["run", "planning-pi", "--quick", "--store", str(db), "--no-progress", "--jobs", "1"]) == 0
    rs = figure_run_set("planning-pi", st)
    assert rs.mode == "quick" and rs.complete(st)
    df = rs.load(st)
    assert len(df) == len(run_set("planning-pi", True).jobs)            # exactly the quick set, no full rows
    capsys.readouterr()
    assert main(["figs", "planning-pi-iterations", "--store", str(db), "--out", str(tmp_path), "--no-progress", "--jobs", "1"]) == 0
    assert "quick grid" in capsys.readouterr().out
    assert (tmp_path / "planning-pi-iterations.png").exists()


def test_store_status_and_clean(tmp_path, capsys):
    db = tmp_path / "r.sqlite"
    st = ResultStore(db)
    st.put("planning-pi", {"S": 3}, 0, "old-version", {"x": 1.0})        # rows of an older code version
    assert main(["run", "planning-pi", "--quick", "--store", str(db), "--no-progress", "--jobs", "1"]) == 0
    capsys.readouterr()
    assert main(["store", "status", "--store", str(db)]) == 0
    out = capsys.readouterr().out
    assert "(current)" in out and "quick 10/10 complete" in out and "(stale: not judged or drawn)" in out
    assert main(["store", "clean", "--stale", "--store", str(db)]) == 0
    assert "deleted 1 jobs" in capsys.readouterr().out
    assert {r["code_version"] for r in st.summary()} != {"old-version"} and len(st.summary()) == 1
    assert main(["store", "clean", "--store", str(db)]) == 1                # says what to delete


def test_own_claim_from_a_file(tmp_path, capsys, monkeypatch):
    import experiments

    monkeypatch.setattr(experiments, "_EXTERNAL", {})
    db = str(tmp_path / "r.sqlite")
    code = main(["verify", "--module", str(EXAMPLE), "--quick", "--store", db, "--no-report", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "my-vi-certificate" in out and "1 verified" in out and "1/1 rejected" in out
    monkeypatch.setattr(experiments, "_EXTERNAL", {})                   # a new session: the file is not loaded
    assert main(["store", "status", "--store", db]) == 0
    assert "(experiment not loaded" in capsys.readouterr().out
    assert main(["store", "clean", "--stale", "--store", db]) == 0        # a user's rows are kept without --module
    assert "kept" in capsys.readouterr().out


def test_verify_claim_from_python(tmp_path, monkeypatch):
    import experiments
    from experiments import load_module, verify_claim

    monkeypatch.setattr(experiments, "_EXTERNAL", {})
    mod = load_module(EXAMPLE)
    r = verify_claim(mod.CLAIMS[0], store=ResultStore(tmp_path / "r.sqlite"), power=True)
    assert r.status == "verified"
    assert r.details["power"].cells[("my-vi-certificate", "certificates.no-amplification")] == "rejected"


def test_sparse_models_saved_the_natural_ways(tmp_path, capsys):
    """scipy.sparse.save_npz plus the rewards; CSR parts with np.savez; a pickled matrix is refused clearly."""
    import json

    import numpy as np
    import scipy.sparse as sp

    from mdptheory.envs import garnet
    from mdptheory.io import load_npz

    g = garnet(12, 3, 3, rng=0, gamma=0.9, sparse=True)
    sp.save_npz(tmp_path / "P.npz", sp.csr_matrix(g.P))
    np.save(tmp_path / "R.npy", g.R)
    m = load_npz(tmp_path / "P.npz", gamma=0.9, R=g.R)
    assert m.is_sparse and (m.P != g.P).nnz == 0
    out = tmp_path / "result.json"
    assert main(["solve", str(tmp_path / "P.npz"), "--rewards", str(tmp_path / "R.npy"), "--gamma", "0.9",
                 "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["converged"] and len(doc["V"]) == 12 and doc["error_bound"] <= 1e-8
    assert main(["solve", str(tmp_path / "P.npz"), "--gamma", "0.9"]) == 1
    assert "--rewards R.npy" in capsys.readouterr().err
    np.savez(tmp_path / "parts.npz", P_data=g.P.data, P_indices=g.P.indices, P_indptr=g.P.indptr, R=g.R, gamma=0.9)
    assert load_npz(tmp_path / "parts.npz").is_sparse
    np.savez(tmp_path / "pickled.npz", P=sp.csr_matrix(g.P), R=g.R)
    assert main(["solve", str(tmp_path / "pickled.npz"), "--gamma", "0.9"]) == 1
    assert "never loaded because unpickling runs code" in capsys.readouterr().err
    assert main(["solve", str(tmp_path / "parts.npz"), "--out", str(tmp_path / "r.npz")]) == 0
    assert set(np.load(tmp_path / "r.npz")) >= {"V", "Q", "policy", "error_bound", "status"}


def test_version_help_examples_export_json_and_one_jobs_default(tmp_path, capsys):
    import json
    import subprocess
    import sys
    import time

    import pytest

    from experiments.cli import DEFAULT_JOBS
    from mdptheory.cli import build_parser

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("mdptheory ")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "mdptheory.cli", "--help"], capture_output=True, text=True, check=True)
    assert "examples:" in out.stdout and "verify --module" in out.stdout
    assert time.perf_counter() - t0 < 10       # lazy imports: no SymPy/SciPy.stats for --help (~0.6 s idle)
    sub = build_parser()._subparsers._group_actions[0].choices
    assert {sub[c].get_default("jobs") for c in ("run", "verify", "figs")} == {DEFAULT_JOBS}
    db = str(tmp_path / "r.sqlite")
    assert main(["run", "planning-pi", "--quick", "--store", db, "--no-progress", "--jobs", "1"]) == 0
    assert main(["export", "--json", "--out", str(tmp_path / "j"), "--store", db]) == 0
    rows = json.loads((tmp_path / "j" / "planning-pi.json").read_text())
    assert len(rows) == 10 and isinstance(rows[0]["gap"], list)
