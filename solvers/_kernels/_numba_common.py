"""Numba settings shared by every kernel.

``FASTMATH`` allows LLVM to reassociate and contract floating-point sums so that the inner dot
products vectorize (measured 2x, software_anchors.md section 4.3). The price: sums may be
accumulated in a different order from the NumPy twins, so results agree to ~1e-15 relative, not
bit-for-bit. We do not enable ``nnan``/``ninf``: the kernels compare against ``-inf``.

Each state-parallel kernel is compiled twice from one body by :func:`jit_pair`: ``parallel=True``
(``prange`` over states) and serial. The wrappers pick the serial one when a sweep has fewer than
:data:`PARALLEL_MIN_WORK` multiply-adds, where thread start-up and barrier costs (tens of
microseconds, far more on a loaded machine) exceed the work.
"""
from __future__ import annotations

import types

import numpy as np
from numba import njit

from mdptheory.policies import TIE_RTOL

FASTMATH = {"reassoc", "contract", "nsz"}

#: Multiply-adds per sweep below which the serial compilation is used.
PARALLEL_MIN_WORK = 1 << 16


def jit_pair(fn):
    """Return ``(serial, parallel)`` Numba compilations of ``fn``.

    The serial copy gets its own ``__qualname__`` so that the two ``cache=True`` entries do not share a
    cache file (Numba keys cache files by qualified name, not by compiler flags).
    """
    ser = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_serial", fn.__defaults__, fn.__closure__)
    ser.__qualname__ = fn.__qualname__ + "_serial"
    opts = dict(fastmath=FASTMATH, cache=True, nogil=True)
    return njit(**opts)(ser), njit(parallel=True, **opts)(fn)


@njit(cache=True, nogil=True)
def tie_threshold(best):
    """Values ``>= tie_threshold(max)`` are tied with the max (the rule of :func:`mdptheory.policies.greedy`);
    the greedy action is the lowest such one. Kernels track the max while they fill a ``Q`` row, then scan
    the row once more for the first action above this threshold."""
    return best - TIE_RTOL * (1.0 + abs(best))


@njit(cache=True, nogil=True)
def greedy_row(q):
    """``(max_a q[a], greedy action)`` of one row ``q (A,)`` with the suite's tie rule."""
    best = -np.inf
    for a in range(q.shape[0]):
        if q[a] > best:
            best = q[a]
    thr = tie_threshold(best)
    for a in range(q.shape[0]):
        if q[a] >= thr:
            return best, a
    return best, 0
