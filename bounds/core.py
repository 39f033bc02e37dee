"""The :class:`Bound` object: a theorem's inequality as a SymPy expression plus its metadata.

A bound knows *what* a paper states — the right-hand side of an inequality, the meaning and domain of
every symbol, the constants the paper gives (or the fact that it hides them in a big-O), the
probability with which it holds and under which assumptions — never *how* an algorithm reaches it.
Experiments evaluate it on the same grid they run on; checks in :mod:`bounds.checks` compare.

Bounds are registered by name (:func:`register`) when their module in ``bounds/`` is imported;
:func:`registry` returns all of them (``mdptheory list`` prints that table).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

#: Provenance tags (see the team specs): paper text, official code, abstract, derived, recalled,
#: digest, unknown, proposal. Only P/V/C/A/D may carry explicit constants that are checked as facts.
PROVENANCE_TAGS = {
    "P": "paper text",
    "V": "paper text (verified)",
    "C": "official code",
    "A": "abstract",
    "D": "derived",
    "R": "recalled, unverified",
    "S": "spec digest (a secondary source), unverified",
    "U": "unknown",
    "I": "proposal",
}

_KINDS = ("upper", "lower")


@dataclass(frozen=True, eq=False)
class Bound:
    r"""A theorem's bound ``lhs <= expr`` (``kind="upper"``) or ``lhs >= expr`` (``kind="lower"``).

    Parameters
    ----------
    name : str
        Registry key, lowercase with dashes, e.g. ``"vi-contraction"``.
    expr : sympy.Expr
        Right-hand side. Its free symbols must each appear in ``symbols`` or ``constants``.
    symbols : dict[str, str]
        Symbol name -> meaning and domain, e.g. ``{"gamma": "discount factor in [0, 1)"}``.
    source : str
        Where the statement is written, e.g. ``"Puterman (1994), Theorem 6.3.1"``.
    constants : dict[str, float]
        Values substituted before evaluation (constants stated in the paper, e.g. ``{"c": 2.0}``).
    hidden_constant : bool
        ``True`` for big-O statements: ``expr`` is the rate without its unknown constant, so only
        scale-free checks (``rate``, ``ratio_bounded`` with a trend) may use it, never ``below``.
    probability : str or None
        Probability with which the bound holds, e.g. ``"1 - delta"``; ``None`` for deterministic bounds.
    assumptions : tuple[str, ...]
        Plain-language assumptions ("rewards in [0, 1]", "ergodic under every policy").
    kind : {"upper", "lower"}
    provenance : str
        One of :data:`PROVENANCE_TAGS` (``"P"`` paper text, ``"D"`` derived, ``"R"`` recalled, ...).
    lhs : str, optional
        LaTeX of the bounded quantity, e.g. ``r"\|V_k - V^\star\|_\infty"``; used by :meth:`latex`.

    Examples
    --------
    >>> g, k, e0 = sympy.symbols("gamma k e_0", nonnegative=True)
    >>> b = Bound("demo", g**k * e0, {"gamma": "discount", "k": "iteration", "e_0": "initial error"},
    ...           source="Puterman (1994), Thm 6.3.1")
    >>> b.evaluate(gamma=0.5, k=2, e_0=4.0)
    1.0
    """

    name: str
    expr: Any
    symbols: dict[str, str]
    source: str
    constants: dict[str, float] = field(default_factory=dict)
    hidden_constant: bool = False
    probability: str | None = None
    assumptions: tuple[str, ...] = ()
    kind: str = "upper"
    provenance: str = "P"
    lhs: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"Bound name must be a non-empty string, got {self.name!r}")
        try:
            expr = sympy.sympify(self.expr)
        except (sympy.SympifyError, TypeError) as exc:
            raise TypeError(f"Bound {self.name!r}: expr must be a SymPy expression, got {self.expr!r} ({exc})") from None
        object.__setattr__(self, "expr", expr)
        object.__setattr__(self, "symbols", dict(self.symbols))
        object.__setattr__(self, "constants", {k: float(v) for k, v in dict(self.constants).items()})
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        if self.kind not in _KINDS:
            raise ValueError(f"Bound {self.name!r}: kind={self.kind!r}, expected 'upper' or 'lower'")
        if self.provenance not in PROVENANCE_TAGS:
            raise ValueError(
                f"Bound {self.name!r}: provenance={self.provenance!r}, expected one of {sorted(PROVENANCE_TAGS)}"
            )
        if not self.source or not isinstance(self.source, str):
            raise ValueError(f"Bound {self.name!r}: source must name the paper and theorem, got {self.source!r}")
        both = set(self.symbols) & set(self.constants)
        if both:
            raise ValueError(f"Bound {self.name!r}: {sorted(both)} are both symbols and constants; pick one")
        free = {s.name for s in expr.free_symbols}
        undeclared = free - set(self.symbols) - set(self.constants)
        if undeclared:
            raise ValueError(
                f"Bound {self.name!r}: symbols {sorted(undeclared)} appear in expr but are not declared; "
                "add them to symbols={name: meaning} or constants={name: value}"
            )

    # ------------------------------------------------------------------ evaluation
    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the free symbols left after substituting ``constants`` (sorted)."""
        return tuple(sorted(s.name for s in self._substituted.free_symbols))

    @functools.cached_property
    def _substituted(self) -> sympy.Expr:
        subs = {s: self.constants[s.name] for s in self.expr.free_symbols if s.name in self.constants}
        return self.expr.subs(subs)

    @functools.cached_property
    def _function(self):
        syms = sorted(self._substituted.free_symbols, key=lambda s: s.name)
        return syms, sympy.lambdify(syms, self._substituted, modules=["numpy", "scipy"])

    def evaluate(self, **values: Any) -> float | np.ndarray:
        """Evaluate the right-hand side; arrays broadcast (NumPy rules).

        Every free symbol must be given by name (constants are already substituted); extra names are
        an error so that a typo cannot silently leave a symbol at a default.
        """
        syms, fn = self._function
        needed = {s.name for s in syms}
        missing = needed - set(values)
        extra = set(values) - needed - set(self.symbols)
        if missing:
            raise TypeError(f"Bound {self.name!r}.evaluate: missing value(s) for {sorted(missing)}")
        if extra:
            raise TypeError(
                f"Bound {self.name!r}.evaluate: unknown symbol(s) {sorted(extra)}; expected {sorted(needed)}"
            )
        args = [np.asarray(values[s.name], dtype=float) for s in syms]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(fn(*args), dtype=float)
        if args:
            out = np.broadcast_to(out, np.broadcast_shapes(*(a.shape for a in args))).copy()
        return float(out) if out.ndim == 0 else out

    def latex(self) -> str:
        """LaTeX of the statement: ``lhs \\leq expr`` when ``lhs`` is set, else ``expr`` alone.

        Symbol names with a modifier suffix render as the mathematics they stand for: ``c_dagger`` as
        ``c^{\\dagger}``, ``alpha_bar`` as ``\\bar{\\alpha}``, ``r_max`` as ``r_{\\max}``.
        """
        names = {sym: _latex_name(sym.name) for sym in self.expr.free_symbols}
        rhs = sympy.latex(self.expr, symbol_names={k: v for k, v in names.items() if v is not None})
        if self.lhs is None:
            return rhs
        rel = r"\leq" if self.kind == "upper" else r"\geq"
        return f"{self.lhs} {rel} {rhs}"

    def describe(self) -> str:
        """One paragraph: statement, source, probability, constants, assumptions, symbols."""
        parts = [f"{self.name} ({self.kind} bound): {self.latex()}", f"source: {self.source} [{self.provenance}]"]
        if self.probability:
            parts.append(f"holds with probability {self.probability}")
        if self.hidden_constant:
            parts.append("hidden constant (big-O): only rate/ratio checks apply")
        if self.constants:
            parts.append("constants: " + ", ".join(f"{k}={v:g}" for k, v in self.constants.items()))
        if self.assumptions:
            parts.append("assumptions: " + "; ".join(self.assumptions))
        parts.append("symbols: " + "; ".join(f"{k}: {v}" for k, v in self.symbols.items()))
        return "\n  ".join(parts)

    def __repr__(self) -> str:
        return f"Bound({self.name!r}, {self.expr}, source={self.source!r}, kind={self.kind!r})"


_MODIFIERS = {"dagger": "^{{\\dagger}}", "star": "^{{\\star}}", "prime": "'", "max": "_{{\\max}}",
              "min": "_{{\\min}}"}
_ACCENTS = {"bar": "\\bar{{{}}}", "hat": "\\hat{{{}}}", "tilde": "\\tilde{{{}}}"}


def _latex_name(name: str) -> str | None:
    """LaTeX of a symbol name ``base_modifier`` (``None``: SymPy's default rendering is right)."""
    base, _, mod = name.partition("_")
    if not mod or (mod not in _MODIFIERS and mod not in _ACCENTS):
        return None
    b = sympy.latex(sympy.Symbol(base))
    if mod in _ACCENTS:
        return _ACCENTS[mod].format(b)
    return b + _MODIFIERS[mod].format()


_REGISTRY: dict[str, Bound] = {}


def register(bound: Bound) -> Bound:
    """Add ``bound`` to the registry and return it (usable as ``X = register(Bound(...))``).

    Re-registering the same statement under the same name (a module reload) replaces it; a different
    statement under an existing name is an error, so two papers cannot silently share a key.
    """
    if not isinstance(bound, Bound):
        raise TypeError(f"register expects a bounds.Bound, got {type(bound).__name__}")
    old = _REGISTRY.get(bound.name)
    if old is not None and (old.expr != bound.expr or old.source != bound.source):
        raise ValueError(
            f"a different bound named {bound.name!r} is already registered (source {old.source!r}); "
            "choose another name"
        )
    _REGISTRY[bound.name] = bound
    return bound


def registry() -> dict[str, Bound]:
    """All registered bounds, name -> :class:`Bound` (a copy, sorted by name)."""
    return dict(sorted(_REGISTRY.items()))
