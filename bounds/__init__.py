"""Theorems as SymPy bounds, and the statistical checks that compare them with experiments.

- :class:`Bound` — a bound's expression and metadata (:mod:`bounds.core`).
- :func:`register` / :func:`registry` — every module in this package registers its bounds on import;
  this ``__init__`` imports all submodules (``pkgutil``), so a new paper only adds a file.
- :mod:`bounds.checks` — ``below``, ``rate``, ``ratio_bounded``, ``identity`` returning a ``Verdict``.

``bounds`` depends on SymPy, NumPy/SciPy and :mod:`mdptheory` only; it knows theorems, not algorithms.
A submodule that fails to import does not take the others down: the error is recorded in
:data:`import_errors` (and warned), and ``mdptheory verify`` reports it as a failure.
"""
from __future__ import annotations

import importlib
import pkgutil
import warnings

from . import checks
from .core import PROVENANCE_TAGS, Bound, register, registry

__all__ = ["Bound", "register", "registry", "checks", "describe", "import_errors", "PROVENANCE_TAGS"]

#: submodule name -> "ExceptionType: message" for bound modules that failed to import.
import_errors: dict[str, str] = {}

for _info in pkgutil.iter_modules(__path__):
    if _info.name.startswith("_") or _info.name in ("core", "checks"):
        continue
    try:
        importlib.import_module(f"{__name__}.{_info.name}")
    except Exception as _exc:  # noqa: BLE001 - one broken paper module must not hide the others
        import_errors[_info.name] = f"{type(_exc).__name__}: {_exc}"
        warnings.warn(f"bounds.{_info.name} failed to import: {import_errors[_info.name]}", stacklevel=2)


def describe() -> list[str]:
    """One line per registered bound (name, kind, source, provenance), for ``mdptheory list``."""
    lines = [
        f"{b.name}  [{b.kind}{', hidden constant' if b.hidden_constant else ''}"
        f"{', w.p. ' + b.probability if b.probability else ''}]  {b.source}  ({b.provenance})"
        for b in registry().values()
    ]
    lines += [f"(failed to import bounds.{m}: {e})" for m, e in import_errors.items()]
    return lines
