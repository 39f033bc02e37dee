"""Timing helpers shared by the benchmark scripts (run as ``python benchmarks/NAME.py``, so this module is found
next to them): one median, one load-average line."""
from __future__ import annotations

import os
import time
from typing import Any, Callable

import numpy as np


def median(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """``(median wall time of repeats calls of fn, the last call's result)``; wall time, since the kernels
    may use threads."""
    ts, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), out


def load_line(when: str) -> str:
    """The 1-minute load average (the machine is shared: read every ratio next to it)."""
    return f"load average (1 min) {when}: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
