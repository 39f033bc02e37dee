"""Claims: an experiment, a bound, a check and the realistic bugs it must catch, and how a claim is judged.

A :class:`Claim` is *verified* only when the check passes on the real runs **and** fails on every one of
its controls:

- the registered **mutants** it names (:mod:`mdptheory.mutants`: realistic single bugs of the algorithm,
  switched on by the runner through ``config["mutant"]``); every claim names at least one;
- optionally one extra **control**: config overrides of a broken variant (a strawman such as a greedy
  agent, kept only as extra sanity) or a callable applied to the real results that checks a deliberately
  wrong bound.

If the real runs fail the check, the claim is *failed*. If some control passes, the check could not tell
that broken algorithm apart: the claim is *vacuous*. It is also *vacuous* when its bound cannot bind: the
check reports (``Verdict.details["informative_fraction"]``, from ``below``/``ratio_bounded``'s ``trivial=``)
that the bound is at least the quantity's a-priori maximum at every point (regret <= H per episode,
SubOpt <= V*, probabilities <= 1). An exception anywhere is *error*.
"""
from __future__ import annotations

import math
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from bounds import Bound
from bounds.checks import Verdict

__all__ = ["Claim", "ClaimResult", "Crashed", "judge", "STATUSES", "verdict_label"]

#: Possible outcomes, best first.
STATUSES = ("verified", "failed", "vacuous", "error")

Check = Callable[[Any], Verdict]

#: Provenance tags whose constants were not read in the paper itself.
UNVERIFIED = {"R": "recalled constant", "S": "constant from a digest", "U": "unknown constant",
              "I": "proposed form"}


@dataclass(frozen=True, eq=False)
class Claim:
    """A theorem-backed statement about an experiment's results, with the bugs it must catch.

    Parameters
    ----------
    name : str
        Unique claim key, e.g. ``"vi-contraction"``.
    experiment : str
        ``NAME`` of the experiment module whose results the check reads.
    bound : bounds.Bound or None
        The bound being checked (``None`` for pure identities/properties with no SymPy form).
    check : callable(DataFrame) -> Verdict
        Applied to the real results and to every control's results.
    mutants : tuple of str
        Registered mutants (``"opsrl.first-sample"``) the check must reject. Every claim names at least one
        (or, for a check of a mathematical fact that no algorithm of the suite implements, a ``control``).
    control : dict or callable, optional
        One extra control: config overrides of a broken variant (e.g. a strawman agent), or a callable
        applied to the *real* results that checks a deliberately wrong bound. It must fail too.
    algorithms : tuple of str
        Algorithms whose mutants ``mdptheory verify --power`` runs this claim against; default: the
        algorithms of ``mutants``.
    description : str
        One or two sentences in plain language, including the regime where the bound is informative.
    source : str
        Paper and theorem/lemma/equation; defaults to ``bound.source``.
    """

    name: str
    experiment: str
    bound: Bound | None
    check: Check
    mutants: tuple[str, ...] = ()
    control: Mapping[str, Any] | Check | None = None
    algorithms: tuple[str, ...] = ()
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Claim name must be a non-empty string, got {self.name!r}")
        if not callable(self.check):
            raise TypeError(f"Claim {self.name!r}: check must be callable(DataFrame) -> Verdict")
        object.__setattr__(self, "mutants", tuple(self.mutants))
        if self.control is not None and not (callable(self.control) or isinstance(self.control, Mapping)):
            raise TypeError(f"Claim {self.name!r}: control must be a dict of config overrides or a callable")
        if isinstance(self.control, Mapping) and not self.control:
            raise ValueError(f"Claim {self.name!r}: an empty control dict would rerun the real variant")
        if not self.mutants and self.control is None:
            raise ValueError(f"Claim {self.name!r}: name the registered mutants the check must reject "
                             "(mutants=...) or give a control; a claim that no broken variant fails proves nothing")
        if self.bound is not None and not isinstance(self.bound, Bound):
            raise TypeError(f"Claim {self.name!r}: bound must be a bounds.Bound or None")
        algos = tuple(self.algorithms) or tuple(dict.fromkeys(m.split(".", 1)[0] for m in self.mutants))
        object.__setattr__(self, "algorithms", algos)
        if not self.source:
            object.__setattr__(self, "source", self.bound.source if self.bound is not None else "")

    @property
    def control_overrides(self) -> dict[str, Any] | None:
        """The extra control's config overrides, or ``None`` (no control, or a callable one)."""
        return dict(self.control) if isinstance(self.control, Mapping) else None

    def controls(self) -> dict[str, Mapping[str, Any] | Check]:
        """Every control, ``label -> config overrides`` (a variant to run) or ``-> callable`` (a wrong bound).

        Labels: ``"mutant:<name>"`` for mutants, ``"control"`` for the extra one.
        """
        out: dict[str, Mapping[str, Any] | Check] = {f"mutant:{m}": {"mutant": m} for m in self.mutants}
        if self.control is not None:
            out["control"] = self.control
        return out


@dataclass(frozen=True)
class ClaimResult:
    """Outcome of judging one claim."""

    claim: Claim
    status: str
    verdict: Verdict | None = None
    control_verdicts: dict[str, Verdict] = field(default_factory=dict)
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "verified"

    @property
    def control_verdict(self) -> Verdict | None:
        """The first control's verdict (``None`` without controls)."""
        return next(iter(self.control_verdicts.values()), None)

    @property
    def passing_controls(self) -> list[str]:
        """Labels of the controls the check did *not* reject."""
        return [k for k, v in self.control_verdicts.items() if v.passed]

    def row(self) -> dict[str, str]:
        """Table row: claim, source, bound, empirical, ratio, control, verdict."""
        v = self.verdict
        ratio = v.tightness if v is not None else None
        n = len(self.control_verdicts)
        rejected = n - len(self.passing_controls)
        return {
            "claim": self.claim.name,
            "source": self.claim.source,
            "bound": self.claim.bound.name if self.claim.bound is not None else "-",
            "empirical": "-" if v is None else str(v.details.get("summary", f"{_fmt(v.statistic)} vs {_fmt(v.threshold)}")),
            "ratio": "-" if ratio is None or not math.isfinite(ratio) else f"{ratio:.3g}",
            "control": "-" if n == 0 else f"{rejected}/{n} rejected",
            "verdict": verdict_label(self),
        }


def verdict_label(r: ClaimResult) -> str:
    """The status with what it rests on: ``"verified (recalled constant R)"``, ``"verified (rate/shape)"``."""
    b = r.claim.bound
    if b is None or r.status not in ("verified", "failed"):
        return r.status
    notes = []
    if b.provenance in UNVERIFIED:
        notes.append(f"{UNVERIFIED[b.provenance]} {b.provenance}")
    if b.hidden_constant:
        notes.append("rate/shape check, constant hidden")
    return f"{r.status} ({'; '.join(notes)})" if notes else r.status


def _fmt(x: float) -> str:
    return f"{x:.4g}" if isinstance(x, (int, float)) else str(x)


def _apply(check: Check, df: Any, what: str) -> Verdict:
    v = check(df)
    if not isinstance(v, Verdict):
        raise TypeError(f"{what} returned {type(v).__name__}, expected bounds.checks.Verdict")
    return v


@dataclass(frozen=True)
class Crashed:
    """Stands for a control's results when its runs raised: a broken variant that crashes is caught."""

    message: str


def judge(claim: Claim, results: Any, control_results: Mapping[str, Any] | None = None) -> ClaimResult:
    """Judge ``claim`` from its real results and each run control's results (``label -> DataFrame``, or
    :class:`Crashed` when that control's runs raised: it counts as rejected).

    Returns a :class:`ClaimResult` with status ``verified`` (real passes, every control fails),
    ``failed`` (real fails), ``vacuous`` (a control passes too, or the bound cannot bind anywhere) or
    ``error`` (an exception; its message is kept, the traceback in ``details["traceback"]``).
    """
    control_results = dict(control_results or {})
    try:
        verdict = _apply(claim.check, results, f"claim {claim.name!r} check")
        controls: dict[str, Verdict] = {}
        for label, ctl in claim.controls().items():
            if callable(ctl):
                controls[label] = _apply(ctl, results, f"claim {claim.name!r} {label}")
                continue
            if label not in control_results:
                raise ValueError(f"claim {claim.name!r}: results of {label} ({dict(ctl)}) are missing")
            got = control_results[label]
            controls[label] = (Verdict(False, math.nan, math.nan, f"its runs raised: {got.message}")
                               if isinstance(got, Crashed) else
                               _apply(claim.check, got, f"claim {claim.name!r} check on {label}"))
    except Exception as exc:  # noqa: BLE001 - reported as status "error", never swallowed silently
        return ClaimResult(claim, "error", error=f"{type(exc).__name__}: {exc}",
                           details={"traceback": traceback.format_exc()})
    details: dict[str, Any] = {}
    informative = verdict.details.get("informative_fraction")
    if not verdict.passed:
        status = "failed"
    elif informative is not None and informative == 0.0:
        status = "vacuous"
        details["why"] = ("the bound is at least the quantity's a-priori maximum at every point: it cannot bind "
                          "in this regime")
    elif any(v.passed for v in controls.values()):
        status = "vacuous"
        passing = [k for k, v in controls.items() if v.passed]
        details["why"] = f"the check does not reject {', '.join(passing)}"
    else:
        status = "verified"
    return ClaimResult(claim, status, verdict, controls, details=details)
