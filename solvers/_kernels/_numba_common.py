"""Numba settings shared by every kernel.

``FASTMATH`` allows LLVM to reassociate and contract floating-point sums so that the inner dot
products vectorize (measured 2x, software_anchors.md section 4.3). The price: sums may be
accumulated in a different order from the NumPy twins, so results agree to ~1e-15 relative, not
bit-for-bit. We do not enable ``nnan``/``ninf``: the kernels compare against ``-inf``.

Each state-parallel kernel is compiled twice from one body by :func:`jit_pair`: ``parallel=True``
(``prange`` over states) and serial. :func:`use_parallel` decides per call which one runs. On a machine
whose cores are busy with other work a ``prange`` kernel stalls at its barrier waiting for a descheduled
thread: measured 8.7-16 ms for one CSR sweep at S = 2,000 in parallel against 1.8 ms serial, and
``solve()`` at S = 500 dense 0.57 s with 2 threads against 0.014 s with 1 (issue 12). The gain on an
idle 2-core machine is at most ~1.6x (memory bandwidth), the loss on a busy one 5-40x, so the default
is **serial** (``PARALLEL_MODE = "off"``); ``solvers.set_parallel("on")`` (or the environment variable
``MDPTHEORY_PARALLEL=on``) uses the parallel compilation for sweeps of at least
:data:`PARALLEL_MIN_WORK` multiply-adds, and ``"auto"`` does so only while the 1-minute load average
leaves a core free per extra thread. The threshold and the numbers behind the default are measured by
``benchmarks/planners.py`` (section "threads") and quoted in docs/planners.md.
"""
from __future__ import annotations

import os
import time
import types

import numpy as np
from numba import njit

from mdptheory.policies import TIE_RTOL

FASTMATH = {"reassoc", "contract", "nsz"}

#: Multiply-adds per sweep below which the serial compilation is used even when parallel is enabled
#: (thread start-up and the barrier cost tens of microseconds on an idle machine).
PARALLEL_MIN_WORK = 1 << 18

#: "off" (default): always serial; "on": parallel above PARALLEL_MIN_WORK; "auto": parallel above it while
#: the machine has idle cores.
PARALLEL_MODES = ("off", "on", "auto")
PARALLEL_MODE = os.environ.get("MDPTHEORY_PARALLEL", "off").strip().lower() or "off"
if PARALLEL_MODE not in PARALLEL_MODES:  # a bad environment value must not break imports: say it, stay serial
    import warnings

    warnings.warn(f"MDPTHEORY_PARALLEL={PARALLEL_MODE!r} is not one of {PARALLEL_MODES}; using 'off'", stacklevel=1)
    PARALLEL_MODE = "off"

_LOAD_CHECK = {"t": -1.0, "idle": False}


def set_parallel(mode: str) -> str:
    """Choose when the state-parallel kernels run in parallel: ``"off"`` (default), ``"on"`` or ``"auto"``;
    returns the previous mode."""
    global PARALLEL_MODE
    if mode not in PARALLEL_MODES:
        raise ValueError(f"parallel mode must be one of {PARALLEL_MODES}, got {mode!r}")
    old, PARALLEL_MODE = PARALLEL_MODE, mode
    return old


def _idle_cores() -> bool:
    """Whether the 1-minute load average (which counts this process) leaves a core free for each extra
    Numba thread; re-read at most once a second."""
    now = time.monotonic()
    if now - _LOAD_CHECK["t"] > 1.0:
        import numba

        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        extra = max(numba.get_num_threads() - 1, 0)
        _LOAD_CHECK["idle"] = os.getloadavg()[0] + extra <= cores + 0.25
        _LOAD_CHECK["t"] = now
    return _LOAD_CHECK["idle"]


def use_parallel(work: int) -> bool:
    """Run the parallel compilation for a call doing ``work`` multiply-adds?"""
    if PARALLEL_MODE == "off" or work < PARALLEL_MIN_WORK:
        return False
    return PARALLEL_MODE == "on" or _idle_cores()


def jit_pair(fn, fastmath=FASTMATH):
    """Return ``(serial, parallel)`` Numba compilations of ``fn``.

    The serial copy gets its own ``__qualname__`` so that the two ``cache=True`` entries do not share a
    cache file (Numba keys cache files by qualified name, not by compiler flags).
    """
    ser = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_serial", fn.__defaults__, fn.__closure__)
    ser.__qualname__ = fn.__qualname__ + "_serial"
    opts = dict(fastmath=fastmath, cache=True, nogil=True)
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
