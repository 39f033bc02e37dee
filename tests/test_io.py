"""Saving and loading models as .npz."""
import numpy as np
import pytest

from mdptheory.envs import garnet
from mdptheory.io import load_npz, save_npz


@pytest.mark.parametrize("sparse", [False, True])
def test_roundtrip(tmp_path, sparse):
    mdp = garnet(12, 3, 4, rng=0, sparse=sparse, gamma=0.95)
    save_npz(mdp, tmp_path / "m.npz")
    back = load_npz(tmp_path / "m.npz")
    assert back.gamma == 0.95 and back.is_sparse == sparse
    assert np.array_equal(back.dense_P(), mdp.dense_P()) and np.array_equal(back.R, mdp.R)
    assert load_npz(tmp_path / "m.npz", gamma=0.5).gamma == 0.5
    ep = garnet(5, 2, 2, rng=0, H=3)
    save_npz(ep, tmp_path / "e.npz")
    assert load_npz(tmp_path / "e.npz").H == 3


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_npz(tmp_path / "missing.npz")
    np.savez(tmp_path / "noR.npz", P=np.ones((2, 1, 2)) / 2)
    with pytest.raises(ValueError, match="'R'"):
        load_npz(tmp_path / "noR.npz")
    np.savez(tmp_path / "noP.npz", R=np.zeros((2, 1)))
    with pytest.raises(ValueError, match="no transition kernel"):
        load_npz(tmp_path / "noP.npz")
    (tmp_path / "junk.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="not a readable"):
        load_npz(tmp_path / "junk.npz")
