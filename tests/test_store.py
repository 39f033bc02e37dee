"""mdptheory.store: keys, round trips, WAL, separation of code versions, concurrency, export."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
from joblib import Parallel, delayed

from mdptheory.store import ResultStore, config_hash, split_result


@pytest.fixture
def store(tmp_path):
    return ResultStore(tmp_path / "sub" / "r.sqlite")


def test_roundtrip_scalars_and_arrays_keep_dtype_and_shape(store):
    arr = np.arange(12, dtype=np.int32).reshape(3, 4)
    store.put("exp", {"S": 3, "gamma": 0.9}, seed=2, code_version="v1",
              result={"x": 1.5, "n": np.int64(7), "ok": True, "name": "a", "inf": float("inf"),
                      "mat": arr, "curve": [0.0, 0.5], "zero_d": np.float64(2.5)}, wall_time=0.1)
    df = store.load("exp")
    assert len(df) == 1
    row = df.iloc[0]
    assert row["S"] == 3 and row["gamma"] == 0.9 and row["seed"] == 2 and row["code_version"] == "v1"
    assert row["x"] == 1.5 and row["n"] == 7 and row["ok"] is True or row["ok"] == True  # noqa: E712
    assert row["inf"] == float("inf") and row["zero_d"] == 2.5 and row["name"] == "a"
    assert row["mat"].dtype == np.int32 and row["mat"].shape == (3, 4)
    np.testing.assert_array_equal(row["mat"], arr)
    np.testing.assert_array_equal(row["curve"], [0.0, 0.5])
    assert row["wall_time"] == pytest.approx(0.1)


def test_config_hash_is_order_independent_and_type_canonical():
    assert config_hash({"a": 1, "b": 2.0}) == config_hash({"b": 2.0, "a": 1})
    assert config_hash({"a": np.int64(1)}) == config_hash({"a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})
    with pytest.raises(TypeError, match="JSON-able"):
        config_hash({"a": object()})
    with pytest.raises(ValueError, match="finite"):
        config_hash({"a": float("nan")})


def test_keys_separate_experiment_config_seed_and_version(store):
    for v in ("v1", "v2"):
        for s in range(3):
            store.put("exp", {"S": 3}, s, v, {"x": s})
    store.put("exp", {"S": 4}, 0, "v1", {"x": 9})
    store.put("other", {"S": 3}, 0, "v1", {"x": 9})
    assert store.done_keys("exp", "v1") == {(config_hash({"S": 3}), s) for s in range(3)} | {(config_hash({"S": 4}), 0)}
    assert len(store.load("exp", code_version="v2")) == 3
    assert len(store.load("exp")) == 7
    assert store.has("exp", {"S": 4}, 0, "v1") and not store.has("exp", {"S": 4}, 0, "v2")
    assert store.experiments() == ["exp", "other"]
    sub = store.load("exp", code_version="v1", keys=[(config_hash({"S": 3}), 1)])
    assert len(sub) == 1 and sub.iloc[0]["x"] == 1


def test_put_replaces_the_same_key_and_its_arrays(store):
    store.put("exp", {"S": 3}, 0, "v", {"x": 1, "a": np.zeros(2), "b": np.ones(1)})
    store.put("exp", {"S": 3}, 0, "v", {"x": 2, "a": np.ones(3)})
    df = store.load("exp")
    assert len(df) == 1 and df.iloc[0]["x"] == 2 and df.iloc[0]["a"].shape == (3,) and "b" not in df.columns


def test_result_keys_clashing_with_config_are_prefixed(store):
    store.put("exp", {"S": 3}, 0, "v", {"S": 99})
    row = store.load("exp").iloc[0]
    assert row["S"] == 3 and row["result_S"] == 99


def test_bad_results_are_rejected_with_the_key_named(store):
    with pytest.raises(TypeError, match="result\\['f'\\]"):
        store.put("exp", {}, 0, "v", {"f": object()})
    with pytest.raises(TypeError, match="dict"):
        split_result([1, 2])
    with pytest.raises(TypeError, match="ragged"):
        split_result({"r": [[1, 2], [3]]})
    assert len(store.load("exp")) == 0  # nothing half-written


def test_wal_mode_and_empty_load(store):
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    df = store.load("nothing")
    assert isinstance(df, pd.DataFrame) and len(df) == 0 and "seed" in df.columns


def _write_many(path, worker):
    st = ResultStore(path)
    for s in range(10):
        st.put("exp", {"w": worker}, s, "v", {"x": float(s), "a": np.arange(s + 1)})
    return worker


def test_concurrent_writers_from_processes(tmp_path):
    path = tmp_path / "r.sqlite"
    ResultStore(path)
    Parallel(n_jobs=2)(delayed(_write_many)(path, w) for w in range(4))
    df = ResultStore(path).load("exp")
    assert len(df) == 40 and sorted(df["w"].unique()) == [0, 1, 2, 3]


def test_default_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MDPTHEORY_STORE", str(tmp_path / "env.sqlite"))
    assert ResultStore().path == tmp_path / "env.sqlite"


def test_export_csv(store, tmp_path):
    store.put("exp", {"S": 3}, 0, "v", {"x": 1.0, "a": np.arange(2)})
    paths = store.export_csv(tmp_path / "csv")
    df = pd.read_csv(paths[0])
    assert paths[0].name == "exp.csv" and df.loc[0, "x"] == 1.0 and df.loc[0, "a"] == "[0, 1]"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

_scalars = st.one_of(st.integers(-(2**53), 2**53), st.floats(allow_nan=False), st.booleans(),
                     st.text(max_size=8), st.none())
_arrays = hnp.arrays(st.sampled_from([np.float64, np.int64, np.bool_]), hnp.array_shapes(max_dims=3, max_side=4))


@settings(max_examples=10)
@given(st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), st.one_of(_scalars, _arrays), max_size=5),
       st.integers(0, 10**6))
def test_roundtrip_property(tmp_path_factory, result, seed):
    store = ResultStore(tmp_path_factory.mktemp("prop") / "r.sqlite")
    result = {f"r_{k}": v for k, v in result.items()}  # keep clear of the fixed columns
    store.put("exp", {"a": 1}, seed, "v", result)
    row = store.load("exp").iloc[0]
    for k, v in result.items():
        if isinstance(v, np.ndarray):
            assert row[k].dtype == v.dtype and row[k].shape == v.shape
            np.testing.assert_array_equal(row[k], v)
        elif v is None or (isinstance(v, float) and not np.isfinite(v)):
            assert (row[k] is None or pd.isna(row[k])) if v is None else row[k] == v
        else:
            assert row[k] == v
