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

from mdptheory.discovery import import_submodules

from . import checks
from .core import PROVENANCE_TAGS, Bound, register, registry

__all__ = ["Bound", "register", "registry", "checks", "describe", "import_errors", "PROVENANCE_TAGS"]

#: submodule name -> "ExceptionType: message" for bound modules that failed to import.
import_errors: dict[str, str] = {}

import_submodules(__name__, __path__, skip=("core", "checks", "references"), errors=import_errors)


def describe() -> list[str]:
    """One line per registered bound (name, kind, source, provenance tag and its meaning, the full
    reference), for ``mdptheory list``."""
    from .references import reference_for

    lines = []
    for b in registry().values():
        lines.append(f"{b.name}  [{b.kind}{', hidden constant' if b.hidden_constant else ''}"
                     f"{', w.p. ' + b.probability if b.probability else ''}]  {b.source}  "
                     f"({b.provenance}: {PROVENANCE_TAGS[b.provenance]})")
        ref = reference_for(b.source)
        if ref:
            lines.append(f"    {ref}")
    lines += [f"(failed to import bounds.{m}: {e})" for m, e in import_errors.items()]
    return lines
