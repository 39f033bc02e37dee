"""Where Numba keeps its compiled kernels: a directory named after the kernels' own sources.

Numba's ``cache=True`` invalidates a cached kernel when *its* file changes, but not when a jitted function
it calls from another file does (a documented Numba limitation): after an edit of
``solvers/_kernels/_numba_common.py`` (the tie rule) the cached Bellman kernels of ``dense.py`` would keep
the old rule inlined, and results would come from code that no longer exists. So the cache lives in a
directory keyed by a hash of every source file of :mod:`mdptheory` and :mod:`solvers` that uses Numba:
changing any of them starts a fresh cache (one recompilation), and nothing stale is ever loaded.

A ``NUMBA_CACHE_DIR`` set by the user is respected as given.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["kernel_sources_hash", "configure"]

_PACKAGES = ("mdptheory", "solvers")


def kernel_sources_hash() -> str:
    """First 16 hex digits of the hash of every ``.py`` file of the packages that mentions Numba."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for pkg in _PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            text = path.read_bytes()
            if b"numba" in text:
                h.update(str(path.relative_to(root)).encode())
                h.update(b"\0")
                h.update(text)
    return h.hexdigest()[:16]


def configure() -> str | None:
    """Point Numba's cache at ``<cache home>/mdptheory/numba/<kernel sources hash>`` (unless the user set
    ``NUMBA_CACHE_DIR``); returns the directory, or ``None`` when left unchanged. Called when
    :mod:`mdptheory` is imported, before any kernel is compiled."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mdptheory" / "numba"
    target = base / kernel_sources_hash()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: keep Numba's default (next to the sources)
        return None
    import sys

    if "numba" in sys.modules:   # already configured from the environment: set it where the decorators read it
        sys.modules["numba"].config.CACHE_DIR = str(target)
    else:                        # read when Numba is imported (keeps `import mdptheory` from importing Numba)
        os.environ["NUMBA_CACHE_DIR"] = str(target)
    return str(target)
