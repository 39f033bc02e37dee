"""Offline datasets: layout, reproducibility, independent replications, validation."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mdptheory.offline import (OfflineDataset, collect, collect_tabular, constant_policy, replication_rng,
                               uniform_policy)
from strategies_offline import dataset, random_drect


def test_layout_is_stage_major_and_phi_matches_features():
    mdp, phi, mu, theta = random_drect(seed=1)
    ds = dataset(mdp, phi, 50, 0)
    assert ds.N == 150 and ds.K == 50 and ds.H == 3
    assert np.array_equal(ds.h, np.repeat(np.arange(3), 50))
    assert np.array_equal(ds.episode, np.tile(np.arange(50), 3))
    np.testing.assert_array_equal(ds.phi, phi[ds.s, ds.a])
    np.testing.assert_array_equal(ds.r, mdp.R[ds.h, ds.s, ds.a])
    # trajectories are consistent: next state of stage h is the state of stage h+1
    for h in range(2):
        np.testing.assert_array_equal(ds.s_next[ds.step(h)], ds.s[ds.step(h + 1)])
    assert ds.state_action_counts().sum() == 150


def test_same_seed_same_data_and_replications_differ():
    mdp, phi, _, _ = random_drect(seed=2)
    a = collect_tabular(mdp, phi, uniform_policy(3, 4, 2), 40, replication_rng(7, 0))
    b = collect_tabular(mdp, phi, uniform_policy(3, 4, 2), 40, replication_rng(7, 0))
    c = collect_tabular(mdp, phi, uniform_policy(3, 4, 2), 40, replication_rng(7, 1))
    np.testing.assert_array_equal(a.s_next, b.s_next)
    np.testing.assert_array_equal(a.a, b.a)
    assert not np.array_equal(a.a, c.a)  # negative control: a different replication is a different stream


def test_behaviour_is_followed_and_recorded():
    mdp, phi, _, _ = random_drect(seed=3)
    ds = collect_tabular(mdp, phi, constant_policy(3, 4, 2, 1), 30, 0)
    assert (ds.a == 1).all()
    np.testing.assert_array_equal(ds.behaviour, constant_policy(3, 4, 2, 1))


def test_subset_is_a_prefix():
    mdp, phi, _, _ = random_drect(seed=4)
    ds = dataset(mdp, phi, 20, 0)
    sub = ds.subset(5)
    assert sub.K == 5
    for h in range(3):
        np.testing.assert_array_equal(sub.s[sub.step(h)], ds.s[ds.step(h)][:5])
    with pytest.raises(ValueError, match="exceeds"):
        ds.subset(21)


def test_collect_uses_model_interface():
    mdp, phi, _, _ = random_drect(seed=5)

    class Model:  # duck-typed LinearMDP: phi and to_tabular()
        def __init__(self):
            self.phi = phi

        def to_tabular(self):
            return mdp

    a = collect(Model(), 10, "uniform", 3)
    b = dataset(mdp, phi, 10, 3)
    np.testing.assert_array_equal(a.s_next, b.s_next)
    c = collect(Model(), 10, 0, 3)
    assert (c.a == 0).all()
    with pytest.raises(ValueError, match="behaviour='greedy'"):
        collect(Model(), 10, "greedy", 3)


def test_bad_inputs_name_the_argument():
    mdp, phi, _, _ = random_drect(seed=6)
    with pytest.raises(ValueError, match="features has shape"):
        collect_tabular(mdp, phi[:2], uniform_policy(3, 4, 2), 5, 0)
    bad = uniform_policy(3, 4, 2)
    bad[1, 2, 0] = 0.9
    with pytest.raises(ValueError, match=r"behaviour\[1, 2, :\] sums to"):
        collect_tabular(mdp, phi, bad, 5, 0)
    with pytest.raises((TypeError, ValueError), match="K"):
        collect_tabular(mdp, phi, uniform_policy(3, 4, 2), 0, 0)
    with pytest.raises(ValueError, match="out of range"):
        constant_policy(3, 4, 2, 5)
    with pytest.raises(TypeError, match="seed"):
        replication_rng(-1, 0)


@pytest.mark.parametrize("column", ["r", "phi", "features", "behaviour"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_columns_are_refused_by_name(column, value):
    mdp, phi, _, _ = random_drect(seed=8)
    ds = dataset(mdp, phi, 6, 0)
    fields = {name: np.array(getattr(ds, name)) for name in
              ("episode", "h", "s", "a", "r", "s_next", "phi", "features", "behaviour")}
    fields[column].flat[3] = value
    with pytest.raises(ValueError, match=rf"^{column}\[.*not finite"):
        OfflineDataset(**fields, K=ds.K, H=ds.H)


def test_dataset_arrays_are_read_only_and_the_callers_stay_writable():
    mdp, phi, _, _ = random_drect(seed=9)
    ds = dataset(mdp, phi, 6, 0)
    for name in ("episode", "h", "s", "a", "r", "s_next", "phi", "features", "behaviour"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(ds, name)[0] = 0
    phi.flat[0] = phi.flat[0]   # the feature table the caller passed is not frozen behind their back


@settings(max_examples=15, deadline=None)
@given(K=st.integers(1, 30), seed=st.integers(0, 2**31 - 1), H=st.integers(1, 4))
def test_fuzz_datasets_are_valid(K, seed, H):
    mdp, phi, _, _ = random_drect(H=H, seed=seed % 97)
    ds = dataset(mdp, phi, K, seed)
    assert isinstance(ds, OfflineDataset)
    assert ds.s.min() >= 0 and ds.s_next.max() < ds.S
    # every sampled transition has positive nominal probability
    assert (mdp.P[ds.h, ds.s, ds.a, ds.s_next] > 0).all()
