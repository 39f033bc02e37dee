"""Input validation shared by every model constructor.

Every check raises ``ValueError``/``TypeError`` naming the argument, the offending index and value,
and the fix — never an ``assert`` (which vanishes under ``python -O``) and never a silent repair.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp

#: Absolute tolerance on row sums of probability arrays. Loose enough for probabilities read from a
#: file with ~9 decimals, tight enough that a visibly wrong row is rejected.
PROB_ATOL = 1e-9

SeedLike = "int | np.random.Generator | None"


def as_generator(seed: int | np.random.Generator | np.random.SeedSequence | None,
                 name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a non-negative int seed, a Generator, a SeedSequence, or
    ``None`` (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"{name} = {seed} is a negative seed; a seed must be an int >= 0 "
                             f"(e.g. {name}=0) or a numpy.random.Generator")
        return np.random.default_rng(int(seed))
    raise TypeError(
        f"{name} must be an int seed >= 0, a numpy.random.Generator or None, got {seed!r} "
        f"({type(seed).__name__}); pass e.g. {name}=0 or {name}=np.random.default_rng(0)"
    )


def as_real_array(x: Any, name: str) -> np.ndarray:
    """``x`` as a float64 array (no copy if it already is one), refusing what only *looks* numeric.

    NumPy would turn the strings ``"0.5"`` into numbers and drop the imaginary part of complex input
    with only a warning; a model built from either is not what the caller meant, so both are errors.
    Booleans and integers are real numbers and are accepted. NaN and inf are left to the caller.
    """
    if sp.issparse(x):
        raise TypeError(f"{name} must be a dense array here, got a scipy.sparse matrix; use .toarray()")
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} is not a rectangular array of numbers: {exc}") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} has complex dtype {arr.dtype}; it must be real: pass np.real({name}) if the "
                        "imaginary part is meant to be zero")
    if kind == "O":
        for value in arr.flat:
            if not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a number or an array of numbers, found {value!r} "
                                f"({type(value).__name__})")
    elif kind not in "biuf":
        what = "strings" if kind in "US" else f"dtype {arr.dtype}"
        example = f" (e.g. {arr.flat[0].item()!r})" if arr.size else ""
        raise TypeError(f"{name} must be a number or an array of numbers, got {what}{example}, which are not "
                        "numeric; convert numbers stored as text first, e.g. float(text) or "
                        "np.asarray(values, dtype=float)")
    return arr.astype(np.float64, copy=False)


def _c_contiguous(arr: np.ndarray) -> np.ndarray:
    """``arr`` in C order, copied only if needed; unlike ``np.ascontiguousarray`` a scalar stays 0-d, so a
    scalar passed where an array is expected is reported as a scalar, not as shape ``(1,)``."""
    return arr if arr.flags.c_contiguous else arr.copy(order="C")


def _shape_words(arr: np.ndarray) -> str:
    return f"the scalar {arr.item()!r}" if arr.ndim == 0 else f"shape {arr.shape}"


def as_float_array(x: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """Convert ``x`` to a C-contiguous float64 array (no copy if it already is one) and check it."""
    arr = _c_contiguous(as_real_array(x, name))
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got {_shape_words(arr)}")
    check_finite(arr, name)
    return arr


def as_reward_array(x: Any, name: str, ndim: int) -> np.ndarray:
    """Rewards ``R[..., s, a]`` as C-contiguous float64, where ``-inf`` marks an **infeasible action** (the
    convention of QuantEcon's ``DiscreteDP``): NaN and ``+inf`` are errors, and every state must keep at least
    one feasible action. Planners never choose an infeasible action; policies may not use one."""
    arr = _c_contiguous(as_real_array(x, name))
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got {_shape_words(arr)}")
    bad = np.isnan(arr) | (arr == np.inf)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name}{list(idx)} = {arr[idx]} is not allowed; rewards must be finite, or -inf to mark "
                         "an infeasible action")
    if arr.size and arr.shape[-1] and np.isneginf(arr).all(axis=-1).any():
        idx = tuple(int(i) for i in np.argwhere(np.isneginf(arr).all(axis=-1))[0])
        raise ValueError(f"{name}{list(idx)}: every action is infeasible (-inf); each state needs at least one "
                         "action with a finite reward")
    return arr


def check_feasible_policy(R: np.ndarray, policy: np.ndarray, name: str = "policy") -> None:
    """Raise if a (validated) policy chooses, or gives probability to, an action whose reward is ``-inf``.

    ``R`` is ``(S, A)`` or ``(H, S, A)``; ``policy`` deterministic ``(S,)``/``(H, S)`` or stochastic
    ``(S, A)``/``(H, S, A)`` (a stationary policy is used at every stage)."""
    infeasible = np.isneginf(R)
    if not infeasible.any():
        return
    if policy.dtype.kind in "iu":
        chosen = np.broadcast_to(policy, R.shape[:-1])[..., None]
        hit = np.take_along_axis(infeasible, chosen, axis=-1)[..., 0]
    else:
        hit = infeasible & (np.broadcast_to(policy, R.shape) > 0)
    if hit.any():
        idx = tuple(int(i) for i in np.argwhere(hit)[0])
        raise ValueError(f"{name} uses an infeasible action (reward -inf) at index {list(idx)}; choose among "
                         "the actions with a finite reward")


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise if ``arr`` has a NaN or infinite entry, naming the first one."""
    bad = ~np.isfinite(arr)
    if bad.any():
        if arr.ndim == 0:
            raise ValueError(f"{name} = {arr[()]} is not finite; it must be a finite number")
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name}{list(idx)} = {arr[idx]} is not finite; every entry must be a finite number")


def check_shape(arr: np.ndarray, shape: tuple[int, ...], name: str, hint: str = "") -> None:
    """Raise if ``arr.shape != shape``."""
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} has shape {arr.shape}, expected {tuple(shape)}{'; ' + hint if hint else ''}")


def _fmt_index(idx: tuple[int, ...]) -> str:
    return ", ".join(str(int(i)) for i in idx)


def _is_low_precision(dtype: Any) -> bool:
    """Whether the caller's array was a float type coarser than float64 (float32, float16)."""
    return dtype is not None and np.dtype(dtype).kind == "f" and np.dtype(dtype).itemsize < 8


def _renormalize_hint(name: str, atol: float, given_dtype: Any, sparse: bool) -> str:
    """The fix for rows that do not sum to 1: one that works, including for float32 input, whose rounding
    (~6e-8 per row) is far above ``atol`` however it is renormalized in float32."""
    if sparse:
        fix = (f"{name} = scipy.sparse.csr_array({name}, dtype=np.float64); "
               f"{name}.data /= np.repeat({name}.sum(axis=1), np.diff({name}.indptr))")
    else:
        fix = f"{name} = np.asarray({name}, dtype=np.float64); {name} /= {name}.sum(-1, keepdims=True)"
    if _is_low_precision(given_dtype):
        eps = float(np.finfo(np.dtype(given_dtype)).eps)
        return (f"{name} was given as {np.dtype(given_dtype)}, whose rounding (~{eps:.0e}) exceeds atol {atol:g}: "
                f"build it in float64, or convert and renormalize: {fix}")
    return f"renormalize if that is what you intended: {fix}"


def check_distribution(arr: np.ndarray, name: str, atol: float = PROB_ATOL, given_dtype: Any = None) -> None:
    """Check that every slice ``arr[..., :]`` is a probability vector (non-negative, sums to 1).

    The error names the first offending index and a fix that works, e.g.
    ``P[3, 1, :] sums to 0.93, expected 1 (atol 1e-09); renormalize if that is what you intended: ...``.
    ``given_dtype`` is the dtype the caller passed (before the float64 conversion), used for the hint.
    """
    check_finite(arr, name)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name} has shape {arr.shape}: a probability vector needs at least one entry")
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
        raise ValueError(f"{lead} sums to {total:.10g}, expected 1 (atol {atol:g}); "
                         + _renormalize_hint(name, atol, given_dtype, sparse=False))


def check_csr_structure(indptr: Any, indices: Any, data: Any, shape: tuple[int, int], name: str = "P",
                        A: int | None = None, parts: tuple[str, str, str] | None = None) -> None:
    """Check the raw CSR arrays of a ``shape = (n_rows, n_cols)`` matrix before anything reads through them.

    SciPy checks only part of this when it builds a CSR matrix; a column index outside ``0..n_cols-1``
    (negative included) would make a Numba kernel read outside ``V``. With ``A`` given, rows are named
    ``(state, action)`` (row ``s*A + a``). ``parts`` names the three arrays in messages (default
    ``P.indptr``, ``P.indices``, ``P.data``; a file uses its keys ``P_indptr``, ...).
    """
    n_rows, n_cols = shape
    p_ptr, p_idx, p_data = parts or (f"{name}.indptr", f"{name}.indices", f"{name}.data")
    arrays = {}
    for arr, label in ((indptr, p_ptr), (indices, p_idx)):
        arr = np.asarray(arr)
        if arr.ndim != 1:
            raise ValueError(f"{label} must be 1-D, got shape {arr.shape}")
        if arr.dtype.kind not in "iu":
            raise TypeError(f"{label} must hold integers, got dtype {arr.dtype}; a CSR matrix stores row "
                            "offsets and column indices as int32/int64")
        arrays[label] = arr
    indptr, indices = arrays[p_ptr], arrays[p_idx]
    data_shape = np.shape(data)
    if len(data_shape) != 1:
        raise ValueError(f"{p_data} must be 1-D, got shape {data_shape}")
    row_name = (lambda r: f"row {r} (state {r // A}, action {r % A})") if A else (lambda r: f"row {r}")
    if indptr.shape[0] != n_rows + 1:
        what = "S*A + 1" if A else "n_rows + 1"
        raise ValueError(f"{p_ptr} has {indptr.shape[0]} entries, expected {what} = {n_rows + 1} "
                         "(the offset of every row, then the number of stored entries)")
    if indptr[0] != 0:
        raise ValueError(f"{p_ptr}[0] = {indptr[0]}, expected 0 (the first row starts at entry 0)")
    steps = np.diff(indptr.astype(np.int64))
    if (steps < 0).any():
        r = int(np.argmax(steps < 0))
        raise ValueError(f"{p_ptr} decreases at {row_name(r)}: {p_ptr}[{r}] = {indptr[r]} > {p_ptr}[{r + 1}] = "
                         f"{indptr[r + 1]}; row offsets must be non-decreasing")
    nnz = int(indptr[-1])
    if indices.shape[0] != nnz or data_shape[0] != nnz:
        raise ValueError(f"{p_ptr}[-1] = {nnz} stored entries, but {p_idx} has {indices.shape[0]} and {p_data} "
                         f"has {data_shape[0]}; the three must agree")
    # min/max first: no temporary boolean arrays of nnz entries on large models; locate only on failure
    if indices.size and (indices.min() < 0 or indices.max() >= n_cols):
        k = int(np.argmax((indices < 0) | (indices >= n_cols)))
        r = int(np.searchsorted(indptr, k, side="right") - 1)
        raise ValueError(f"{p_idx}[{k}] = {indices[k]} (in {row_name(r)}) is outside 0..{n_cols - 1}; every "
                         f"column index must be a valid next state")


def check_csr_transition(P: Any, S: int, A: int, name: str = "P", atol: float = PROB_ATOL,
                         parts: tuple[str, str, str] | None = None) -> sp.csr_array:
    """Validate a sparse transition matrix of shape ``(S*A, S)`` (row ``s*A + a``) and return it as a
    canonical float64 ``csr_array`` whose three arrays are read-only.

    The caller's matrix is never modified: when duplicates must be summed, indices sorted or the dtype
    changed, the arrays are copied first; otherwise they are shared (no copy of a large model) and, like a
    dense ``P``, marked read-only so that the validated model cannot change behind its back.
    """
    if not sp.issparse(P):
        raise TypeError(f"sparse {name} must be a scipy.sparse matrix, got {type(P).__name__}")
    if P.shape != (S * A, S):
        raise ValueError(f"sparse {name} has shape {P.shape}, expected (S*A, S) = ({S * A}, {S}) with row s*A + a")
    given_dtype = P.dtype
    if P.format != "csr":
        P = P.tocsr()  # new arrays: COO/CSC/... conversions never share the caller's
    check_csr_structure(P.indptr, P.indices, P.data, (S * A, S), name, A, parts)
    data = as_real_array(P.data, parts[2] if parts else f"{name}.data")
    out = sp.csr_array((data, P.indices, P.indptr), shape=(S * A, S), copy=False)
    if not out.has_canonical_format:
        out = out.copy()          # sum_duplicates works in place: never on the caller's arrays
        out.sum_duplicates()
    data = out.data
    if not np.all(np.isfinite(data)):
        k = int(np.argmin(np.isfinite(data)))
        row = int(np.searchsorted(out.indptr, k, side="right") - 1)
        raise ValueError(f"{name}[{row // A}, {row % A}, {out.indices[k]}] = {data[k]} is not finite")
    if (data < 0).any():
        k = int(np.argmax(data < 0))
        row = int(np.searchsorted(out.indptr, k, side="right") - 1)
        raise ValueError(
            f"{name}[{row // A}, {row % A}, {out.indices[k]}] = {data[k]:.6g} is negative; probabilities must be >= 0"
        )
    sums = np.asarray(out.sum(axis=1)).ravel()
    bad = np.abs(sums - 1.0) > atol
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"{name}[{row // A}, {row % A}, :] sums to {sums[row]:.10g}, expected 1 (atol {atol:g}); "
                         + _renormalize_hint(name, atol, given_dtype, sparse=True))
    for arr, given in ((out.data, P.data), (out.indices, P.indices), (out.indptr, P.indptr)):
        arr.flags.writeable = False
        if np.may_share_memory(arr, given):  # SciPy made a view: the caller's array would still write into it
            given.flags.writeable = False
    return out


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as a Python int if it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def check_real(value: Any, name: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False, hint: str = "") -> float:
    """Return ``value`` as a float if it is a real number in the given interval, else raise naming ``name``.

    Strings, booleans, complex numbers, arrays, NaN and inf are refused with a ``TypeError``/``ValueError``
    (NumPy's own errors on them, e.g. ``ufunc 'isfinite' not supported``, name neither the argument nor
    the fix). ``hint`` is appended to the out-of-range message.
    """
    lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low:g}"
    hi = "inf)" if high is None else f"{high:g}" + (")" if high_open else "]")
    interval = f"{lo}, {hi}"
    extra = f"; {hint}" if hint else ""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        if isinstance(value, str):
            shown = f"the string {value!r}; pass a number (float(text) if it comes from text)"
        elif isinstance(value, (np.ndarray, list, tuple)):
            shown = f"an array of shape {np.shape(value)}; pass one number"
        else:
            shown = f"{value!r} ({type(value).__name__})"
        raise TypeError(f"{name} must be a single real number in {interval}, got {shown}")
    v = float(value)
    ok = math.isfinite(v)
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if not ok:
        raise ValueError(f"{name} must be a finite number in {interval}, got {v}{extra}")
    return v


def check_gamma(gamma: Any, allow_none: bool = True) -> float | None:
    """Validate a discount factor in ``[0, 1)`` (``None`` = average reward when allowed)."""
    if gamma is None:
        if allow_none:
            return None
        raise ValueError("gamma is None but a discount factor in [0, 1) is required here")
    if isinstance(gamma, str):
        raise TypeError(f"gamma must be a float in [0, 1), got the string {gamma!r}; pass a number, "
                        f"e.g. gamma=0.9 (or float(text) when it comes from text)")
    if isinstance(gamma, np.ndarray) and gamma.ndim == 0:
        gamma = gamma[()]
    if np.ndim(gamma) > 0:
        raise TypeError(f"gamma must be one float in [0, 1), got an array of shape {np.shape(gamma)}; one "
                        "discount factor serves every state and action: pass e.g. gamma=0.9")
    if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma must be a float in [0, 1), got {gamma!r} ({type(gamma).__name__}); "
                        "pass e.g. gamma=0.9")
    g = float(gamma)
    if not np.isfinite(g) or not 0.0 <= g < 1.0:
        hint = (
            "; for gamma = 1 use an EpisodicMDP with solvers.backward_induction, or gamma=None with "
            "solvers.relative_value_iteration for average reward" if g == 1.0 else ""
        )
        raise ValueError(f"gamma must lie in [0, 1), got {gamma}{hint}")
    return g
