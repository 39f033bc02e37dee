"""Run an experiment's ``(config, seed)`` jobs locally (joblib) or on a Dask cluster, resumably.

Every finished job is written to the results store (:mod:`mdptheory.store`) by the parent process the
moment it arrives, in its own transaction; jobs already stored under the same
``(experiment, config hash, seed, code version)`` are skipped. A sweep killed with ``SIGKILL`` therefore
loses only the jobs that were running, and the next run computes only what is missing.

Backends
--------
- ``jobs=1`` (default): in this process, one job after the other.
- ``jobs=N > 1`` or ``-1``: ``joblib`` local worker processes (loky), results streamed back unordered.
- ``scheduler="tcp://host:8786"`` (or a ``distributed.Client``): a Dask cluster; needs the
  ``dask`` extra (``pip install mdptheory[dask]``). Workers must be able to import the experiment
  module (true for everything under ``experiments/`` when the package is installed).
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import time
import types
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from mdptheory import mutants
from mdptheory.store import ResultStore, config_hash

from . import code_version, get_experiment

__all__ = ["Job", "JobFailure", "plan_jobs", "execute_jobs", "run_experiment"]


@dataclass(frozen=True)
class Job:
    """One unit of work: ``module.run(config, seed)``, stored under ``(experiment, hash, seed, version)``."""

    module: str
    experiment: str
    config: dict = field(hash=False)
    seed: int
    version: str
    key: str  # config hash
    file: str | None = field(default=None, compare=False)  # module file, for workers that cannot import it

    @property
    def store_key(self) -> tuple[str, str, int, str]:
        return (self.experiment, self.key, self.seed, self.version)


class JobFailure(RuntimeError):
    """Raised after a sweep when some jobs raised; the finished ones are stored."""

    def __init__(self, failures: Sequence[tuple[Job, str]]) -> None:
        self.failures = list(failures)
        job, msg = self.failures[0]
        more = f" (and {len(self.failures) - 1} more)" if len(self.failures) > 1 else ""
        super().__init__(f"{job.experiment} config {job.config} seed {job.seed} failed: {msg}{more}")


def plan_jobs(
    module: str | types.ModuleType,
    *,
    quick: bool = False,
    seeds: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> list[Job]:
    """The jobs of one experiment: its grid (``QUICK_GRID`` if ``quick``) x ``range(seeds)``.

    ``seeds`` defaults to ``QUICK_SEEDS``/``SEEDS``; ``overrides`` (e.g. a claim's negative control)
    are merged into every config. Configs that become identical are run once.
    """
    mod = get_experiment(module)
    grid = mod.QUICK_GRID if quick else mod.GRID
    n_seeds = seeds if seeds is not None else (mod.QUICK_SEEDS if quick else mod.SEEDS)
    if not isinstance(n_seeds, int) or n_seeds < 1:
        raise ValueError(f"seeds={n_seeds!r}: need a positive number of seeds")
    version = code_version(mod)
    jobs: dict[tuple[str, int], Job] = {}
    for cfg in grid:
        full = {**cfg, **(dict(overrides) if overrides else {})}
        h = config_hash(full)
        for s in range(n_seeds):
            jobs.setdefault((h, s), Job(mod.__name__, mod.NAME, full, s, version, h, getattr(mod, "__file__", None)))
    return list(jobs.values())


def _import(module: str, file: str | None) -> types.ModuleType:
    """Import ``module`` by name, or from ``file`` when the worker's ``sys.path`` cannot see it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError:
        if not file or module in sys.modules:
            raise
        spec = importlib.util.spec_from_file_location(module, file)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[module] = mod
        spec.loader.exec_module(mod)
        return mod


def _execute(module: str, config: dict, seed: int, file: str | None = None) -> tuple[dict | None, float, str | None]:
    """Worker side: import the module, run one job (with ``config["mutant"]`` switched on, if any);
    exceptions come back as text."""
    t0 = time.perf_counter()
    try:
        mod = _import(module, file)
        with mutants.activated(config.get("mutant")):
            result = mod.run(dict(config), int(seed))
        return result, time.perf_counter() - t0, None
    except Exception as exc:  # noqa: BLE001 - reported to the parent with the job that raised it
        return None, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"


def _progress(total: int, enabled: bool, desc: str):
    if enabled:
        from tqdm.auto import tqdm
    else:       # tqdm.auto warns at import in a Jupyter kernel without ipywidgets, even for a disabled bar
        from tqdm import tqdm

    return tqdm(total=total, disable=not enabled or total == 0, desc=desc, unit="job", leave=False)


def execute_jobs(
    jobs: Iterable[Job],
    *,
    n_jobs: int = 1,
    scheduler: Any = None,
    store: ResultStore | None = None,
    progress: bool = True,
    desc: str = "jobs",
) -> list[tuple[Job, str]]:
    """Run the jobs that are not stored yet and store each as it finishes.

    Returns the failures ``[(job, "ExceptionType: message"), ...]`` (empty when all succeeded).
    """
    st = store if store is not None else ResultStore()
    jobs = list(dict.fromkeys(jobs))  # a job appearing twice (two claims, same control) runs once
    done: dict[tuple[str, str], set] = {}
    todo = []
    for j in jobs:
        ev = (j.experiment, j.version)
        if ev not in done:
            done[ev] = st.done_keys(*ev)
        if (j.key, j.seed) not in done[ev]:
            todo.append(j)
    failures: list[tuple[Job, str]] = []
    if not todo:
        return failures

    def finish(job: Job, out: tuple[dict | None, float, str | None], bar) -> None:
        result, wall, err = out
        if err is None:
            try:
                st.put(job.experiment, job.config, job.seed, job.version, result, wall_time=wall)
            except (TypeError, ValueError) as exc:
                err = f"{type(exc).__name__}: {exc}"
        if err is not None:
            failures.append((job, err))
        bar.update(1)

    with _progress(len(todo), progress, desc) as bar:
        if scheduler is not None:
            _run_dask(todo, scheduler, finish, bar)
        elif n_jobs == 1:
            for j in todo:
                finish(j, _execute(j.module, j.config, j.seed, j.file), bar)
        else:
            from joblib import Parallel, delayed

            par = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            outs = par(delayed(_tagged)(i, j.module, j.config, j.seed, j.file) for i, j in enumerate(todo))
            for i, out in outs:
                finish(todo[i], out, bar)
    return failures


def _tagged(i: int, module: str, config: dict, seed: int, file: str | None):
    return i, _execute(module, config, seed, file)


def _run_dask(todo: list[Job], scheduler: Any, finish, bar) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("scheduler=... needs dask.distributed: pip install 'mdptheory[dask]'") from None
    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = {client.submit(_execute, j.module, j.config, j.seed, j.file, pure=False): j for j in todo}
        for fut in as_completed(futures):
            finish(futures[fut], fut.result(), bar)
    finally:
        if own:
            client.close()


def run_experiment(
    module_or_name: str | types.ModuleType,
    quick: bool = False,
    seeds: int | None = None,
    jobs: int = 1,
    scheduler: Any = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    store: ResultStore | None = None,
    progress: bool = True,
):
    """Run an experiment's grid x seeds (skipping stored jobs) and return exactly those rows.

    Parameters
    ----------
    module_or_name : str or module
        Experiment ``NAME`` or module.
    quick : bool
        Use ``QUICK_GRID``/``QUICK_SEEDS``.
    seeds : int, optional
        Number of seeds (``0 .. seeds-1``), overriding the module's default.
    jobs : int
        Local worker processes (joblib); 1 runs in this process.
    scheduler : str or distributed.Client, optional
        Dask scheduler address (``"tcp://host:8786"``) or client; overrides ``jobs``.
    overrides : dict, optional
        Config overrides merged into every grid point (a claim's negative control).
    store : ResultStore, optional
        Default :class:`~mdptheory.store.ResultStore` at ``.mdptheory/results.sqlite``.

    Returns
    -------
    pandas.DataFrame
        One row per requested ``(config, seed)`` (see :meth:`ResultStore.load`).

    Raises
    ------
    JobFailure
        If some jobs raised; every other job is stored before this is raised.
    """
    st = store if store is not None else ResultStore()
    mod = get_experiment(module_or_name)
    planned = plan_jobs(mod, quick=quick, seeds=seeds, overrides=overrides)
    failures = execute_jobs(planned, n_jobs=jobs, scheduler=scheduler, store=st, progress=progress, desc=mod.NAME)
    if failures:
        raise JobFailure(failures)
    return st.load(mod.NAME, code_version=code_version(mod), keys=[(j.key, j.seed) for j in planned])
