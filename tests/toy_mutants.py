"""A toy algorithm with two registered mutants and a toy experiment, for the harness tests.

``algo(x) = x`` (the "paper's" algorithm); mutant ``toy.double`` returns ``2 x`` (a gross bug) and
``toy.tiny-shift`` returns ``x + 1e-12`` (a bug no check at the rounding level can see).
"""
from __future__ import annotations

from bounds.checks import below, identity
from experiments import Claim
from mdptheory import mutants

NAME = "toy-mutants"
DOUBLE = mutants.register("toy", "double", "returns 2x instead of x")
TINY = mutants.register("toy", "tiny-shift", "returns x + 1e-12")

GRID = [{"x": 1.0}, {"x": 2.0}]
QUICK_GRID = GRID
SEEDS = 2
QUICK_SEEDS = 2


def algo(x: float) -> float:
    if DOUBLE.active:
        return 2 * x
    if TINY.active:
        return x + 1e-12
    return x


def run(config: dict, seed: int) -> dict:
    x = float(config["x"])
    return {"y": algo(x), "bound": 1.5 * x, "trivial": 10.0 * x}


def check_exact(df):
    return identity(df["y"].to_numpy(), df["x"].to_numpy(), atol=1e-9)


def check_below(df):
    return below(df["y"].to_numpy(), df["bound"].to_numpy(), 0.0, trivial=df["trivial"].to_numpy())


CLAIMS = [
    Claim("toy-exact", NAME, None, check_exact, mutants=("toy.double",), description="y = x exactly",
          source="toy"),
    Claim("toy-below", NAME, None, check_below, mutants=("toy.double",), description="y <= 1.5 x", source="toy"),
]
