"""``mdptheory run / verify / figs / export``: the verification sub-commands.

Registered into :mod:`mdptheory.cli` through ``register(subparsers)``; each handler returns the exit
status. ``verify`` exits 1 when any claim is failed, vacuous or errored, or when a bound, experiment
or figure module failed to import.
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any

__all__ = ["register", "cmd_run", "cmd_verify", "cmd_figs", "cmd_export"]


def _runner_options(p, jobs: int, scheduler: bool = True) -> None:
    """Options shared by the commands that may run experiments."""
    p.add_argument("--jobs", type=int, default=jobs, help=f"local worker processes (joblib; default {jobs}; -1 = all cores)")
    if scheduler:
        p.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--store", default=None, help="results database (default .mdptheory/results.sqlite)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``run``, ``verify``, ``figs`` and ``export`` to the ``mdptheory`` parser."""
    p = sub.add_parser("run", help="run an experiment's grid x seeds into the results store (resumable)")
    p.add_argument("experiment", help="experiment NAME (see `mdptheory list`)")
    p.add_argument("--quick", action="store_true", help="use the small QUICK_GRID and QUICK_SEEDS")
    p.add_argument("--seeds", type=int, default=None, help="number of seeds (default: the experiment's)")
    p.add_argument("--control", default=None, metavar="CLAIM", help="run the named claim's extra control variant")
    p.add_argument("--mutant", default=None, help="run the experiment with this registered mutant switched on")
    _runner_options(p, jobs=1)
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("verify", help="check claims against their bounds and negative controls; write report/index.html")
    p.add_argument("claims", nargs="*", metavar="CLAIM", help="claim names (default: all)")
    p.add_argument("--quick", action="store_true", help="small grids: every claim in a few minutes")
    p.add_argument("--power", action="store_true",
                   help="also run every claim against every registered mutant of the algorithms it covers and "
                        "report which mutants each claim rejects")
    p.add_argument("--report", default="report/index.html", help="HTML report path (default report/index.html)")
    p.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    _runner_options(p, jobs=2)
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("figs", help="draw paper figures into paper_figs/out (runs the experiment if nothing is stored)")
    p.add_argument("figures", nargs="*", metavar="FIGURE", help="figure names (default: all)")
    p.add_argument("--quick", action="store_true", help="when results must be computed, use the quick grid")
    p.add_argument("--out", default=None, help="output folder (default paper_figs/out)")
    _runner_options(p, jobs=1, scheduler=False)
    p.set_defaults(handler=cmd_figs)

    p = sub.add_parser("export", help="export stored results (one CSV per experiment)")
    p.add_argument("--csv", action="store_true", required=True, help="write CSV files")
    p.add_argument("experiments", nargs="*", metavar="EXPERIMENT", help="experiment names (default: all stored)")
    p.add_argument("--out", default="results_csv", help="output folder (default results_csv/)")
    p.add_argument("--store", default=None, help="results database")
    p.set_defaults(handler=cmd_export)


def _store(path: str | None):
    from mdptheory.store import ResultStore

    return ResultStore(path)


# ---------------------------------------------------------------------------------------- run
def cmd_run(args: argparse.Namespace) -> int:
    from . import all_claims, get_experiment
    from .runner import execute_jobs, plan_jobs, JobFailure

    mod = get_experiment(args.experiment)
    overrides = None
    if args.control:
        claims = all_claims()
        if args.control not in claims:
            raise ValueError(f"unknown claim {args.control!r}; known: {', '.join(claims)}")
        if claims[args.control].experiment != mod.NAME:
            raise ValueError(f"claim {args.control!r} belongs to experiment {claims[args.control].experiment!r}, "
                             f"not {mod.NAME!r}")
        overrides = claims[args.control].control_overrides
        if overrides is None:
            raise ValueError(f"claim {args.control!r} has a wrong-bound control, not a variant to run")
    if args.mutant:
        from mdptheory import mutants

        mutants.get(args.mutant)
        overrides = {**(overrides or {}), "mutant": args.mutant}
    st = _store(args.store)
    jobs = plan_jobs(mod, quick=args.quick, seeds=args.seeds, overrides=overrides)
    before = len(st.done_keys(mod.NAME, jobs[0].version))
    t0 = time.perf_counter()
    failures = execute_jobs(jobs, n_jobs=args.jobs, scheduler=args.scheduler, store=st,
                            progress=not args.no_progress, desc=mod.NAME)
    wall = time.perf_counter() - t0
    stored = st.done_keys(mod.NAME, jobs[0].version)
    have = sum((j.key, j.seed) in stored for j in jobs)
    print(f"{mod.NAME}: {have}/{len(jobs)} jobs stored ({len(stored) - before} computed now, "
          f"{len(jobs) - (len(stored) - before) - len(failures)} already stored) in {wall:.1f}s -> {st.path}")
    if failures:
        raise JobFailure(failures)
    return 0


# ------------------------------------------------------------------------------------- verify
def _claim_figures(results: list, problems: list[str], store: Any) -> dict[str, list[tuple[str, str]]]:
    """Draw every figure attached to the judged claims (by CLAIMS list, else by EXPERIMENT)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import paper_figs

    from . import get_experiment, code_version
    from .report import figure_png

    problems += [f"paper_figs.{m}: {e}" for m, e in paper_figs.import_errors.items()]
    out: dict[str, list[tuple[str, str]]] = {}
    judged = {r.claim.name: r.claim for r in results}
    cache: dict[str, str] = {}
    for fname, fmod in paper_figs.figure_modules().items():
        targets = [n for n, c in judged.items()
                   if (n in getattr(fmod, "CLAIMS", ())) or (not hasattr(fmod, "CLAIMS") and c.experiment == fmod.EXPERIMENT)]
        if not targets:
            continue
        try:
            if fname not in cache:
                mod = get_experiment(fmod.EXPERIMENT)
                df = store.load(mod.NAME, code_version=code_version(mod))
                fig = fmod.draw(df)  # embedded in the report only; `mdptheory figs` writes the files
                cache[fname] = figure_png(fig)
                plt.close(fig)
            for n in targets:
                out.setdefault(n, []).append((fname, cache[fname]))
        except Exception as exc:  # noqa: BLE001 - a broken figure is a reported problem, not a crash
            problems.append(f"figure {fname}: {type(exc).__name__}: {exc}")
    return out


def cmd_verify(args: argparse.Namespace) -> int:
    from .report import format_table, write_report
    from .verify import verify

    t0 = time.perf_counter()
    out = verify(args.claims or None, quick=args.quick, power=args.power, jobs=args.jobs,
                 scheduler=args.scheduler, store=_store(args.store), progress=not args.no_progress)
    results, problems = out.results, out.problems
    figures = _claim_figures(results, problems, _store(args.store))
    wall = time.perf_counter() - t0
    if not results:
        print("no claims registered")
    else:
        print(format_table(results))
    for r in results:
        if r.status != "verified":
            why = r.error or r.details.get("why") or (r.verdict.explanation if r.verdict is not None else "")
            print(f"  {r.claim.name}: {r.status}: {why}")
    if out.power is not None:
        print("\npower against the registered mutants:")
        print(out.power.format())
    for p in problems:
        print(f"  problem: {p}", file=sys.stderr)
    counts = {s: sum(r.status == s for r in results) for s in ("verified", "failed", "vacuous", "error")}
    print(", ".join(f"{v} {k}" for k, v in counts.items()) + f" in {wall:.1f}s" + (" (quick)" if args.quick else ""))
    if not args.no_report:
        path = write_report(results, args.report, figures, problems=problems, power=out.power,
                            code_versions=out.code_versions,
                            meta={"command": "mdptheory " + " ".join(sys.argv[1:]) if sys.argv else "verify",
                                  "mode": "quick" if args.quick else "full", "wall time": f"{wall:.1f} s"})
        print(f"report: {path}")
    ok = results and all(r.ok for r in results) and not problems
    return 0 if ok else 1


# --------------------------------------------------------------------------------------- figs
def cmd_figs(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import paper_figs

    from . import code_version, get_experiment
    from .runner import run_experiment

    st = _store(args.store)
    names = args.figures or list(paper_figs.figure_modules())
    if not names:
        print("no figures registered")
        return 0
    for name in names:
        fmod = paper_figs.get_figure(name)
        mod = get_experiment(fmod.EXPERIMENT)
        df = st.load(mod.NAME, code_version=code_version(mod))
        if len(df) == 0:
            print(f"{name}: no stored results for {mod.NAME}; running it{' (quick)' if args.quick else ''}")
            run_experiment(mod, quick=args.quick, jobs=args.jobs, store=st, progress=not args.no_progress)
            df = st.load(mod.NAME, code_version=code_version(mod))
        fig = fmod.draw(df)
        paths = paper_figs.save_figure(fig, name, args.out)
        plt.close(fig)
        print(f"{name}: " + ", ".join(str(p) for p in paths))
    return 0


# ------------------------------------------------------------------------------------- export
def cmd_export(args: argparse.Namespace) -> int:
    st = _store(args.store)
    paths = st.export_csv(args.out, args.experiments or None)
    for p in paths:
        print(p)
    if not paths:
        print(f"nothing stored in {st.path}")
    return 0
