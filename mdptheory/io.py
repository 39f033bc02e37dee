"""Save and load models as ``.npz`` files (the format ``mdptheory solve`` reads).

Keys: ``P`` (dense ``(S, A, S)`` or episodic ``(H, S, A, S)``) or, for a sparse kernel, ``P_data``,
``P_indices``, ``P_indptr`` (CSR ``(S*A, S)``, row ``s*A + a``); ``R`` (``(S, A)`` or ``(H, S, A)``);
optional ``gamma`` (scalar) and ``mu0`` (``(S,)``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .episodic import EpisodicMDP
from .finite import FiniteMDP


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


def load_npz(path: str | Path, gamma: float | None = None) -> FiniteMDP | EpisodicMDP:
    """Read a model written by :func:`save_npz` (or by hand with the keys above).

    A 4-D ``P`` gives an ``EpisodicMDP``; otherwise a ``FiniteMDP`` whose discount is ``gamma`` if
    given, else the file's ``gamma``. Raises ``FileNotFoundError`` or ``ValueError`` naming what is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable .npz file: {exc}") from None
    with data:
        keys = set(data.files)
        if "R" not in keys:
            raise ValueError(f"{path} has no array 'R' (expected keys: P or P_data/P_indices/P_indptr, R, optional gamma, mu0)")
        R = data["R"]
        mu0 = data["mu0"] if "mu0" in keys else None
        if "P" in keys:
            P = data["P"]
        elif {"P_data", "P_indices", "P_indptr"} <= keys:
            if R.ndim != 2:
                raise ValueError(f"sparse P needs R of shape (S, A), got {R.shape}")
            S, A = R.shape
            P = sp.csr_array((data["P_data"], data["P_indices"], data["P_indptr"]), shape=(S * A, S))
        else:
            raise ValueError(f"{path} has no transition kernel: expected key 'P' or 'P_data', 'P_indices', 'P_indptr'")
        if gamma is None and "gamma" in keys:
            gamma = float(data["gamma"])
    if not sp.issparse(P) and np.ndim(P) == 4:
        return EpisodicMDP(P, R, mu0)
    return FiniteMDP(P, R, gamma, mu0)
