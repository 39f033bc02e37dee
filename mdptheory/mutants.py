"""Registered mutants: realistic single bugs, each a named switch in the algorithm it breaks.

A claim is only worth something if a broken algorithm would fail it. Each algorithm module registers the
slips a careful author could make (a wrong discount power, a max replaced by a single sample, a bonus off
by sign or scale, a posterior replaced by its mean, an off-by-one) as *mutants*, and guards the buggy line
with the mutant's switch:

.. code-block:: python

    from mdptheory import mutants

    FIRST_SAMPLE = mutants.register("opsrl", "first-sample",
                                    "the max over the J posterior samples replaced by the first sample")
    ...
    if FIRST_SAMPLE.active:        # a config switch, never a text edit
        W, Wp = W[:, :1], Wp[:, :1]

The switch is off unless the mutant is activated (``with mutants.activated("opsrl.first-sample"): ...``);
the experiment runner activates the mutant named by a job's ``config["mutant"]`` around ``run(config,
seed)``, so a mutant's results are stored under their own key. Claims name the mutants they must reject
(``Claim(mutants=...)``) and ``mdptheory verify --power`` runs every claim against every mutant of the
algorithms it covers. One mutant is active at a time, per process.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

__all__ = ["Mutant", "register", "registry", "of", "get", "activated", "active_name"]


@dataclass(frozen=True)
class Mutant:
    """One realistic bug of one algorithm: ``name = "<algorithm>.<slug>"``."""

    algorithm: str
    slug: str
    description: str

    @property
    def name(self) -> str:
        return f"{self.algorithm}.{self.slug}"

    @property
    def active(self) -> bool:
        """Whether this mutant is switched on (checked on the algorithm's buggy line)."""
        return _ACTIVE == self.name


_REGISTRY: dict[str, Mutant] = {}
_ACTIVE: str | None = None


def register(algorithm: str, slug: str, description: str) -> Mutant:
    """Record the mutant ``algorithm.slug`` (idempotent for the same description) and return it."""
    for part, what in ((algorithm, "algorithm"), (slug, "slug")):
        if not part or "." in part or " " in part:
            raise ValueError(f"mutant {what} must be a non-empty name without dots or spaces, got {part!r}")
    m = Mutant(algorithm, slug, description)
    old = _REGISTRY.get(m.name)
    if old is not None and old != m:
        raise ValueError(f"mutant {m.name!r} is already registered with another description")
    _REGISTRY[m.name] = m
    return m


def registry() -> dict[str, Mutant]:
    """Every registered mutant, ``name -> Mutant`` (those of the algorithm modules imported so far)."""
    return dict(sorted(_REGISTRY.items()))


def of(algorithm: str) -> list[Mutant]:
    """The mutants of one algorithm, sorted by name."""
    return [m for n, m in sorted(_REGISTRY.items()) if m.algorithm == algorithm]


def get(name: str) -> Mutant:
    """The mutant called ``name``, with an error listing the known ones otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown mutant {name!r}; registered: {', '.join(sorted(_REGISTRY)) or 'none'}") from None


def active_name() -> str | None:
    """The name of the active mutant, or ``None``."""
    return _ACTIVE


@contextmanager
def activated(name: str | None) -> Iterator[Mutant | None]:
    """Switch on the mutant ``name`` (``None``: none) for the duration of the block."""
    global _ACTIVE
    m = None if name is None else get(name)
    if _ACTIVE is not None and m is not None and _ACTIVE != m.name:
        raise RuntimeError(f"mutant {_ACTIVE!r} is already active; mutants do not nest")
    previous, _ACTIVE = _ACTIVE, (None if m is None else m.name)
    try:
        yield m
    finally:
        _ACTIVE = previous
