"""``mdptheory verify``: run and judge claims, and the power report against every registered mutant.

:func:`verify` plans every job the selected claims need (the real grid, each control's grid, and with
``power=True`` the grid under every mutant of the algorithms each claim covers), runs them in one pool
(results already stored for the current code version are reused; rows of another code version never are),
judges each claim (:func:`experiments.claims.judge`) and, with ``power=True``, which mutants each claim's
check rejects (:class:`PowerReport`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mdptheory import mutants as mutant_registry

from . import all_claims, code_version, get_experiment, import_errors
from .claims import Claim, ClaimResult, Crashed, judge
from .runner import Job, execute_jobs, plan_jobs

__all__ = ["verify", "PowerReport", "Verification"]


@dataclass
class PowerReport:
    """Which claim rejects which mutant: ``cells[(claim, mutant)]`` is ``"rejected"``, ``"passed"`` (not
    caught) or ``"error: ..."`` (the mutant's run or check raised; counted as caught, shown apart)."""

    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    algorithms: dict[str, list[str]] = field(default_factory=dict)      # algorithm -> its mutants
    claims_of: dict[str, list[str]] = field(default_factory=dict)       # algorithm -> claims covering it

    def caught(self, mutant: str) -> list[str]:
        """Claims whose check rejects (or crashes on) ``mutant``."""
        return [c for (c, m), v in self.cells.items() if m == mutant and v != "passed"]

    def summary(self) -> dict[str, tuple[int, int]]:
        """``algorithm -> (mutants caught by some claim, mutants registered)``."""
        return {a: (sum(bool(self.caught(m)) for m in ms), len(ms)) for a, ms in self.algorithms.items()}

    def per_claim(self) -> dict[str, tuple[int, int]]:
        """``claim -> (mutants it rejects, mutants it was run against)``."""
        out: dict[str, list[int]] = {}
        for (c, _), v in self.cells.items():
            n = out.setdefault(c, [0, 0])
            n[0] += v != "passed"
            n[1] += 1
        return {c: (a, b) for c, (a, b) in sorted(out.items())}

    def total(self) -> tuple[int, int]:
        caught = sum(a for a, _ in self.summary().values())
        return caught, sum(b for _, b in self.summary().values())

    def format(self) -> str:
        """Plain-text power table: one block per algorithm, one line per mutant with the claims that catch it."""
        lines = []
        for algo, ms in self.algorithms.items():
            got, n = self.summary()[algo]
            lines.append(f"{algo}: {got}/{n} mutants rejected by some claim "
                         f"(claims: {', '.join(self.claims_of.get(algo, [])) or 'none'})")
            for m in ms:
                caught = self.caught(m)
                desc = mutant_registry.get(m).description
                mark = "caught by " + ", ".join(caught) if caught else "NOT CAUGHT"
                lines.append(f"  {m:<40} {mark}  -- {desc}")
        got, n = self.total()
        lines.append(f"total: {got}/{n} mutants rejected ({100 * got / max(n, 1):.0f}%)")
        weak = [c for c, (a, _) in self.per_claim().items() if a == 0]
        if weak:
            lines.append(f"claims that reject no mutant of their algorithms: {', '.join(weak)}")
        return "\n".join(lines)


@dataclass
class Verification:
    """What :func:`verify` returns."""

    results: list[ClaimResult]
    problems: list[str]
    power: PowerReport | None
    code_versions: dict[str, str]        # experiment NAME -> code version of the rows judged
    figures: list[str] = field(default_factory=list)            # figures whose runs were made complete
    claim_figures: dict[str, list[str]] = field(default_factory=dict)   # claim -> its figures


def _load(store: Any, jobs: list[Job]):
    return store.load(jobs[0].experiment, code_version=jobs[0].version, keys=[(j.key, j.seed) for j in jobs])


def verify(
    names: list[str] | None = None,
    *,
    quick: bool = False,
    power: bool = False,
    jobs: int = 2,
    scheduler: Any = None,
    store: Any = None,
    progress: bool = True,
    claims: dict[str, Claim] | None = None,
    figures: bool = False,
) -> Verification:
    """Run and judge claims (all registered ones, or ``names``; or the given ``claims``).

    All jobs (real grids, controls and, with ``power``, every mutant of the covered algorithms; with
    ``figures``, the real runs every paper figure is drawn from, for a complete report) go to one pool, so
    experiments run in parallel.
    """
    import bounds
    from mdptheory.store import ResultStore

    st = store if store is not None else ResultStore()
    registered = all_claims() if claims is None else dict(claims)
    problems = [f"bounds.{m}: {e}" for m, e in bounds.import_errors.items()]
    problems += [f"experiments.{m}: {e}" for m, e in import_errors.items()]
    if names:
        unknown = [n for n in names if n not in registered]
        if unknown:
            raise ValueError(f"unknown claim(s) {', '.join(unknown)}; known: {', '.join(registered) or 'none'}")
        registered = {n: registered[n] for n in names}
    plans: dict[str, dict[str, list[Job]]] = {}
    power_plans: dict[str, dict[str, list[Job]]] = {}
    all_jobs: list[Job] = []
    versions: dict[str, str] = {}
    for name, c in registered.items():
        mod = get_experiment(c.experiment)
        versions[mod.NAME] = code_version(mod)
        for m in c.mutants:
            mutant_registry.get(m)  # unknown mutant: a clear error before anything runs
        plan = {"real": plan_jobs(mod, quick=quick)}
        for label, ctl in c.controls().items():
            if not callable(ctl):
                plan[label] = plan_jobs(mod, quick=quick, overrides=ctl)
        plans[name] = plan
        if power:
            extra = {m.name for a in c.algorithms for m in mutant_registry.of(a)} - set(c.mutants)
            power_plans[name] = {m: plan_jobs(mod, quick=quick, overrides={"mutant": m}) for m in sorted(extra)}
        all_jobs += [j for js in plan.values() for j in js]
        all_jobs += [j for js in power_plans.get(name, {}).values() for j in js]
    fig_names, claim_figs = _figures(registered, names is None) if figures else ([], {})
    for fname in fig_names:
        import paper_figs

        all_jobs += plan_jobs(get_experiment(paper_figs.get_figure(fname).EXPERIMENT), quick=quick)
    failures = dict(execute_jobs(all_jobs, n_jobs=jobs, scheduler=scheduler, store=st, progress=progress,
                                 desc="verify" + (" --quick" if quick else "") + (" --power" if power else "")))
    results = []
    for name, c in registered.items():
        plan = plans[name]
        real_failed = [j for j in plan["real"] if j in failures]
        if real_failed:
            problems += [f"job {j.experiment} {j.config} seed {j.seed}: {failures[j]}" for j in real_failed]
            results.append(ClaimResult(c, "error", error=f"{len(real_failed)} job(s) of the real runs failed, "
                                                         f"first: {failures[real_failed[0]]}"))
            continue
        loaded = {label: _load_or_crashed(st, js, failures) for label, js in plan.items() if label != "real"}
        results.append(judge(c, _load(st, plan["real"]), loaded))
    report = _power(registered, power_plans, results, st, failures) if power else None
    return Verification(results, problems, report, versions, fig_names, claim_figs)


def _figures(registered: dict[str, Claim], everything: bool) -> tuple[list[str], dict[str, list[str]]]:
    """The figures to put in the report (every paper figure when all claims are verified, else those of the
    selected claims) and, per claim, its figures (a figure's ``CLAIMS``, else every claim of its experiment)."""
    import paper_figs

    mods = paper_figs.figure_modules()
    claim_figs: dict[str, list[str]] = {}
    for fname, fmod in mods.items():
        for name, c in registered.items():
            if name in getattr(fmod, "CLAIMS", ()) or (not hasattr(fmod, "CLAIMS") and c.experiment == fmod.EXPERIMENT):
                claim_figs.setdefault(name, []).append(fname)
    names = list(mods) if everything else sorted({f for fs in claim_figs.values() for f in fs})
    return names, claim_figs


def _load_or_crashed(store: Any, jobs: list[Job], failures: dict[Job, str]):
    """A control's rows, or :class:`Crashed` when one of its jobs raised (a crashing variant is caught)."""
    failed = [j for j in jobs if j in failures]
    return Crashed(failures[failed[0]]) if failed else _load(store, jobs)


def _power(registered, power_plans, results, st, failures) -> PowerReport:
    rep = PowerReport()
    by_name = {r.claim.name: r for r in results}
    for name, c in registered.items():
        for a in c.algorithms:
            rep.algorithms.setdefault(a, [m.name for m in mutant_registry.of(a)])
            rep.claims_of.setdefault(a, []).append(name)
        r = by_name[name]
        for m in c.mutants:  # the claim's own controls, judged already
            v = r.control_verdicts.get(f"mutant:{m}")
            rep.cells[(name, m)] = "error: not judged" if v is None else ("passed" if v.passed else "rejected")
        for m, js in power_plans.get(name, {}).items():
            got = _load_or_crashed(st, js, failures)
            if isinstance(got, Crashed):
                rep.cells[(name, m)] = f"error: {got.message}"
                continue
            try:
                rep.cells[(name, m)] = "passed" if c.check(got).passed else "rejected"
            except Exception as exc:  # noqa: BLE001 - a check that raises on the mutant's rows caught it
                rep.cells[(name, m)] = f"error: {type(exc).__name__}: {exc}"
    return rep
