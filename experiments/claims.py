"""Claims: an experiment, a bound, a check and a negative control — and how a claim is judged.

A :class:`Claim` is *verified* only when the check passes on the real runs **and** fails on the
negative control (a deliberately broken variant, or a deliberately wrong bound). If the control
passes too, the check could not tell a correct algorithm from a broken one: the claim is *vacuous*.
If the real run fails the check, the claim is *failed*. An exception anywhere is *error*.
"""
from __future__ import annotations

import math
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from bounds import Bound
from bounds.checks import Verdict

__all__ = ["Claim", "ClaimResult", "judge", "STATUSES"]

#: Possible outcomes, best first.
STATUSES = ("verified", "failed", "vacuous", "error")

Check = Callable[[Any], Verdict]


@dataclass(frozen=True, eq=False)
class Claim:
    """A theorem-backed statement about an experiment's results.

    Parameters
    ----------
    name : str
        Unique claim key, e.g. ``"vi-contraction"``.
    experiment : str
        ``NAME`` of the experiment module whose results the check reads.
    bound : bounds.Bound or None
        The bound being checked (``None`` for pure identities/properties with no SymPy form).
    check : callable(DataFrame) -> Verdict
        Applied to the real results, and to the control's results when ``control`` is a dict.
    control : dict or callable(DataFrame) -> Verdict
        A dict of config overrides that turns on the broken variant (the runner runs the same grid
        with them and applies the same ``check``), or a callable applied to the *real* results that
        checks a deliberately wrong bound/constant. Either way the control must FAIL.
    description : str
        One sentence, plain language.
    source : str
        Paper and theorem/lemma/equation; defaults to ``bound.source``.
    """

    name: str
    experiment: str
    bound: Bound | None
    check: Check
    control: Mapping[str, Any] | Check
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Claim name must be a non-empty string, got {self.name!r}")
        if not callable(self.check):
            raise TypeError(f"Claim {self.name!r}: check must be callable(DataFrame) -> Verdict")
        if not (callable(self.control) or isinstance(self.control, Mapping)):
            raise TypeError(
                f"Claim {self.name!r}: control must be a dict of config overrides or a callable; every claim "
                "needs a negative control"
            )
        if isinstance(self.control, Mapping) and not self.control:
            raise ValueError(f"Claim {self.name!r}: an empty control dict would rerun the real variant")
        if self.bound is not None and not isinstance(self.bound, Bound):
            raise TypeError(f"Claim {self.name!r}: bound must be a bounds.Bound or None")
        if not self.source:
            object.__setattr__(self, "source", self.bound.source if self.bound is not None else "")

    @property
    def control_overrides(self) -> dict[str, Any] | None:
        """The control's config overrides, or ``None`` for a callable control."""
        return dict(self.control) if isinstance(self.control, Mapping) else None


@dataclass(frozen=True)
class ClaimResult:
    """Outcome of judging one claim."""

    claim: Claim
    status: str
    verdict: Verdict | None = None
    control_verdict: Verdict | None = None
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "verified"

    def row(self) -> dict[str, str]:
        """Table row: claim, source, bound, empirical, ratio, control, verdict."""
        v, c = self.verdict, self.control_verdict
        ratio = v.tightness if v is not None else None
        return {
            "claim": self.claim.name,
            "source": self.claim.source,
            "bound": self.claim.bound.name if self.claim.bound is not None else "-",
            "empirical": "-" if v is None else str(v.details.get("summary", f"{_fmt(v.statistic)} vs {_fmt(v.threshold)}")),
            "ratio": "-" if ratio is None or not math.isfinite(ratio) else f"{ratio:.3g}",
            "control": "-" if c is None else ("rejected" if not c.passed else "PASSED"),
            "verdict": self.status,
        }


def _fmt(x: float) -> str:
    return f"{x:.4g}" if isinstance(x, (int, float)) else str(x)


def _apply(check: Check, df: Any, what: str) -> Verdict:
    v = check(df)
    if not isinstance(v, Verdict):
        raise TypeError(f"{what} returned {type(v).__name__}, expected bounds.checks.Verdict")
    return v


def judge(claim: Claim, results: Any, control_results: Any = None) -> ClaimResult:
    """Judge ``claim`` from its real results and (for dict controls) the control variant's results.

    Returns a :class:`ClaimResult` with status ``verified`` (real passes, control fails), ``failed``
    (real fails), ``vacuous`` (real and control both pass) or ``error`` (an exception; its message
    is kept, the traceback in ``details["traceback"]``).
    """
    try:
        verdict = _apply(claim.check, results, f"claim {claim.name!r} check")
        if claim.control_overrides is not None:
            if control_results is None:
                raise ValueError(f"claim {claim.name!r}: control results are missing (overrides {claim.control_overrides})")
            control = _apply(claim.check, control_results, f"claim {claim.name!r} check on the control")
        else:
            control = _apply(claim.control, results, f"claim {claim.name!r} control")
    except Exception as exc:  # noqa: BLE001 - reported as status "error", never swallowed silently
        return ClaimResult(claim, "error", error=f"{type(exc).__name__}: {exc}",
                           details={"traceback": traceback.format_exc()})
    if not verdict.passed:
        status = "failed"
    elif control.passed:
        status = "vacuous"
    else:
        status = "verified"
    return ClaimResult(claim, status, verdict, control)
