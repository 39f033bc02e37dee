"""Input validation shared by every model constructor.

Every check raises ``ValueError``/``TypeError`` naming the argument, the offending index and value,
and the fix — never an ``assert`` (which vanishes under ``python -O``) and never a silent repair.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

#: Absolute tolerance on row sums of probability arrays. Loose enough for probabilities read from a
#: file with ~9 decimals, tight enough that a visibly wrong row is rejected.
PROB_ATOL = 1e-9

SeedLike = "int | np.random.Generator | None"


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from an int seed, a Generator, or ``None`` (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer)):
        return np.random.default_rng(seed)
    raise TypeError(
        f"rng/seed must be an int, a numpy.random.Generator or None, got {type(seed).__name__}; "
        "pass e.g. rng=np.random.default_rng(0)"
    )


def as_float_array(x: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """Convert ``x`` to a C-contiguous float64 array (no copy if it already is one) and check it."""
    if sp.issparse(x):
        raise TypeError(f"{name} must be a dense array here, got a scipy.sparse matrix")
    try:
        arr = np.ascontiguousarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, could not convert: {exc}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise if ``arr`` has a NaN or infinite entry, naming the first one."""
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name}{list(idx)} = {arr[idx]} is not finite; every entry must be a finite number")


def check_shape(arr: np.ndarray, shape: tuple[int, ...], name: str, hint: str = "") -> None:
    """Raise if ``arr.shape != shape``."""
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} has shape {arr.shape}, expected {tuple(shape)}{'; ' + hint if hint else ''}")


def _fmt_index(idx: tuple[int, ...]) -> str:
    return ", ".join(str(int(i)) for i in idx)


def check_distribution(arr: np.ndarray, name: str, atol: float = PROB_ATOL) -> None:
    """Check that every slice ``arr[..., :]`` is a probability vector (non-negative, sums to 1).

    The error names the first offending index, e.g.
    ``P[3, 1, :] sums to 0.93, expected 1 (atol 1e-09); renormalize with ...``.
    """
    check_finite(arr, name)
    neg = arr < 0
    if neg.any():
        idx = tuple(np.argwhere(neg)[0])
        raise ValueError(
            f"{name}[{_fmt_index(idx)}] = {arr[idx]:.6g} is negative; probabilities must be >= 0"
        )
    sums = arr.sum(axis=-1)
    bad = np.abs(sums - 1.0) > atol
    if bad.any():
        idx = tuple(np.argwhere(np.atleast_1d(bad))[0]) if sums.ndim else ()
        lead = f"{name}[{_fmt_index(idx)}, :]" if idx else f"{name}"
        total = sums[idx] if idx else float(sums)
        raise ValueError(
            f"{lead} sums to {total:.10g}, expected 1 (atol {atol:g}); renormalize with "
            f"{name} /= {name}.sum(-1, keepdims=True) if that is what you intended"
        )


def check_csr_transition(P: sp.csr_array | sp.csr_matrix, S: int, A: int, name: str = "P",
                         atol: float = PROB_ATOL) -> sp.csr_array:
    """Validate a CSR transition matrix of shape ``(S*A, S)`` (row ``s*A + a``) and return it as float64."""
    P = sp.csr_array(P, dtype=np.float64)
    if P.shape != (S * A, S):
        raise ValueError(f"sparse {name} has shape {P.shape}, expected (S*A, S) = ({S * A}, {S}) with row s*A + a")
    P.sum_duplicates()
    data = P.data
    if not np.all(np.isfinite(data)):
        k = int(np.argmin(np.isfinite(data)))
        row = int(np.searchsorted(P.indptr, k, side="right") - 1)
        raise ValueError(f"{name}[{row // A}, {row % A}, {P.indices[k]}] = {data[k]} is not finite")
    if (data < 0).any():
        k = int(np.argmax(data < 0))
        row = int(np.searchsorted(P.indptr, k, side="right") - 1)
        raise ValueError(
            f"{name}[{row // A}, {row % A}, {P.indices[k]}] = {data[k]:.6g} is negative; probabilities must be >= 0"
        )
    sums = np.asarray(P.sum(axis=1)).ravel()
    bad = np.abs(sums - 1.0) > atol
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(
            f"{name}[{row // A}, {row % A}, :] sums to {sums[row]:.10g}, expected 1 (atol {atol:g}); "
            "renormalize the rows of the CSR matrix if that is what you intended"
        )
    return P


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as a Python int if it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def check_gamma(gamma: Any, allow_none: bool = True) -> float | None:
    """Validate a discount factor in ``[0, 1)`` (``None`` = average reward when allowed)."""
    if gamma is None:
        if allow_none:
            return None
        raise ValueError("gamma is None but a discount factor in [0, 1) is required here")
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.integer, np.floating)):
        raise TypeError(f"gamma must be a float in [0, 1), got {gamma!r}")
    g = float(gamma)
    if not np.isfinite(g) or not 0.0 <= g < 1.0:
        hint = (
            "; for gamma = 1 use an EpisodicMDP with solvers.backward_induction, or gamma=None with "
            "solvers.relative_value_iteration for average reward" if g == 1.0 else ""
        )
        raise ValueError(f"gamma must lie in [0, 1), got {gamma}{hint}")
    return g
