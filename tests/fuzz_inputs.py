"""Corruptions for the input fuzz tests (``tests/test_fuzz_*.py``, issue 11): what a careless or hurried
user passes instead of a valid argument, and the one rule every entry point must follow.

The rule (:func:`clear_error_or`): a call either raises ``ValueError``/``TypeError`` whose message names the
argument at fault, or returns an answer the test then checks against an independent computation. A
corruption marked *invalid* must raise; a *maybe* one (float32, integers, lists, a Fortran-ordered copy)
may be accepted, and then the answer must be the one of the canonical float64 input.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from hypothesis import Phase, settings
from hypothesis import strategies as st

ERRORS = (ValueError, TypeError)

#: Scalars that are never a valid number: ``(label, value)``.
NOT_A_NUMBER = [("nan", float("nan")), ("string", "0.5"), ("none", None), ("list", [0.5, 0.5]),
                ("complex", 0.5 + 1j), ("bool", True), ("array", np.array([0.5, 0.5])), ("object", object())]


def clear_error_or(call: Callable[[], Any], names: Sequence[str], must_fail: bool,
                   check: Callable[[Any], None] | None = None) -> Any:
    """Run ``call``: a ``ValueError``/``TypeError`` must name one of ``names``; an invalid input must raise;
    an accepted one goes through ``check``. Any other exception (``IndexError``, NumPy's own messages, a
    Numba crash) fails the test."""
    try:
        out = call()
    except ERRORS as exc:
        msg = str(exc)
        assert any(n in msg for n in names), f"the error does not name {list(names)}: {type(exc).__name__}: {msg}"
        return None
    assert not must_fail, f"an invalid {list(names)} was accepted silently"
    if check is not None:
        check(out)
    return out


#: Array corruptions: name -> (function(arr, rng) -> corrupted value, invalid for every argument?).
#: Probability arrays add their own (negative entry, rows not summing to one) in the tests.
def _at(arr: np.ndarray, rng: np.random.Generator, value: Any, dtype: Any = None) -> np.ndarray:
    out = np.array(arr, dtype=dtype if dtype is not None else arr.dtype)
    if out.size:
        out[tuple(rng.integers(n) for n in out.shape)] = value
    return out


def _object_with_none(arr, rng):
    out = np.array(arr, dtype=object)
    out[tuple(rng.integers(n) for n in out.shape)] = None
    return out


ARRAY_CORRUPTIONS: dict[str, tuple[Callable[[np.ndarray, np.random.Generator], Any], bool]] = {
    "nan": (lambda a, rng: _at(a, rng, np.nan), True),
    "inf": (lambda a, rng: _at(a, rng, np.inf), True),
    "-inf": (lambda a, rng: _at(a, rng, -np.inf), True),
    "complex": (lambda a, rng: a + 0j, True),
    "complex-imag": (lambda a, rng: _at(a + 0j, rng, 1j), True),
    "strings": (lambda a, rng: a.astype(str), True),
    "object-none": (_object_with_none, True),
    "extra-axis": (lambda a, rng: a[..., None], True),
    "flattened": (lambda a, rng: a.ravel() if a.ndim > 1 else a[None, :], True),
    "shorter": (lambda a, rng: np.delete(a, -1, axis=int(rng.integers(a.ndim))), True),
    "empty": (lambda a, rng: np.zeros((0,) * a.ndim), True),
    "scalar": (lambda a, rng: 0.5, True),
    "sparse": (lambda a, rng: sp.csr_array(a.reshape(a.shape[0], -1)), True),
    "none": (lambda a, rng: None, True),
    "float32": (lambda a, rng: a.astype(np.float32), False),
    "list": (lambda a, rng: a.tolist(), False),
    "fortran": (lambda a, rng: np.asfortranarray(a), False),
    "strided": (lambda a, rng: np.repeat(a, 2, axis=-1)[..., ::2], False),
}

array_corruptions = st.sampled_from(sorted(ARRAY_CORRUPTIONS))
seeds = st.integers(0, 2**32 - 1)


def as_canonical(value: Any) -> np.ndarray:
    """What an accepted array input must have become: the same numbers in float64."""
    return np.asarray(value, dtype=np.float64)


def few(n: int) -> settings:
    """Hypothesis settings with ``n`` examples under the ``ci`` profile, scaled up by ``thorough`` (the
    corruption kinds are pytest parameters, so a few draws of the data each are enough in CI).

    No shrinking: the models are tiny already, and the strict xfails (known defects) would otherwise spend
    ~20 s each shrinking an example that fails whatever it is."""
    return settings(max_examples=max(1, n * settings.default.max_examples // 25),
                    phases=(Phase.explicit, Phase.reuse, Phase.generate))
