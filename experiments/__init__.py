"""Experiments: one module per experiment, auto-discovered; claims that bind them to bounds.

An experiment module in this package defines

- ``NAME: str`` — unique key (``"planning-vi"``);
- ``GRID: list[dict]`` (the paper's grid) and ``QUICK_GRID: list[dict]`` (a few seconds' worth);
- ``SEEDS: int`` and ``QUICK_SEEDS: int``;
- ``run(config: dict, seed: int) -> dict`` of JSON scalars and NumPy arrays;
- ``CLAIMS: list[Claim]``;
- optionally ``VERSION: str``, a salt of the store key. The key always includes a hash of every source
  the experiment can execute (its import closure in ``mdptheory``, ``solvers``, ``bounds``,
  ``experiments``) and of the numeric libraries' versions, so editing any code a run executes
  invalidates its stored results (:mod:`mdptheory.codeversion`).

Nothing is listed centrally: :func:`experiment_modules` imports every module of the package that
defines ``NAME`` and ``run``. Run them with :func:`experiments.runner.run_experiment`, read stored
results with :func:`load_results`, judge claims with ``mdptheory verify``.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any

from mdptheory.codeversion import code_version as _code_version
from mdptheory.discovery import import_submodules


def __getattr__(name: str) -> Any:
    """``Claim``, ``ClaimResult`` and ``judge`` load the checks (SymPy, SciPy) on first use, so that importing
    the package (``mdptheory --help`` does) stays fast."""
    if name in ("Claim", "ClaimResult", "judge"):
        from . import claims

        return getattr(claims, name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")

__all__ = ["Claim", "ClaimResult", "judge", "experiment_modules", "get_experiment", "all_claims",
           "load_results", "code_version", "describe", "import_errors", "register_experiment", "load_module",
           "verify_claim", "ENTRY_POINT_GROUP"]

#: Package modules that are harness code, not experiments.
_HARNESS = {"claims", "runner", "report", "cli", "verify", "runsets", "theory", "independent", "offline_truth"}

#: module name -> "ExceptionType: message" for experiment modules that failed to import.
import_errors: dict[str, str] = {}

#: Experiment modules defined outside this package (a user's file), added by :func:`register_experiment`.
_EXTERNAL: dict[str, types.ModuleType] = {}


#: Installed packages publish experiment modules under this entry-point group (``module:`` values).
ENTRY_POINT_GROUP = "mdptheory.experiments"
_entry_points_loaded = False


def load_module(path: str | os.PathLike) -> types.ModuleType:
    """Import an experiment file from ``path`` (outside the package) and register it; returns the module."""
    p = Path(path).resolve()
    if not p.is_file() or p.suffix != ".py":
        raise ValueError(f"--module {path}: not a .py file; give the path of a Python file defining NAME, GRID, "
                         "QUICK_GRID, SEEDS, QUICK_SEEDS, run(config, seed) and CLAIMS")
    name = f"mdptheory_user_{p.stem}"
    spec = importlib.util.spec_from_file_location(name, p)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except Exception:
        sys.modules.pop(name, None)
        raise
    return register_experiment(mod)


def _load_entry_points() -> None:
    """Register the experiment modules installed packages publish under :data:`ENTRY_POINT_GROUP` (once)."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            register_experiment(ep.load())
        except Exception as exc:  # noqa: BLE001 - reported like a broken built-in module
            import_errors[f"entry point {ep.name}"] = f"{type(exc).__name__}: {exc}"


def register_experiment(mod: types.ModuleType) -> types.ModuleType:
    """Add an experiment module kept outside this package (validated), so that its ``NAME`` and claims are
    found like the built-in ones (``get_experiment``, ``all_claims``, ``mdptheory verify``)."""
    validate_module(mod)
    builtin = experiment_modules(include_external=False)
    if mod.NAME in builtin and builtin[mod.NAME] is not mod:
        raise ValueError(f"experiment NAME {mod.NAME!r} is already used by {builtin[mod.NAME].__name__}; rename it")
    _EXTERNAL[mod.NAME] = mod
    return mod


def experiment_modules(include_external: bool = True) -> dict[str, types.ModuleType]:
    """All experiment modules, ``NAME -> module`` (imported on first call; sorted by name), with those added
    by :func:`register_experiment`.

    A module that fails to import is skipped with a warning and recorded in :data:`import_errors`.
    Two modules with the same ``NAME`` are an error.
    """
    if include_external:
        _load_entry_points()
    found: dict[str, types.ModuleType] = dict(_EXTERNAL) if include_external else {}
    for mod in import_submodules(__name__, __path__, skip=_HARNESS, errors=import_errors):
        if not (hasattr(mod, "NAME") and hasattr(mod, "run")):
            continue
        if mod.NAME in found:
            raise ValueError(f"experiment NAME {mod.NAME!r} is defined by both {found[mod.NAME].__name__} and {mod.__name__}")
        found[mod.NAME] = mod
    return dict(sorted(found.items()))


def validate_module(mod: types.ModuleType) -> None:
    """Raise ``TypeError``/``ValueError`` naming the missing or malformed attribute of an experiment."""
    for attr, typ in (("NAME", str), ("GRID", list), ("QUICK_GRID", list), ("SEEDS", int),
                      ("QUICK_SEEDS", int), ("CLAIMS", list)):
        if not hasattr(mod, attr):
            raise TypeError(f"experiment module {mod.__name__} lacks {attr}; see experiments/__init__.py")
        if not isinstance(getattr(mod, attr), typ):
            raise TypeError(f"{mod.__name__}.{attr} must be a {typ.__name__}, got {type(getattr(mod, attr)).__name__}")
    if not callable(getattr(mod, "run", None)):
        raise TypeError(f"experiment module {mod.__name__} lacks run(config, seed) -> dict")
    for grid in ("GRID", "QUICK_GRID"):
        if not getattr(mod, grid) or not all(isinstance(c, dict) for c in getattr(mod, grid)):
            raise ValueError(f"{mod.__name__}.{grid} must be a non-empty list of config dicts")
    if mod.SEEDS < 1 or mod.QUICK_SEEDS < 1:
        raise ValueError(f"{mod.__name__}: SEEDS and QUICK_SEEDS must be >= 1")
    from .claims import Claim

    for c in mod.CLAIMS:
        if not isinstance(c, Claim):
            raise TypeError(f"{mod.__name__}.CLAIMS holds a {type(c).__name__}, expected experiments.Claim")
        if c.experiment != mod.NAME:
            raise ValueError(f"claim {c.name!r} in {mod.__name__} names experiment {c.experiment!r}, not {mod.NAME!r}")


def get_experiment(name_or_module: str | types.ModuleType) -> types.ModuleType:
    """The experiment module for a ``NAME``, an importable module path (``"pkg.mod"``, for experiments
    kept outside this package) or the module itself; validated."""
    if isinstance(name_or_module, types.ModuleType):
        mod = name_or_module
    else:
        mods = experiment_modules()
        if name_or_module not in mods and "." in name_or_module:
            # an experiment outside this package, given as an importable module path ("pkg.mod")
            try:
                mod = importlib.import_module(name_or_module)
            except ImportError:
                mod = None
            if mod is not None and hasattr(mod, "NAME"):
                validate_module(mod)
                return mod
        if name_or_module not in mods:
            hint = f"; known: {', '.join(mods) or 'none'}"
            if import_errors:
                hint += f"; modules that failed to import: {', '.join(import_errors)}"
            raise ValueError(f"unknown experiment {name_or_module!r}{hint}")
        mod = mods[name_or_module]
    validate_module(mod)
    return mod


def all_claims() -> dict[str, Claim]:
    """Every claim of every experiment module, ``claim name -> Claim`` (names must be unique)."""
    out: dict[str, Claim] = {}
    for mod in experiment_modules().values():
        for c in getattr(mod, "CLAIMS", []):
            if c.name in out:
                raise ValueError(f"claim name {c.name!r} is used twice (experiments {out[c.name].experiment!r} and {c.experiment!r})")
            out[c.name] = c
    return out


def code_version(mod: types.ModuleType) -> str:
    """Store key component: a hash of every source the experiment can execute and of the numeric stack
    (:func:`mdptheory.codeversion.code_version`), salted with ``mod.VERSION`` when the module sets one."""
    path = getattr(mod, "__file__", None)
    return _code_version(mod.__name__, path, salt=str(getattr(mod, "VERSION", "")))


def load_results(name: str | types.ModuleType, *, all_versions: bool = False, store: Any = None):
    """Stored results of an experiment as a pandas DataFrame (one row per ``(config, seed)``).

    Config keys and scalar results are columns; array results are cells holding NumPy arrays. By
    default only the current code version's rows are returned (``all_versions=True`` for all).
    """
    from mdptheory.store import ResultStore

    mod = get_experiment(name)
    st = store if store is not None else ResultStore()
    return st.load(mod.NAME, code_version=None if all_versions else code_version(mod))


def describe() -> list[str]:
    """One line per experiment and per claim (with its bound's source), for ``mdptheory list``."""
    lines = []
    for name, mod in experiment_modules().items():
        lines.append(f"{name}  ({len(getattr(mod, 'GRID', []))} configs x {getattr(mod, 'SEEDS', '?')} seeds; "
                     f"quick {len(getattr(mod, 'QUICK_GRID', []))} x {getattr(mod, 'QUICK_SEEDS', '?')})")
        for c in getattr(mod, "CLAIMS", []):
            tag = f" [{c.bound.provenance}{', hidden constant' if c.bound.hidden_constant else ''}]" if c.bound else ""
            rejects = f"; rejects {', '.join(c.mutants)}" if c.mutants else ""
            lines.append(f"  claim {c.name}: {c.source or '-'}{tag}{rejects}")
    lines += [f"(failed to import experiments.{m}: {e})" for m, e in import_errors.items()]
    return lines


def verify_claim(claim: Any, module: types.ModuleType | None = None, *, quick: bool = True, power: bool = False,
                 store: Any = None, jobs: int = 1) -> Any:
    """Run and judge one claim (its real runs and every control), as ``mdptheory verify`` does.

    ``module`` is the claim's experiment module when it is not registered yet (a user's own module). With
    ``power=True`` the result's ``details["power"]`` holds the power report against every mutant of the
    claim's algorithms.
    """
    from .verify import verify

    if module is not None:
        register_experiment(module)
    out = verify(quick=quick, power=power, store=store, progress=False, jobs=jobs, claims={claim.name: claim})
    result = out.results[0]
    if out.power is not None:
        result.details["power"] = out.power
    return result
