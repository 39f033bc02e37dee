"""Auto-discovery of plug-in modules (bounds, experiments, figures): a new paper only adds a file."""
from __future__ import annotations

import importlib
import pkgutil
import types
import warnings
from collections.abc import Iterable


def import_submodules(package: str, path: Iterable[str], skip: Iterable[str] = (),
                      errors: dict[str, str] | None = None) -> list[types.ModuleType]:
    """Import every public submodule of ``package`` (found on ``path``) except those in ``skip``.

    A submodule that fails to import does not take the others down: its error is recorded in
    ``errors[name]`` as ``"ExceptionType: message"`` and warned, so callers can report it.
    """
    skip = set(skip)
    modules = []
    for info in pkgutil.iter_modules(list(path)):
        if info.name.startswith("_") or info.name in skip:
            continue
        try:
            modules.append(importlib.import_module(f"{package}.{info.name}"))
        except Exception as exc:  # noqa: BLE001 - one broken module must not hide the others
            message = f"{type(exc).__name__}: {exc}"
            if errors is not None:
                errors[info.name] = message
            warnings.warn(f"{package}.{info.name} failed to import: {message}", stacklevel=3)
    return modules
