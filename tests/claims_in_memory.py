"""Judge a claim on its quick grid in this process, without the results store (what ``verify --quick`` does,
minus SQLite and worker processes): the real rows and each control's rows, mutants switched on as the runner
switches them (``config["mutant"]`` around ``run``). Rows are cached per (experiment, overrides) so that claims
sharing an experiment share its runs."""
from __future__ import annotations

import json

import pandas as pd

from experiments import get_experiment, judge
from experiments.claims import Claim, ClaimResult
from mdptheory import mutants

_ROWS: dict[tuple[str, str], pd.DataFrame] = {}


def quick_frame(experiment: str, overrides: dict | None = None) -> pd.DataFrame:
    """Rows of ``experiment``'s quick grid x quick seeds with ``overrides`` merged into every config."""
    mod = get_experiment(experiment)
    key = (mod.NAME, json.dumps(overrides or {}, sort_keys=True))
    if key not in _ROWS:
        rows = []
        for cfg in mod.QUICK_GRID:
            cfg = dict(cfg, **(overrides or {}))
            for seed in range(mod.QUICK_SEEDS):
                with mutants.activated(cfg.get("mutant")):
                    rows.append(dict(cfg, seed=seed, **mod.run(dict(cfg), seed)))
        _ROWS[key] = pd.DataFrame(rows)
    return _ROWS[key]


def judge_quick(claim: Claim) -> ClaimResult:
    """:func:`experiments.judge` on the quick grid: real rows and every control's rows."""
    controls = {label: quick_frame(claim.experiment, dict(ctl)) for label, ctl in claim.controls().items()
                if not callable(ctl)}
    return judge(claim, quick_frame(claim.experiment), controls)


def rejects(claim: Claim, mutant: str) -> bool:
    """Whether ``claim``'s check rejects ``mutant`` on the quick grid (a check that raises counts as rejecting)."""
    try:
        return not claim.check(quick_frame(claim.experiment, {"mutant": mutant})).passed
    except Exception:  # noqa: BLE001 - as the power report: a check raising on a mutant's rows caught it
        return True
