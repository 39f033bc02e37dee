"""Embedded results store: one SQLite file (WAL mode) holding every finished experiment job.

A job is keyed by ``(experiment, config hash, seed, code version)``. Its scalar results are stored as
JSON, its NumPy arrays as ``.npy`` blobs (``numpy.save`` format, dtype and shape preserved). Each job is
written in its own transaction the moment it finishes, so a sweep killed with ``SIGKILL`` loses only
the jobs that were still running; re-running skips every stored key.

The default location is ``.mdptheory/results.sqlite`` under the current directory, overridden by the
``MDPTHEORY_STORE`` environment variable or an explicit ``path``.

Examples
--------
>>> import tempfile, numpy as np
>>> store = ResultStore(tempfile.mkdtemp() + "/r.sqlite")
>>> store.put("demo", {"S": 3}, seed=0, code_version="v1", result={"x": 1.5, "curve": np.arange(3.0)})
>>> df = store.load("demo")
>>> float(df.loc[0, "x"]), df.loc[0, "curve"].tolist()
(1.5, [0.0, 1.0, 2.0])
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

__all__ = ["ResultStore", "config_hash", "default_path", "split_result"]

DEFAULT_PATH = Path(".mdptheory") / "results.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    experiment   TEXT NOT NULL,
    config_hash  TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    code_version TEXT NOT NULL,
    config       TEXT NOT NULL,
    scalars      TEXT NOT NULL,
    wall_time    REAL,
    finished_at  REAL NOT NULL,
    PRIMARY KEY (experiment, config_hash, seed, code_version)
);
CREATE TABLE IF NOT EXISTS arrays (
    experiment   TEXT NOT NULL,
    config_hash  TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    code_version TEXT NOT NULL,
    name         TEXT NOT NULL,
    npy          BLOB NOT NULL,
    PRIMARY KEY (experiment, config_hash, seed, code_version, name)
);
"""


def default_path() -> Path:
    """``$MDPTHEORY_STORE`` if set, else ``.mdptheory/results.sqlite`` in the current directory."""
    env = os.environ.get("MDPTHEORY_STORE")
    return Path(env) if env else DEFAULT_PATH


def _canonical(obj: Any, where: str) -> Any:
    """Config values as plain JSON types (numpy scalars converted); anything else is an error."""
    if isinstance(obj, Mapping):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise TypeError(f"config key {k!r} at {where} must be a string")
            out[k] = _canonical(v, f"{where}.{k}")
        return out
    if isinstance(obj, (list, tuple)):
        return [_canonical(v, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        if not math.isfinite(f):
            raise ValueError(f"config value at {where} is {f}; configs must be finite")
        return f
    if obj is None or isinstance(obj, str):
        return obj
    raise TypeError(
        f"config value at {where} has type {type(obj).__name__}; configs must be JSON-able "
        "(str, int, float, bool, None, lists and dicts of those)"
    )


def config_hash(config: Mapping[str, Any]) -> str:
    """Stable 16-hex-digit SHA-256 of the config's canonical JSON (key order does not matter)."""
    canon = json.dumps(_canonical(dict(config), "config"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def split_result(result: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Split a job's result dict into JSON scalars and NumPy arrays (0-d arrays count as scalars)."""
    if not isinstance(result, Mapping):
        raise TypeError(f"an experiment's run() must return a dict, got {type(result).__name__}")
    scalars: dict[str, Any] = {}
    arrays: dict[str, np.ndarray] = {}
    for k, v in result.items():
        if not isinstance(k, str):
            raise TypeError(f"result key {k!r} must be a string")
        if isinstance(v, np.ndarray) and v.ndim > 0:
            if v.dtype == object:
                raise TypeError(f"result[{k!r}] is an object array; store numeric arrays only")
            arrays[k] = v
        elif isinstance(v, (np.generic, np.ndarray)):
            scalars[k] = v.item()
        elif isinstance(v, (list, tuple)):
            try:
                arrays[k] = np.asarray(v)
            except ValueError:
                arrays[k] = np.empty(0, dtype=object)
            if arrays[k].dtype == object:
                raise TypeError(f"result[{k!r}] is a ragged or mixed list; return a numeric array")
        elif v is None or isinstance(v, (bool, int, float, str)):
            scalars[k] = v
        else:
            raise TypeError(
                f"result[{k!r}] has type {type(v).__name__}; return JSON scalars or numpy arrays"
            )
    return scalars, arrays


def _to_npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _from_npy(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)


class ResultStore:
    """SQLite store of finished jobs (see the module docstring).

    Parameters
    ----------
    path : str or Path, optional
        Database file (created with its parent folder); default :func:`default_path`.
    timeout : float
        Seconds to wait on a lock held by another writer.
    """

    def __init__(self, path: str | os.PathLike | None = None, timeout: float = 60.0) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._timeout = timeout
        with self._connect() as con:
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=self._timeout)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed job survives a process kill
        return con

    # ------------------------------------------------------------------ writing
    def put(
        self,
        experiment: str,
        config: Mapping[str, Any],
        seed: int,
        code_version: str,
        result: Mapping[str, Any],
        wall_time: float | None = None,
    ) -> None:
        """Store one finished job in a single transaction (replacing an identical key)."""
        canon = _canonical(dict(config), "config")
        h = config_hash(canon)
        scalars, arrays = split_result(result)
        key = (experiment, h, int(seed), str(code_version))
        con = self._connect()
        try:
            with con:  # one transaction: the job and its arrays appear together or not at all
                con.execute("DELETE FROM arrays WHERE experiment=? AND config_hash=? AND seed=? AND code_version=?", key)
                con.execute(
                    "INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, json.dumps(canon, sort_keys=True), json.dumps(scalars), wall_time, time.time()),
                )
                con.executemany(
                    "INSERT INTO arrays VALUES (?, ?, ?, ?, ?, ?)",
                    [(*key, name, _to_npy(arr)) for name, arr in arrays.items()],
                )
        finally:
            con.close()

    # ------------------------------------------------------------------ reading
    def done_keys(self, experiment: str, code_version: str) -> set[tuple[str, int]]:
        """``{(config_hash, seed)}`` already stored for this experiment and code version."""
        con = self._connect()
        try:
            rows = con.execute(
                "SELECT config_hash, seed FROM jobs WHERE experiment=? AND code_version=?",
                (experiment, code_version),
            ).fetchall()
        finally:
            con.close()
        return {(h, int(s)) for h, s in rows}

    def has(self, experiment: str, config: Mapping[str, Any], seed: int, code_version: str) -> bool:
        """Whether the job ``(experiment, config, seed, code_version)`` is stored."""
        return (config_hash(config), int(seed)) in self.done_keys(experiment, code_version)

    def experiments(self) -> list[str]:
        """Names of the experiments with at least one stored job."""
        con = self._connect()
        try:
            return [r[0] for r in con.execute("SELECT DISTINCT experiment FROM jobs ORDER BY experiment")]
        finally:
            con.close()

    def load(
        self,
        experiment: str,
        code_version: str | None = None,
        keys: Iterable[tuple[str, int]] | None = None,
    ):
        """Load stored jobs as a pandas DataFrame, one row per ``(config, seed)``.

        Columns: ``experiment``, ``config_hash``, ``seed``, ``code_version``, ``wall_time``, then every
        config key, then every scalar result, then every array result (cells hold ``numpy`` arrays).
        A result key that clashes with a config key is prefixed ``result_``.

        Parameters
        ----------
        code_version : str, optional
            Only this version (default: all versions).
        keys : iterable of (config_hash, seed), optional
            Only these jobs.
        """
        import pandas as pd

        sql = "SELECT config_hash, seed, code_version, config, scalars, wall_time FROM jobs WHERE experiment=?"
        args: list[Any] = [experiment]
        if code_version is not None:
            sql += " AND code_version=?"
            args.append(code_version)
        con = self._connect()
        try:
            rows = con.execute(sql + " ORDER BY config_hash, seed", args).fetchall()
            arr_sql = "SELECT config_hash, seed, code_version, name, npy FROM arrays WHERE experiment=?"
            arr_rows = con.execute(arr_sql + (" AND code_version=?" if code_version is not None else ""), args).fetchall()
        finally:
            con.close()
        wanted = None if keys is None else {(h, int(s)) for h, s in keys}
        arrays: dict[tuple[str, int, str], dict[str, np.ndarray]] = {}
        for h, s, v, name, blob in arr_rows:
            if wanted is None or (h, int(s)) in wanted:
                arrays.setdefault((h, int(s), v), {})[name] = _from_npy(blob)
        records = []
        for h, s, v, cfg, sc, wt in rows:
            if wanted is not None and (h, int(s)) not in wanted:
                continue
            rec: dict[str, Any] = {"experiment": experiment, "config_hash": h, "seed": int(s),
                                   "code_version": v, "wall_time": wt}
            config = json.loads(cfg)
            rec.update(config)
            for k, val in {**json.loads(sc), **arrays.get((h, int(s), v), {})}.items():
                rec[f"result_{k}" if k in rec else k] = val
            records.append(rec)
        return pd.DataFrame.from_records(records) if records else pd.DataFrame(
            columns=["experiment", "config_hash", "seed", "code_version", "wall_time"])

    def wall_times(self, experiment: str, config_hashes: Iterable[str] | None = None) -> list[float]:
        """Stored wall times (seconds) of an experiment's jobs, any code version (for run-time estimates)."""
        con = self._connect()
        try:
            rows = con.execute("SELECT config_hash, wall_time FROM jobs WHERE experiment=? AND wall_time IS NOT NULL",
                               (experiment,)).fetchall()
        finally:
            con.close()
        keep = None if config_hashes is None else set(config_hashes)
        return [float(t) for h, t in rows if keep is None or h in keep]

    def summary(self) -> list[dict[str, Any]]:
        """One record per ``(experiment, code version)``: ``jobs``, ``configs``, ``seeds``, ``variants`` (jobs
        with a ``mutant`` or ``variant`` key in their config), ``first``/``last`` finish time (epoch seconds)."""
        con = self._connect()
        try:
            rows = con.execute("SELECT experiment, code_version, config_hash, seed, config, finished_at FROM jobs "
                               "ORDER BY experiment, code_version").fetchall()
        finally:
            con.close()
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for exp, ver, h, seed, cfg, t in rows:
            rec = out.setdefault((exp, ver), {"experiment": exp, "code_version": ver, "jobs": 0, "configs": set(),
                                              "seeds": set(), "mutant_jobs": 0, "first": t, "last": t})
            rec["jobs"] += 1
            rec["configs"].add(h)
            rec["seeds"].add(int(seed))
            rec["mutant_jobs"] += "mutant" in json.loads(cfg)
            rec["first"], rec["last"] = min(rec["first"], t), max(rec["last"], t)
        return [{**r, "configs": len(r["configs"]), "seeds": len(r["seeds"])} for r in out.values()]

    def delete(self, experiment: str | None = None, code_version: str | None = None,
               keep_version: str | None = None) -> int:
        """Delete jobs (and their arrays) of ``experiment`` (all if ``None``), of one ``code_version``, or of every
        version but ``keep_version``; returns the number of jobs deleted."""
        where, args = [], []
        if experiment is not None:
            where.append("experiment=?")
            args.append(experiment)
        if code_version is not None:
            where.append("code_version=?")
            args.append(code_version)
        if keep_version is not None:
            where.append("code_version<>?")
            args.append(keep_version)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        con = self._connect()
        try:
            with con:
                n = con.execute("DELETE FROM jobs" + clause, args).rowcount
                con.execute("DELETE FROM arrays" + clause, args)
        finally:
            con.close()
        return int(n)

    def export_json(self, out_dir: str | os.PathLike, experiments: Iterable[str] | None = None) -> list[Path]:
        """Write one JSON file per experiment into ``out_dir``: a list of runs (config, seed, code version and
        results; arrays as nested lists, non-finite numbers as ``null``)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)

        def plain(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                return [plain(x) for x in v.tolist()] if v.ndim else plain(v.item())
            if isinstance(v, list):
                return [plain(x) for x in v]
            if isinstance(v, (float, np.floating)):
                return float(v) if math.isfinite(v) else None
            if isinstance(v, np.integer):
                return int(v)
            return v

        paths = []
        for name in experiments or self.experiments():
            records = [{k: plain(v) for k, v in r.items()} for r in self.load(name).to_dict("records")]
            p = out / f"{name}.json"
            p.write_text(json.dumps(records, indent=1, default=str), encoding="utf-8")
            paths.append(p)
        return paths

    def export_csv(self, out_dir: str | os.PathLike, experiments: Iterable[str] | None = None) -> list[Path]:
        """Write one CSV per experiment (scalars only; arrays as JSON lists) into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in experiments or self.experiments():
            df = self.load(name)
            for col in df.columns:
                if df[col].map(lambda v: isinstance(v, np.ndarray)).any():
                    df[col] = df[col].map(lambda v: json.dumps(v.tolist()) if isinstance(v, np.ndarray) else v)
            p = out / f"{name}.csv"
            df.to_csv(p, index=False)
            paths.append(p)
        return paths
