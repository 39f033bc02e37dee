"""Run sets: the one complete, consistent set of stored runs that a claim or a figure is drawn from.

The store holds, for one experiment, runs of several kinds side by side: the full grid and the quick grid
(each ``configs x seeds``), every control's and every mutant's variant of them, and rows of older code
versions (never visible: :mod:`mdptheory.codeversion`). A :class:`RunSet` names exactly one of those kinds
for the current code version, so what is drawn or judged is never a mixture of, say, two 10,000-episode
seeds of an interrupted full run and a complete quick run. :func:`figure_run_set` picks the full set when
it is complete, else the quick set when that is, else says what is missing; :meth:`RunSet.estimate` gives
the time the missing jobs would take, from the wall times stored for the experiment.
"""
from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from mdptheory.store import ResultStore

from . import get_experiment
from .runner import Job, plan_jobs

__all__ = ["RunSet", "run_set", "figure_run_set"]


@dataclass(frozen=True)
class RunSet:
    """One kind of run of one experiment for the current code version: a grid, its seeds, a variant."""

    experiment: str
    mode: str                     # "full" or "quick"
    jobs: tuple[Job, ...]
    overrides: tuple = ()         # sorted (key, value) pairs of a control/mutant variant, () for the real runs

    @property
    def version(self) -> str:
        return self.jobs[0].version

    @property
    def seeds(self) -> int:
        return len({j.seed for j in self.jobs})

    @property
    def configs(self) -> int:
        return len({j.key for j in self.jobs})

    def missing(self, store: ResultStore) -> list[Job]:
        """The planned jobs that are not stored yet."""
        done = store.done_keys(self.experiment, self.version)
        return [j for j in self.jobs if (j.key, j.seed) not in done]

    def complete(self, store: ResultStore) -> bool:
        return not self.missing(store)

    def load(self, store: ResultStore):
        """Exactly this set's stored rows (a DataFrame; rows of other sets are never included)."""
        return store.load(self.experiment, code_version=self.version, keys=[(j.key, j.seed) for j in self.jobs])

    def estimate(self, store: ResultStore, n_jobs: int = 1) -> float | None:
        """Seconds the missing jobs would take on ``n_jobs`` workers: the median stored wall time of this
        experiment's jobs (any code version, the same grid first) times the missing jobs; ``None`` without
        history."""
        times = store.wall_times(self.experiment, config_hashes={j.key for j in self.jobs})
        if not times:
            times = store.wall_times(self.experiment)
        if not times:
            return None
        return float(np.median(times)) * len(self.missing(store)) / max(1, n_jobs)

    def describe(self, store: ResultStore | None = None) -> str:
        """E.g. ``"quick grid: 4 configs x 4 seeds = 16 runs (16 stored), code version 5ef26831"``."""
        what = f"{self.mode} grid" + (f" with {dict(self.overrides)}" if self.overrides else "")
        text = f"{what}: {self.configs} configs x {self.seeds} seeds = {len(self.jobs)} runs"
        if store is not None:
            text += f" ({len(self.jobs) - len(self.missing(store))} stored)"
        return f"{text}, code version {self.version[:8]}"


def run_set(experiment: str | types.ModuleType, quick: bool, overrides: Mapping[str, Any] | None = None,
            seeds: int | None = None) -> RunSet:
    """The run set of an experiment's quick or full grid (with a variant's ``overrides``)."""
    mod = get_experiment(experiment)
    jobs = plan_jobs(mod, quick=quick, seeds=seeds, overrides=overrides)
    return RunSet(mod.NAME, "quick" if quick else "full", tuple(jobs), tuple(sorted((overrides or {}).items())))


def figure_run_set(experiment: str | types.ModuleType, store: ResultStore, quick: bool | None = None) -> RunSet:
    """The real runs a figure is drawn from: ``quick=True``/``False`` ask for one grid; ``None`` takes the full
    grid if it is complete, else the quick grid if that is complete, else the full grid (incomplete: the
    caller runs what is missing or says how long it would take)."""
    if quick is not None:
        return run_set(experiment, quick)
    full = run_set(experiment, False)
    if full.complete(store):
        return full
    fast = run_set(experiment, True)
    return fast if fast.complete(store) else full
