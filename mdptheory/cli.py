"""The ``mdptheory`` command line: the one place that wires every package together.

``mdptheory list`` · ``mdptheory solve FILE.npz`` · and the verification commands (``run``,
``verify``, ``figs``, ``export``) registered by :mod:`experiments.cli`. Errors print one line and exit
1; ``--debug`` (before or after the sub-command) shows the traceback. ``solve`` exits 3 when the planner
finished without certifying ``--tol`` (status ``max_iter``, ``inaccurate``, ...), with the reason on stderr.
"""
from __future__ import annotations

import argparse
import functools
import importlib
import sys
import warnings
from collections.abc import Sequence

import numpy as np

from .backends import BACKENDS

#: Modules that add sub-commands: each defines ``register(subparsers)`` and sets ``handler`` defaults.
EXTENSIONS = ("experiments.cli",)

METHODS = ("auto", "vi", "gs", "pi", "mpi", "lp")


def _cmd_list(args: argparse.Namespace) -> int:
    import mdptheory.envs as envs
    import solvers

    print("environments:", ", ".join(sorted(envs.__all__)))
    print("solve methods:", ", ".join(METHODS))
    print("solvers:", ", ".join(sorted(n for n in getattr(solvers, "__all__", []))))
    for module, title in (("bounds", "bounds"), ("experiments", "experiments"), ("paper_figs", "figures")):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        lister = getattr(mod, "describe", None)
        if lister is not None:
            print(f"\n{title}:")
            for line in lister():
                print("  " + line)
    return 0


#: Statuses of a result whose certificate holds: anything else makes ``solve`` exit with :data:`EXIT_UNCERTIFIED`.
CERTIFIED = ("converged", "exact")
#: Exit status of ``solve`` when the planner finished without certifying ``--tol`` (1 is an error, 2 a usage error).
EXIT_UNCERTIFIED = 3

_ADVICE = {
    "max_iter": "raise --max-iter, or loosen --tol",
    "inaccurate": "float64 cannot certify this --tol on this model: loosen --tol to at least the error_bound shown",
    "timeout": "the planner ran out of time",
}


def _solve(mdp, method: str, tol: float, backend: str, max_iter: int | None = None):
    import solvers
    from mdptheory.episodic import EpisodicMDP

    if isinstance(mdp, EpisodicMDP):
        if method not in ("auto", "bi"):
            raise ValueError(f"the model is episodic (P has 4 axes): use --method auto, not {method!r}")
        if max_iter is not None:
            raise ValueError("--max-iter does not apply to an episodic model: backward induction is exact in H steps")
        return solvers.backward_induction(mdp, backend=backend)
    if mdp.gamma is None:
        raise ValueError("no discount factor: pass --gamma G with 0 <= G < 1 (or store 'gamma' in the .npz)")
    if method == "bi":
        raise ValueError("--method bi is for episodic models (P of shape (H, S, A, S)); this one is discounted")
    if method == "lp":
        if max_iter is not None:
            raise ValueError("--max-iter does not apply to --method lp (HiGHS chooses its iterations)")
        return solvers.linear_programming(mdp, tol=tol, backend=backend)
    iterative = {
        "auto": solvers.solve,
        "vi": solvers.value_iteration,
        "gs": functools.partial(solvers.value_iteration, method="gauss-seidel"),
        "pi": solvers.policy_iteration,
        "mpi": solvers.modified_policy_iteration,
    }
    return iterative[method](mdp, tol=tol, max_iter=max_iter, backend=backend)


def _cmd_solve(args: argparse.Namespace) -> int:
    from mdptheory.episodic import EpisodicMDP
    from mdptheory.io import load_npz
    from solvers.result import ConvergenceWarning

    rewards = None
    if args.rewards:
        rewards = np.load(args.rewards, allow_pickle=False)
        if not isinstance(rewards, np.ndarray):
            raise ValueError(f"--rewards {args.rewards}: give one array R of shape (S, A) saved with np.save")
    mdp = load_npz(args.file, gamma=args.gamma, R=rewards)
    with warnings.catch_warnings():
        # reported below, on one line, with the exit status; the warning would repeat it with a source line
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = _solve(mdp, args.method, args.tol, args.backend, args.max_iter)
    V0 = res.V[0] if isinstance(mdp, EpisodicMDP) else res.V
    kind = f"episodic, H={mdp.H}" if isinstance(mdp, EpisodicMDP) else f"gamma={mdp.gamma}"
    print(f"model: S={mdp.S}, A={mdp.A}, {kind}")
    print(f"method: {res.method} (backend {res.backend})")
    print(f"value at mu0: {float(mdp.mu0 @ V0):.10g}")
    with np.printoptions(threshold=args.max_print, linewidth=100):
        print(f"policy: {res.policy}")
    print(
        f"certificate: status={res.status} converged={res.converged} iterations={res.iterations} "
        f"residual={res.residual:.3g} error_bound={res.error_bound:.3g} wall_time={res.wall_time:.3g}s"
    )
    if args.out:
        from mdptheory.io import save_result

        print(f"wrote {save_result(res, args.out)} (V, Q, policy and the certificate)")
    if res.status not in CERTIFIED:
        advice = _ADVICE.get(res.status, "the result is not certified")
        print(f"mdptheory: not certified: {res.message}, but --tol is {args.tol:g}; {advice}", file=sys.stderr)
        return EXIT_UNCERTIFIED
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


EXAMPLES = """examples:
  mdptheory verify --quick                      check every claim on small grids (a few minutes)
  mdptheory verify --quick --power              ... and which registered bugs each claim catches
  mdptheory verify --module my_claims.py        your own claims (see docs/examples/my_claims.py)
  mdptheory solve model.npz --tol 1e-10 --out result.json
  mdptheory figs opsrl-regret --quick           draw a paper figure from the quick grid
  mdptheory store status                        what the results store holds
  mdptheory list                                bounds (with provenance), experiments, claims, figures
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"mdptheory {version('mdptheory')}"
    except PackageNotFoundError:  # running from a source tree that is not installed
        from mdptheory import __version__

        return f"mdptheory {__version__}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mdptheory", description=__doc__.splitlines()[0], epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="list environments, solvers, bounds, experiments, claims and figures")
    p.set_defaults(handler=_cmd_list)
    p = sub.add_parser("solve", help="solve an MDP stored in an .npz file (keys P, R, optional gamma, mu0)",
                       epilog="examples:\n  mdptheory solve model.npz --gamma 0.99 --method mpi --out result.npz\n"
                              "  mdptheory solve P.npz --rewards R.npy --gamma 0.9   (P from scipy.sparse.save_npz)",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="path to the .npz file (see mdptheory.io: save_npz, np.savez of P and R, or a CSR "
                                "matrix from scipy.sparse.save_npz with --rewards)")
    p.add_argument("--rewards", default=None, metavar="R.npy", help="rewards (S, A) saved with np.save, for a file "
                                                                      "without them")
    p.add_argument("--out", default=None, metavar="FILE.npz|FILE.json", help="write V, Q, the policy and the certificate")
    p.add_argument("--method", choices=METHODS + ("bi",), default="auto", help="planner (default: auto)")
    p.add_argument("--gamma", type=float, default=None, help="discount factor, overrides the file's")
    p.add_argument("--tol", type=float, default=1e-8, help="certified sup-norm error on V (default 1e-8)")
    p.add_argument("--max-iter", type=_positive_int, default=None,
                   help="iteration cap of vi/gs/pi/mpi/auto (default: derived from --tol)")
    p.add_argument("--backend", choices=BACKENDS, default="numba")
    p.add_argument("--max-print", type=int, default=200, help="print at most this many policy entries in full")
    p.set_defaults(handler=_cmd_solve)
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside the extension: surface it
                raise
            continue
        module.register(sub)
    for command in sub.choices.values():  # `mdptheory solve F --debug` as well as `mdptheory --debug solve F`
        if "--debug" not in command._option_string_actions:
            # SUPPRESS: absent after the sub-command, it must not reset a --debug given before it
            command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                 help="show full tracebacks on errors")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # until the arguments are parsed (an extension may fail to import)
    try:
        args = build_parser().parse_args(argv)
        debug = bool(getattr(args, "debug", False))
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("mdptheory: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0
    except Exception as exc:  # one clear line unless --debug
        if debug:
            raise
        print(f"mdptheory: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
