"""Saving and loading models as .npz."""
import re

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


# ------------------------------------------------------------------ issue 11: damaged and malformed files
@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "m.npz"
    save_npz(garnet(6, 2, 3, rng=0, gamma=0.9, sparse=True), path)
    return path


def test_truncated_and_empty_files_name_the_file_and_the_fix(tmp_path, saved):
    """Item 6: BadZipFile / EOFError escaped raw."""
    blob = saved.read_bytes()
    for name, content in (("truncated.npz", blob[: len(blob) // 2]), ("empty.npz", b"")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=re.escape(str(path)) + " is not a readable .npz file .*save_npz"):
            load_npz(path)


def test_a_flipped_byte_is_an_error_naming_the_file_or_changes_nothing(tmp_path, saved):
    """Item 6: a flipped byte in a compressed member raised zlib.error. Every position is tried (one bit
    in seven bytes): the file loads unchanged (a byte the format does not read) or a ValueError names it."""
    blob = saved.read_bytes()
    original = load_npz(saved)
    path = tmp_path / "flipped.npz"
    errors = 0
    for k in range(0, len(blob), 7):
        flipped = bytearray(blob)
        flipped[k] ^= 0x10
        path.write_bytes(bytes(flipped))
        try:
            back = load_npz(path)
        except (ValueError, TypeError) as exc:
            assert str(exc).startswith(str(path)), exc
            errors += 1
            continue
        assert np.array_equal(back.dense_P(), original.dense_P()) and np.array_equal(back.R, original.R)
        assert back.gamma == original.gamma and np.array_equal(back.mu0, original.mu0)
    assert errors > len(blob) // 14          # most of the file is checked data


def _write_csr(path, **overrides):
    mdp = garnet(5, 2, 2, rng=3, gamma=0.9, sparse=True)
    arrays = dict(P_data=mdp.P.data, P_indices=mdp.P.indices.copy(), P_indptr=mdp.P.indptr, R=mdp.R, gamma=0.9)
    arrays.update(overrides)
    np.savez(path, **arrays)
    return mdp


@pytest.mark.parametrize("edit, match", [
    (lambda a: a.__setitem__(3, 5), "P_indices[3] = 5 (in row 1 (state 0, action 1)) is outside 0..4"),
    (lambda a: a.__setitem__(0, -2), "P_indices[0] = -2 (in row 0 (state 0, action 0)) is outside 0..4"),
])
def test_csr_file_with_column_index_out_of_range(tmp_path, edit, match):
    """Item 2: accepted through load_npz; the Numba kernel then read outside V and the CLI exited 0."""
    mdp = garnet(5, 2, 2, rng=3, gamma=0.9, sparse=True)
    indices = mdp.P.indices.copy()
    edit(indices)
    path = tmp_path / "bad.npz"
    _write_csr(path, P_indices=indices)
    with pytest.raises(ValueError, match=re.escape(f"{path}: {match}")):
        load_npz(path)


def test_csr_file_with_malformed_structure(tmp_path):
    mdp = garnet(5, 2, 2, rng=3, gamma=0.9, sparse=True)
    cases = [
        (dict(P_indices=mdp.P.indices.astype(float) + 0.5), TypeError, "P_indices must hold integers"),
        (dict(P_indptr=mdp.P.indptr[::-1].copy()), ValueError, r"P_indptr\[0\] = 20, expected 0"),
        (dict(P_indptr=np.r_[0, 3, 2, mdp.P.indptr[3:]]), ValueError, "P_indptr decreases at row 1"),
        (dict(P_data=mdp.P.data[:-1]), ValueError, "the three must agree"),
        (dict(gamma=np.array([0.9, 0.9])), ValueError, r"'gamma' must be one real number .* shape \(2,\)"),
    ]
    for overrides, kind, match in cases:
        path = tmp_path / "bad.npz"
        _write_csr(path, **overrides)
        with pytest.raises(kind, match=re.escape(str(path)) + ".*" + match):
            load_npz(path)


def test_validation_errors_name_the_file_and_gamma_override_does_not(tmp_path, saved):
    bad = tmp_path / "bad.npz"
    np.savez(bad, P=np.full((2, 1, 2), 0.4), R=np.zeros((2, 1)), gamma=0.9)
    with pytest.raises(ValueError, match=re.escape(f"{bad}: P[0, 0, :] sums to 0.8")):
        load_npz(bad)
    with pytest.raises(ValueError, match="^gamma must lie in"):
        load_npz(saved, gamma=1.5)
    npy = tmp_path / "array.npz"
    with open(npy, "wb") as fh:
        np.save(fh, np.zeros(3))
    with pytest.raises(ValueError, match="single .npy array, not an .npz archive"):
        load_npz(npy)
