"""The code version of stored results: a hash of every source file a run can execute, and the numeric stack.

Stored results are keyed by ``(experiment, config, seed, code version)`` and only rows of the *current*
code version are ever judged or drawn, so a change to any code a run executes (an experiment, a solver
kernel, a model's validation) makes the old rows invisible and the jobs run again.

:func:`code_version` hashes, for one experiment module, the sources of every module of the suite it can
reach through ``import`` statements (a static walk over the syntax trees: imports inside functions count,
and importing ``pkg.sub`` counts ``pkg/__init__.py`` too), together with the versions of Python, NumPy,
SciPy and Numba. Editing another experiment leaves it unchanged; editing anything it imports does not.
(Modules loaded with ``importlib`` by name are not seen; the suite does not load code that way.)
"""
from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import platform
from pathlib import Path

__all__ = ["PACKAGES", "import_closure", "code_version", "library_versions"]

#: Top-level packages whose sources make up the code version (paper_figs only reads results).
PACKAGES = ("mdptheory", "solvers", "bounds", "experiments")


@functools.lru_cache(maxsize=None)
def _file_of(module: str) -> Path | None:
    """Source file of an importable module of :data:`PACKAGES` (``None`` if it is not one)."""
    if module.split(".")[0] not in PACKAGES:
        return None
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _imports(path: Path, module: str) -> frozenset[str]:
    """Fully qualified names imported anywhere in ``path`` (the source of ``module``)."""
    st = path.stat()
    return _parsed_imports(path, module, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=None)
def _parsed_imports(path: Path, module: str, mtime_ns: int, size: int) -> frozenset[str]:
    """:func:`_imports`, cached per file version (mtime and size are part of the key)."""
    is_pkg = path.name == "__init__.py"
    package = module if is_pkg else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                parent = ".".join(base + ([node.module] if node.module else []))
            else:
                parent = node.module or ""
            out.add(parent)
            out.update(f"{parent}.{alias.name}" for alias in node.names)  # ``from pkg import submodule``
    return frozenset(out)


def import_closure(module: str, path: str | Path | None = None) -> dict[str, Path]:
    """Every module of :data:`PACKAGES` that ``module`` can reach by imports, ``name -> source file``.

    ``path`` is the source of ``module`` when it lives outside the suite's packages (a user's experiment
    file); it is then part of the closure too.
    """
    seen: dict[str, Path] = {}
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        parts = name.split(".")
        for i in range(1, len(parts) + 1):        # importing a.b.c runs a/__init__ and a/b/__init__
            parent = ".".join(parts[:i])
            if parent not in seen and parent != name:
                todo.append(parent)
        path_of = Path(path) if (name == module and path is not None) else _file_of(name)
        if path_of is None:
            continue
        path_of = path_of.resolve()
        seen[name] = path_of
        todo.extend(n for n in _imports(path_of, name) if n.split(".")[0] in PACKAGES and n not in seen)
    return dict(sorted(seen.items()))


def library_versions() -> dict[str, str]:
    """Versions of the interpreter and the numeric libraries results depend on."""
    import numba
    import numpy
    import scipy

    return {"python": platform.python_version(), "numpy": numpy.__version__, "scipy": scipy.__version__,
            "numba": numba.__version__}


def code_version(module: str, path: str | Path | None = None, salt: str = "") -> str:
    """First 16 hex digits of the hash of the import closure's sources, :func:`library_versions` and ``salt``."""
    h = hashlib.sha256(salt.encode())
    for name, path in import_closure(module, path).items():
        h.update(name.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    for k, v in library_versions().items():
        h.update(f"{k}={v}\0".encode())
    return h.hexdigest()[:16]
