"""Save and load models as ``.npz`` files (the format ``mdptheory solve`` reads).

Keys: ``P`` (dense ``(S, A, S)`` or episodic ``(H, S, A, S)``) or, for a sparse kernel, ``P_data``,
``P_indices``, ``P_indptr`` (CSR ``(S*A, S)``, row ``s*A + a``); ``R`` (``(S, A)`` or ``(H, S, A)``);
optional ``gamma`` (scalar) and ``mu0`` (``(S,)``).

Every problem with a file (missing, not an ``.npz``, truncated, corrupted, a missing key, a malformed
array, a model that fails validation) is a ``FileNotFoundError``/``ValueError``/``TypeError`` whose
message starts with the file's path.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .episodic import EpisodicMDP
from .finite import FiniteMDP
from .validation import check_csr_structure, check_gamma

_CSR_KEYS = ("P_indptr", "P_indices", "P_data")


def save_npz(mdp: FiniteMDP | EpisodicMDP, path: str | Path) -> None:
    """Write ``mdp`` to ``path`` in the format read by :func:`load_npz`."""
    arrays: dict[str, np.ndarray] = {"R": mdp.R, "mu0": mdp.mu0}
    if isinstance(mdp, FiniteMDP):
        if mdp.gamma is not None:
            arrays["gamma"] = np.array(mdp.gamma)
        if mdp.is_sparse:
            arrays.update(P_data=mdp.P.data, P_indices=mdp.P.indices, P_indptr=mdp.P.indptr)
        else:
            arrays["P"] = mdp.P
    else:
        arrays["P"] = mdp.P
    np.savez_compressed(path, **arrays)


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of the archive, decompressed now, so that a damaged member is reported here by name.

    A damaged archive raises many kinds of exception while it is opened or a member is decompressed:
    ``BadZipFile`` (truncated file, bad CRC), ``EOFError`` (empty file), ``zlib.error`` (a flipped byte in
    compressed data), ``NotImplementedError`` (a flipped flag bit), ``ValueError`` (NumPy's header parser,
    pickled object arrays), ... Reading has no side effect, so every ``Exception`` but ``MemoryError`` is
    reported as a damaged file, with the original exception named.
    """
    fix = "the file is damaged or not an .npz archive: write it again with mdptheory.io.save_npz"
    try:
        archive = np.load(path, allow_pickle=False)
    except MemoryError:
        raise
    except Exception as exc:
        raise ValueError(f"{path} is not a readable .npz file ({type(exc).__name__}: {exc}); {fix}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} holds a single .npy array, not an .npz archive of named arrays "
                         "(P, R, optional gamma, mu0); write it with mdptheory.io.save_npz")
    arrays = {}
    with archive:
        for key in archive.files:
            try:
                arrays[key] = archive[key]
            except MemoryError:
                raise
            except Exception as exc:
                raise ValueError(f"{path}: array {key!r} cannot be read ({type(exc).__name__}: {exc}); {fix}") from None
    return arrays


def _file_gamma(path: Path, value: np.ndarray) -> float:
    if value.ndim != 0 or value.dtype.kind not in "iuf":
        raise ValueError(f"{path}: 'gamma' must be one real number (a 0-d array), got dtype {value.dtype} and "
                         f"shape {value.shape}; store e.g. gamma=np.float64(0.9), or pass --gamma / gamma=")
    return float(value)


def load_npz(path: str | Path, gamma: float | None = None) -> FiniteMDP | EpisodicMDP:
    """Read a model written by :func:`save_npz` (or by hand with the keys above).

    A 4-D ``P`` gives an ``EpisodicMDP``; otherwise a ``FiniteMDP`` whose discount is ``gamma`` if
    given, else the file's ``gamma``. Raises ``FileNotFoundError``, or a ``ValueError``/``TypeError`` that
    starts with the path and names the key at fault (a damaged archive, a missing key, a malformed CSR
    structure, a model that fails validation).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    gamma = check_gamma(gamma)  # the caller's override: its error must not blame the file
    data = _read_arrays(path)
    if "R" not in data:
        raise ValueError(f"{path} has no array 'R' (expected keys: P or P_data/P_indices/P_indptr, R, optional gamma, mu0)")
    R = data["R"]
    mu0 = data.get("mu0")
    if gamma is None and "gamma" in data:
        gamma = _file_gamma(path, data["gamma"])
    try:
        if "P" in data:
            P = data["P"]
        elif set(_CSR_KEYS) <= set(data):
            if R.ndim != 2:
                raise ValueError(f"sparse P needs R of shape (S, A), got {R.shape}")
            S, A = R.shape
            indptr, indices, values = (data[k] for k in _CSR_KEYS)
            # SciPy's constructor checks only part of the structure and silently casts float indices
            check_csr_structure(indptr, indices, values, (S * A, S), "P", A, parts=_CSR_KEYS)
            P = sp.csr_array((values, indices, indptr), shape=(S * A, S))
        else:
            raise ValueError(f"no transition kernel: expected key 'P' or 'P_data', 'P_indices', 'P_indptr'; "
                             f"found {sorted(data)}")
        if not sp.issparse(P) and np.ndim(P) == 4:
            return EpisodicMDP(P, R, mu0)
        return FiniteMDP(P, R, gamma, mu0)
    except (ValueError, TypeError) as exc:
        # the model's validation names the field and the fix; add which file it came from
        raise type(exc)(f"{path}: {exc}") from None
