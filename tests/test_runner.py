"""experiments.runner: local, joblib and Dask backends; skipping stored jobs; resume after SIGKILL.

A toy experiment module is written to a temporary folder. Every call of its ``run`` drops a marker
file, so the tests count exactly how many jobs were (re)computed.
"""
from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import numpy as np
import pytest

from experiments import get_experiment
from experiments.runner import JobFailure, execute_jobs, plan_jobs, run_experiment
from mdptheory.store import ResultStore

TOY = textwrap.dedent('''
    """Toy experiment for the runner tests."""
    import os, time, uuid
    import numpy as np

    NAME = "{name}"
    GRID = [{{"a": a, "sleep": {sleep}}} for a in (1, 2, 3, 4)]
    QUICK_GRID = [{{"a": 1, "sleep": 0.0}}]
    SEEDS = {seeds}
    QUICK_SEEDS = 2
    CLAIMS = []
    MARKERS = {markers!r}

    def run(config, seed):
        open(os.path.join(MARKERS, f"{{config['a']}}-{{seed}}-{{uuid.uuid4().hex}}"), "w").close()
        if config.get("fail") and seed == 1:
            raise RuntimeError("boom on purpose")
        time.sleep(config["sleep"])
        return {{"x": config["a"] * 10 + seed, "arr": np.arange(3) * seed}}
''')


def make_toy(tmp_path, sleep=0.0, seeds=3):
    """Write a uniquely named toy experiment module; returns (module, markers folder)."""
    name = f"toy_exp_{uuid.uuid4().hex[:8]}"
    markers = tmp_path / "markers"
    markers.mkdir(exist_ok=True)
    (tmp_path / f"{name}.py").write_text(TOY.format(name=name, sleep=sleep, seeds=seeds, markers=str(markers)))
    sys.path.insert(0, str(tmp_path))
    try:
        mod = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))  # workers import it from its file (Job.file)
    return get_experiment(mod), markers


def n_markers(markers) -> int:
    return len(os.listdir(markers))


@pytest.fixture
def store(tmp_path):
    return ResultStore(tmp_path / "r.sqlite")


def test_sequential_run_returns_all_rows_and_rerun_computes_nothing(tmp_path, store):
    mod, markers = make_toy(tmp_path)
    df = run_experiment(mod, store=store, progress=False)
    assert len(df) == 12 and n_markers(markers) == 12
    assert sorted(df["x"]) == sorted(a * 10 + s for a in (1, 2, 3, 4) for s in range(3))
    np.testing.assert_array_equal(df.sort_values(["a", "seed"]).iloc[-1]["arr"], [0, 2, 4])
    df2 = run_experiment(mod, store=store, progress=False)
    assert n_markers(markers) == 12 and len(df2) == 12  # nothing recomputed


def test_quick_seeds_and_overrides(tmp_path, store):
    mod, markers = make_toy(tmp_path)
    assert len(run_experiment(mod, quick=True, store=store, progress=False)) == 2
    assert len(run_experiment(mod, quick=True, seeds=4, store=store, progress=False)) == 4
    assert n_markers(markers) == 4  # seeds 0, 1 were stored already
    df = run_experiment(mod, quick=True, overrides={"variant": "broken"}, store=store, progress=False)
    assert len(df) == 2 and set(df["variant"]) == {"broken"}
    with pytest.raises(ValueError, match="seeds"):
        plan_jobs(mod, seeds=0)


def test_joblib_processes(tmp_path, store):
    mod, markers = make_toy(tmp_path)
    df = run_experiment(mod, jobs=2, store=store, progress=False)
    assert len(df) == 12 and n_markers(markers) == 12
    assert set(df["x"]) == {a * 10 + s for a in (1, 2, 3, 4) for s in range(3)}


def test_failing_jobs_are_reported_and_the_others_stored(tmp_path, store):
    mod, _ = make_toy(tmp_path)
    with pytest.raises(JobFailure, match="boom on purpose") as info:
        run_experiment(mod, overrides={"fail": True}, store=store, progress=False)
    assert len(info.value.failures) == 4  # seed 1 of each of the 4 configs
    assert len(store.done_keys(mod.NAME, plan_jobs(mod)[0].version)) == 8


def test_unknown_experiment_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown experiment 'no-such-thing'"):
        run_experiment("no-such-thing", progress=False)


def test_dask_local_cluster(tmp_path, store):
    distributed = pytest.importorskip("distributed")
    mod, markers = make_toy(tmp_path)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0") as cluster:
        df = run_experiment(mod, scheduler=cluster.scheduler_address, store=store, progress=False)
        assert len(df) == 12 and n_markers(markers) == 12
        with distributed.Client(cluster) as client:  # a Client is accepted too; stored jobs are skipped
            assert len(run_experiment(mod, scheduler=client, store=store, progress=False)) == 12
    assert n_markers(markers) == 12


def test_sigkill_mid_sweep_then_resume_without_recomputing(tmp_path, store):
    """Kill a real `run_experiment` subprocess with SIGKILL mid-sweep; the rerun computes only the rest."""
    mod, markers = make_toy(tmp_path, sleep=0.25, seeds=5)  # 20 jobs x 0.25 s
    total = 20
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import {mod.__name__} as toy
        from experiments.runner import run_experiment
        from mdptheory.store import ResultStore
        run_experiment(toy, store=ResultStore({str(store.path)!r}), progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    version = plan_jobs(mod)[0].version
    deadline = time.time() + 120
    try:
        while len(store.done_keys(mod.NAME, version)) < 4:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.time() < deadline, "the sweep made no progress"
            time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done = len(store.done_keys(mod.NAME, version))
    assert 4 <= done < total
    before_rows = store.load(mod.NAME).set_index(["config_hash", "seed"])
    started = n_markers(markers)
    df = run_experiment(mod, store=store, progress=False)
    assert len(df) == total
    assert n_markers(markers) - started == total - done  # finished jobs were not recomputed
    after = df.set_index(["config_hash", "seed"]).loc[before_rows.index]
    assert (after["x"] == before_rows["x"]).all()


def test_execute_jobs_deduplicates_identical_jobs(tmp_path, store):
    mod, markers = make_toy(tmp_path)
    jobs = plan_jobs(mod, quick=True)
    assert execute_jobs(jobs + jobs, store=store, progress=False) == []
    assert n_markers(markers) == 2
