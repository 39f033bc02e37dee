"""Save and load models as ``.npz`` files (the format ``mdptheory solve`` reads), and planner results.

Keys: ``P`` (dense ``(S, A, S)`` or episodic ``(H, S, A, S)``) or, for a sparse kernel, ``P_data``,
``P_indices``, ``P_indptr`` (CSR ``(S*A, S)``, row ``s*A + a``); ``R`` (``(S, A)`` or ``(H, S, A)``);
optional ``gamma`` (scalar) and ``mu0`` (``(S,)``). Three ways to write one:

.. code-block:: python

    mdptheory.io.save_npz(mdp, "model.npz")                                   # a model object
    np.savez("model.npz", P=P, R=R, gamma=0.9)                                # plain arrays, dense P
    np.savez("model.npz", P_data=P.data, P_indices=P.indices, P_indptr=P.indptr, R=R, gamma=0.9)  # CSR

A sparse ``P`` written alone by ``scipy.sparse.save_npz("P.npz", P)`` (shape ``(S*A, S)``) is read too,
with the rewards given separately: ``load_npz("P.npz", R=R)`` or ``mdptheory solve P.npz --rewards R.npy``.
(``np.savez(path, P=csr_matrix)`` stores a pickled object, which is never loaded: pickles run code.)

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
                if "allow_pickle" in str(exc):
                    raise ValueError(
                        f"{path}: array {key!r} is a pickled Python object (np.savez of a scipy.sparse matrix?), "
                        "which is never loaded because unpickling runs code; save the CSR parts instead: "
                        f"np.savez(path, {key}_data=M.data, {key}_indices=M.indices, {key}_indptr=M.indptr, ...), "
                        "or use mdptheory.io.save_npz, or scipy.sparse.save_npz for the matrix alone") from None
                raise ValueError(f"{path}: array {key!r} cannot be read ({type(exc).__name__}: {exc}); {fix}") from None
    return arrays


def _file_gamma(path: Path, value: np.ndarray) -> float:
    if value.ndim != 0 or value.dtype.kind not in "iuf":
        raise ValueError(f"{path}: 'gamma' must be one real number (a 0-d array), got dtype {value.dtype} and "
                         f"shape {value.shape}; store e.g. gamma=np.float64(0.9), or pass --gamma / gamma=")
    return float(value)


#: Keys of a matrix written by ``scipy.sparse.save_npz``.
_SCIPY_KEYS = ("data", "indices", "indptr", "format", "shape")


def load_npz(path: str | Path, gamma: float | None = None, R: np.ndarray | None = None) -> FiniteMDP | EpisodicMDP:
    """Read a model written by :func:`save_npz` (or by hand with the keys above).

    A 4-D ``P`` gives an ``EpisodicMDP``; otherwise a ``FiniteMDP`` whose discount is ``gamma`` if
    given, else the file's ``gamma``. ``R`` supplies the rewards of a file without them (a transition
    matrix written by ``scipy.sparse.save_npz``). Raises ``FileNotFoundError``, or a ``ValueError``/
    ``TypeError`` that starts with the path and names the key at fault (a damaged archive, a missing key, a
    malformed CSR structure, a model that fails validation).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    gamma = check_gamma(gamma)  # the caller's override: its error must not blame the file
    data = _read_arrays(path)
    if set(_SCIPY_KEYS) <= set(data):   # scipy.sparse.save_npz: the transition matrix alone
        data = _from_scipy_sparse(path, data)
    if R is not None:
        data["R"] = np.asarray(R)
    if "R" not in data:
        hint = (" (a transition matrix written by scipy.sparse.save_npz: give the rewards with R= or "
                "`mdptheory solve ... --rewards R.npy`)" if _CSR_KEYS[0] in data else "")
        raise ValueError(f"{path} has no array 'R' (expected keys: P or P_data/P_indices/P_indptr, R, optional "
                         f"gamma, mu0){hint}")
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


def _from_scipy_sparse(path: Path, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays of a ``scipy.sparse.save_npz`` file under this format's CSR keys (``P_indptr``, ...)."""
    fmt = data["format"].item() if data["format"].ndim == 0 else data["format"]
    fmt = fmt.decode() if isinstance(fmt, bytes) else str(fmt)
    if fmt != "csr":
        raise ValueError(f"{path}: a scipy.sparse matrix in format {fmt!r}; save it as CSR "
                         "(scipy.sparse.save_npz(path, P.tocsr())) with row s*A + a for (s, a)")
    out = {k: v for k, v in data.items() if k not in _SCIPY_KEYS}
    out.update(P_data=data["data"], P_indices=data["indices"], P_indptr=data["indptr"])
    return out


def save_result(result, path: str | Path) -> Path:
    """Write a planner's result (``V``, ``Q``, ``policy`` and its certificate) to ``.npz`` or ``.json``.

    ``.npz``: the arrays plus ``status``, ``converged``, ``error_bound``, ``residual``, ``iterations``,
    ``method``, ``wall_time``; ``.json``: the same as nested lists and numbers.
    """
    path = Path(path)
    fields = {"V": np.asarray(result.V), "Q": np.asarray(result.Q), "policy": np.asarray(result.policy)}
    meta = {"status": result.status, "converged": bool(result.converged), "error_bound": float(result.error_bound),
            "residual": float(result.residual), "iterations": int(result.iterations), "method": result.method,
            "wall_time": float(result.wall_time),
            "policy_gap_bound": float(getattr(result, "policy_gap_bound", np.inf))}
    if path.suffix == ".json":
        import json

        doc = {**{k: v.tolist() for k, v in fields.items()},
               **{k: (v if np.isfinite(v) else None) if isinstance(v, float) else v for k, v in meta.items()}}
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    elif path.suffix == ".npz":
        np.savez_compressed(path, **fields, **{k: np.asarray(v) for k, v in meta.items()})
    else:
        raise ValueError(f"--out {path}: the file must end in .npz or .json")
    return path
