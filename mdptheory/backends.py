"""Backends and the twin registry: every JIT kernel is registered here next to its NumPy twin.

The suite's rule is *correct first, then fast*: each Numba kernel has a plain NumPy implementation of the
same contract (same arguments, same outputs, same tie-break rule), and a test compares the two. This module
is the one place that records the pairs:

.. code-block:: python

    from mdptheory import backends

    backends.register("learners.count_update", numba=count_update, numpy=count_update_numpy)
    update = backends.pick("learners.count_update", self.backend)   # "numba" or "numpy"

``tests/test_twins.py`` walks :func:`registered` and runs every pair on the example inputs that
``tests/twin_examples.py`` provides for its name (ties included). A kernel registered without an example
fails that test, so a kernel cannot land without its twin comparison.

It lives in :mod:`mdptheory` (not :mod:`solvers`) because the rollout kernels of :mod:`mdptheory.sampling`
are twins too, and :mod:`mdptheory` never imports :mod:`solvers`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

__all__ = ["BACKENDS", "Twin", "check_backend", "register", "pick", "registered"]

#: Accepted values of every ``backend=`` argument.
BACKENDS = ("numba", "numpy")


@dataclass(frozen=True)
class Twin:
    """A kernel and its reference: the same contract, two implementations."""

    name: str
    numba: Callable
    numpy: Callable

    def __getitem__(self, backend: str) -> Callable:
        return getattr(self, check_backend(backend))


_REGISTRY: dict[str, Twin] = {}


def check_backend(backend: str) -> str:
    """Return ``backend`` if it is ``"numba"`` or ``"numpy"``, else raise a ``ValueError`` naming both."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}: 'numba' is the JIT default, "
                         "'numpy' the readable reference")
    return backend


def register(name: str, *, numba: Callable, numpy: Callable) -> Twin:
    """Record the pair ``name -> (numba, numpy)``; registering a name twice with other functions is an error."""
    twin = Twin(name, numba, numpy)
    old = _REGISTRY.get(name)
    if old is not None and (old.numba is not numba or old.numpy is not numpy):
        raise ValueError(f"twin {name!r} is already registered with other functions")
    _REGISTRY[name] = twin
    return twin


def pick(name: str, backend: str) -> Callable:
    """The implementation of kernel ``name`` for ``backend`` (``"numba"`` or ``"numpy"``)."""
    check_backend(backend)
    try:
        return _REGISTRY[name][backend]
    except KeyError:
        raise KeyError(f"no kernel {name!r} is registered; known: {', '.join(sorted(_REGISTRY))}") from None


def registered() -> dict[str, Twin]:
    """Every registered pair, ``name -> Twin`` (only kernels whose module has been imported)."""
    return dict(sorted(_REGISTRY.items()))
