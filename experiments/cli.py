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

__all__ = ["register", "cmd_run", "cmd_verify", "cmd_figs", "cmd_export", "cmd_store_status", "cmd_store_clean"]


#: Local worker processes of every command that runs experiments (``run``, ``verify``, ``figs``).
DEFAULT_JOBS = 2


def _runner_options(p, scheduler: bool = True) -> None:
    """Options shared by the commands that may run experiments (one ``--jobs`` default for all of them)."""
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                   help=f"local worker processes (joblib; default {DEFAULT_JOBS}; 1 = in this process; -1 = all cores)")
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
    _runner_options(p)
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("verify", help="check claims against their bounds and negative controls; write report/index.html")
    p.add_argument("claims", nargs="*", metavar="CLAIM", help="claim names (default: all)")
    p.add_argument("--quick", action="store_true", help="small grids: every claim in a few minutes")
    p.add_argument("--power", action="store_true",
                   help="also run every claim against every registered mutant of the algorithms it covers and "
                        "report which mutants each claim rejects")
    p.add_argument("--module", action="append", default=[], metavar="FILE.py",
                   help="also load experiments and claims defined in this file (repeatable); without CLAIM names, "
                        "verify only the claims of the given modules")
    p.add_argument("--report", default="report/index.html", help="HTML report path (default report/index.html)")
    p.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    _runner_options(p)
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("figs", help="draw paper figures into paper_figs/out (runs the experiment if nothing is stored)")
    p.add_argument("figures", nargs="*", metavar="FIGURE", help="figure names (default: all)")
    p.add_argument("--quick", action="store_true", help="draw from the quick grid (computing what is missing)")
    p.add_argument("--full", action="store_true", help="draw from the full grid (computing what is missing)")
    p.add_argument("--yes", action="store_true", help="run missing jobs even when the estimate exceeds 2 minutes")
    p.add_argument("--out", default=None, help="output folder (default paper_figs/out)")
    _runner_options(p, scheduler=False)
    p.set_defaults(handler=cmd_figs)

    p = sub.add_parser("store", help="see or clean what the results store holds")
    store_sub = p.add_subparsers(dest="store_command", required=True)
    q = store_sub.add_parser("status", help="per experiment and code version: jobs, grids complete, age")
    q.add_argument("--store", default=None, help="results database (default .mdptheory/results.sqlite)")
    q.add_argument("--module", action="append", default=[], metavar="FILE.py", help="also know these experiment files")
    q.set_defaults(handler=cmd_store_status)
    q = store_sub.add_parser("clean", help="delete stored jobs: of older code versions (--stale), or of experiments")
    q.add_argument("experiments", nargs="*", metavar="EXPERIMENT", help="experiments to clean (default: all)")
    q.add_argument("--stale", action="store_true", help="only rows of code versions other than the current one")
    q.add_argument("--all", action="store_true", help="delete every stored job of the given experiments (or all)")
    q.add_argument("--store", default=None, help="results database")
    q.add_argument("--module", action="append", default=[], metavar="FILE.py", help="also know these experiment files")
    q.set_defaults(handler=cmd_store_clean)

    p = sub.add_parser("export", help="export stored results (one CSV or JSON file per experiment)")
    fmt = p.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--csv", action="store_true", help="one CSV per experiment (arrays as JSON lists)")
    fmt.add_argument("--json", action="store_true", help="one JSON file per experiment (a list of runs)")
    p.add_argument("experiments", nargs="*", metavar="EXPERIMENT", help="experiment names (default: all stored)")
    p.add_argument("--out", default=None, help="output folder (default results_csv/ or results_json/)")
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
    from .runsets import RunSet

    rs = RunSet(mod.NAME, "quick" if args.quick else "full", tuple(jobs), tuple(sorted((overrides or {}).items())))
    missing = rs.missing(st)
    if missing:
        print(f"{mod.NAME}: {len(missing)} of {len(jobs)} jobs to run, {_estimate_text(rs, st, args.jobs)}"
              + ("" if args.quick else "; `--quick` runs the small grid"))
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
def _draw_figures(names: list[str], problems: list[str], store: Any, quick: bool) -> dict[str, tuple[str, str]]:
    """Draw each figure once from the real runs of its experiment's quick or full grid:
    ``name -> (base64 PNG, description of the runs)``; figures whose run set is incomplete are reported."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import paper_figs

    from .report import figure_png
    from .runsets import run_set

    problems += [f"paper_figs.{m}: {e}" for m, e in paper_figs.import_errors.items()]
    out: dict[str, tuple[str, str]] = {}
    for fname in names:
        fmod = paper_figs.get_figure(fname)
        try:
            rs = run_set(fmod.EXPERIMENT, quick)
            if not rs.complete(store):
                problems.append(f"figure {fname}: {rs.describe(store)} is incomplete; not drawn")
                continue
            fig = fmod.draw(rs.load(store))  # embedded in the report only; `mdptheory figs` writes the files
            out[fname] = (figure_png(fig), rs.describe())
            plt.close(fig)
        except Exception as exc:  # noqa: BLE001 - a broken figure is a reported problem, not a crash
            problems.append(f"figure {fname}: {type(exc).__name__}: {exc}")
    return out


def cmd_verify(args: argparse.Namespace) -> int:
    from .report import format_table, write_report
    from .verify import verify

    t0 = time.perf_counter()
    names = args.claims or None
    if args.module:
        from . import load_module

        mods = [load_module(path) for path in args.module]
        if names is None:
            names = [c.name for m in mods for c in m.CLAIMS]
    out = verify(names, quick=args.quick, power=args.power, jobs=args.jobs, figures=not args.no_report,
                 scheduler=args.scheduler, store=_store(args.store), progress=not args.no_progress)
    results, problems = out.results, out.problems
    figures = _draw_figures(out.figures, problems, _store(args.store), args.quick) if not args.no_report else {}
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
                            code_versions=out.code_versions, claim_figures=out.claim_figures,
                            meta={"command": "mdptheory " + " ".join(sys.argv[1:]) if sys.argv else "verify",
                                  "mode": "quick" if args.quick else "full", "wall time": f"{wall:.1f} s"})
        print(f"report: {path}")
    ok = results and all(r.ok for r in results) and not problems
    return 0 if ok else 1


# --------------------------------------------------------------------------------------- figs
def _estimate_text(rs, store, n_jobs: int) -> str:
    est = rs.estimate(store, n_jobs)
    if est is None:
        return "time unknown (no stored run of this experiment yet)"
    return f"estimated {est:.0f} s" if est < 120 else f"estimated {est / 60:.1f} min"


#: Missing jobs estimated to take longer than this are not started by ``figs`` without ``--yes``.
FIGS_AUTORUN_SECONDS = 120.0


def cmd_figs(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import paper_figs

    from .runner import execute_jobs, JobFailure
    from .runsets import figure_run_set

    if args.quick and args.full:
        raise ValueError("--quick and --full ask for different grids; give one")
    st = _store(args.store)
    names = args.figures or list(paper_figs.figure_modules())
    if not names:
        print("no figures registered")
        return 0
    status = 0
    for name in names:
        fmod = paper_figs.get_figure(name)
        rs = figure_run_set(fmod.EXPERIMENT, st, quick=True if args.quick else (False if args.full else None))
        missing = rs.missing(st)
        if missing:
            est = rs.estimate(st, args.jobs)
            long = est is None and len(missing) > 20 or est is not None and est > FIGS_AUTORUN_SECONDS
            if long and not args.yes:
                print(f"{name}: the {rs.describe(st)} is incomplete; its {len(missing)} missing jobs are "
                      f"{_estimate_text(rs, st, args.jobs)}. Draw from the quick grid with "
                      f"`mdptheory figs {name} --quick`, or run them with `--yes` (or `mdptheory run {rs.experiment}`).")
                status = 2
                continue
            print(f"{name}: running {len(missing)} missing jobs of the {rs.mode} grid ({_estimate_text(rs, st, args.jobs)})")
            failures = execute_jobs(missing, n_jobs=args.jobs, store=st, progress=not args.no_progress, desc=rs.experiment)
            if failures:
                raise JobFailure(failures)
        fig = fmod.draw(rs.load(st))
        paths = paper_figs.save_figure(fig, name, args.out, stamp=f"runs: {rs.describe()}")
        plt.close(fig)
        print(f"{name}: " + ", ".join(str(p) for p in paths) + f"  [{rs.describe()}]")
    return status


# ------------------------------------------------------------------------------------- store
def cmd_store_status(args: argparse.Namespace) -> int:
    import datetime as dt

    from . import code_version, experiment_modules, load_module
    from .runsets import run_set

    for path in args.module:
        load_module(path)
    st = _store(args.store)
    mods = experiment_modules()
    rows = st.summary()
    if not rows:
        print(f"nothing stored in {st.path}")
        return 0
    now = dt.datetime.now().timestamp()
    print(f"{st.path}:")
    for r in rows:
        mod = mods.get(r["experiment"])
        current = mod is not None and code_version(mod) == r["code_version"]
        age = (now - r["last"]) / 60
        state = ("(current)" if current else "(stale: not judged or drawn)" if mod is not None
                 else "(experiment not loaded: pass --module FILE.py)")
        line = (f"  {r['experiment']:<28} code {r['code_version'][:8]} {state}  {r['jobs']} jobs "
                f"({r['configs']} configs x {r['seeds']} seeds; {r['mutant_jobs']} mutant jobs), last {age:.0f} min ago")
        if current:
            grids = []
            for quick in (True, False):
                rs = run_set(mod, quick)
                done = len(rs.jobs) - len(rs.missing(st))
                grids.append(f"{rs.mode} {done}/{len(rs.jobs)}{' complete' if done == len(rs.jobs) else ''}")
            line += "; " + ", ".join(grids)
        print(line)
    return 0


def cmd_store_clean(args: argparse.Namespace) -> int:
    from . import code_version, experiment_modules, load_module

    if args.stale == args.all:
        raise ValueError("say what to delete: --stale (rows of older code versions) or --all")
    for path in args.module:
        load_module(path)
    st = _store(args.store)
    names = args.experiments or sorted({r["experiment"] for r in st.summary()})
    mods = experiment_modules()
    total = 0
    for name in names:
        if args.all:
            n = st.delete(name)
        elif name in mods:
            n = st.delete(name, keep_version=code_version(mods[name]))
        else:  # not a known experiment here (a user's module not given, or a removed one): keep it
            print(f"{name}: kept (not a known experiment: pass --module FILE.py to judge its rows, or --all)")
            continue
        total += n
        print(f"{name}: deleted {n} jobs")
    print(f"deleted {total} jobs from {st.path}")
    return 0


# ------------------------------------------------------------------------------------- export
def cmd_export(args: argparse.Namespace) -> int:
    st = _store(args.store)
    if args.json:
        paths = st.export_json(args.out or "results_json", args.experiments or None)
    else:
        paths = st.export_csv(args.out or "results_csv", args.experiments or None)
    for p in paths:
        print(p)
    if not paths:
        print(f"nothing stored in {st.path}")
    return 0
