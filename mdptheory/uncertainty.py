r"""Uncertainty sets for robust MDPs: total variation, Kullback-Leibler and chi-square.

A set is *constrained* (a divergence ball of radius ``rho`` around the nominal distribution ``p0``)
or *regularized* (nature pays ``lam * D(p || p0)`` instead of being confined to a ball):

.. math::

    \text{Cons}(\rho) = \inf_{p:\,D(p\|p_0)\le\rho} \langle p, V\rangle, \qquad
    \text{Reg}(\lambda) = \inf_{p \in \Delta(S)} \langle p, V\rangle + \lambda D(p\|p_0).

Conventions (spec ``r2pvi_drrpo.md`` section 1.2, the convention of Liu & Xu 2024 and Tang, Liu & Xu
2025): ``D_TV(p||q) = 1/2 sum |p - q|`` (half L1); ``D_KL(p||q) = sum p log(p/q)``;
``D_chi2(p||q) = sum (p - q)^2 / q`` (the f-divergence with ``f(t) = (t - 1)^2``). TV lets nature move
mass to *any* state; KL and chi-square are infinite unless ``p << q``, so they only re-weight the
support of ``p0``.

Rectangularity (``"sa"`` per state-action, ``"s"`` per state, ``"d"`` per latent factor of a
d-rectangular linear MDP) is not a property of the set but an argument of the robust planners in
:mod:`solvers.robust`.

``rho`` / ``lam`` may be a scalar or an array (e.g. DRPVI's per-(h, i) radius table ``rho[h, i]``);
planners broadcast it to their rows (``(H, d)`` for d-rectangular, ``(H, S, A)`` episodic tabular,
``(S, A)`` discounted). ``rho = inf`` is the whole simplex (TV) or the whole support (KL, chi-square);
``lam = inf`` is the nominal model.

Examples
--------
>>> TV(0.1)                    # constrained: 1/2 ||p - p0||_1 <= 0.1
TV(rho=0.1)
>>> KL(0.1).regularized(2.0)   # regularized: nature pays 2 * KL(p || p0)
KL(lam=2.0)
>>> ChiSquare(lam=0.5).is_regularized
True
>>> make("chi2", rho=0.2)      # by name, as experiments and learners do
ChiSquare(rho=0.2)
>>> TV(0.1).divergence([[0.5, 0.5], [1.0, 0.0]], [0.5, 0.5])   # last axis, broadcast
array([0. , 0.5])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .validation import as_real_array

__all__ = ["UncertaintySet", "TV", "KL", "ChiSquare", "RECTANGULARITIES", "DIVERGENCES", "make"]

#: Rectangularity axes understood by :mod:`solvers.robust`.
RECTANGULARITIES = ("sa", "s", "d")


def _check_param(value: Any, name: str, cls: str, strictly_positive: bool) -> float | np.ndarray:
    """Validate ``rho`` (>= 0) or ``lam`` (> 0); scalars come back as float, arrays read-only float64."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise TypeError(f"{cls}: {name} must be a number or an array of numbers, got {value!r}; "
                        f"pass e.g. {cls}({name}=0.1)")
    try:  # refuses strings ("0.1" would otherwise become 0.1 silently) and complex numbers
        arr = np.array(as_real_array(value, name), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{cls}: {exc}") from None
    if np.isnan(arr).any():
        idx = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0]) if arr.ndim else ()
        raise ValueError(f"{cls}: {name}{list(idx) if idx else ''} is NaN; give a number")
    bad = arr <= 0 if strictly_positive else arr < 0
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
        where = f"{name}{list(idx)}" if idx else name
        need = "> 0 (use lam=inf for the nominal model)" if strictly_positive else ">= 0 (rho=0 is the nominal model)"
        raise ValueError(f"{cls}: {where} = {arr[idx] if idx else float(arr)} is invalid; {name} must be {need}")
    if arr.ndim == 0:
        return float(arr)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class UncertaintySet:
    """Base class: a divergence ball (``rho``) or a divergence penalty (``lam``); give exactly one.

    Parameters
    ----------
    rho : float or ndarray, optional
        Radius of the constrained set ``{p : D(p || p0) <= rho}``, ``rho >= 0``.
    lam : float or ndarray, optional
        Regularization strength of the penalized set, ``lam > 0``.
    """

    rho: float | np.ndarray | None = None
    lam: float | np.ndarray | None = None
    #: Short name of the divergence, used by the kernels' dispatch table.
    divergence_name: ClassVar[str] = ""

    def __post_init__(self) -> None:
        cls = type(self).__name__
        if type(self) is UncertaintySet:
            raise TypeError("UncertaintySet is abstract; use TV, KL or ChiSquare")
        if (self.rho is None) == (self.lam is None):
            raise ValueError(
                f"{cls}: give exactly one of rho (constrained ball, e.g. {cls}(0.1)) or lam "
                f"(regularized, e.g. {cls}(lam=1.0)); got rho={self.rho!r}, lam={self.lam!r}"
            )
        if self.rho is not None:
            object.__setattr__(self, "rho", _check_param(self.rho, "rho", cls, strictly_positive=False))
        else:
            object.__setattr__(self, "lam", _check_param(self.lam, "lam", cls, strictly_positive=True))
        # read-only (1,) array of a scalar parameter: saves an allocation per inner solve in hot loops
        p = self.param
        one = np.full(1, p) if isinstance(p, float) else None
        if one is not None:
            one.flags.writeable = False
        object.__setattr__(self, "_param1", one)

    # -- the two forms ------------------------------------------------------------------------
    @property
    def is_regularized(self) -> bool:
        """True for the penalized form ``inf_p <p, V> + lam D(p || p0)``."""
        return self.lam is not None

    @property
    def param(self) -> float | np.ndarray:
        """``lam`` if regularized, else ``rho``."""
        return self.lam if self.is_regularized else self.rho

    def regularized(self, lam: float | np.ndarray) -> "UncertaintySet":
        """The same divergence in regularized form with strength ``lam > 0`` (the radius is dropped)."""
        return type(self)(lam=lam)

    def constrained(self, rho: float | np.ndarray) -> "UncertaintySet":
        """The same divergence as a ball of radius ``rho >= 0``."""
        return type(self)(rho=rho)

    def param_rows(self, shape: tuple[int, ...], name: str = "rows") -> np.ndarray:
        """Broadcast ``rho``/``lam`` to ``shape`` (a C-contiguous float64 copy), with a clear error."""
        p = np.asarray(self.param, dtype=np.float64)
        try:
            return np.ascontiguousarray(np.broadcast_to(p, shape), dtype=np.float64)
        except ValueError:
            which = "lam" if self.is_regularized else "rho"
            raise ValueError(
                f"{type(self).__name__}: {which} has shape {p.shape}, which does not broadcast to the "
                f"{name} shape {tuple(shape)}; give a scalar or an array of shape {tuple(shape)}"
            ) from None

    # -- divergence ---------------------------------------------------------------------------
    def divergence(self, p: Any, q: Any) -> float | np.ndarray:
        """``D(p || q)`` along the last axis (``inf`` where undefined).

        ``p`` and ``q`` broadcast against each other, e.g. ``(n, S)`` rows against ``(S,)`` or ``(n, S)``;
        the result has the broadcast shape without its last axis (a float for two ``(S,)`` vectors).
        """
        p = np.asarray(p, dtype=np.float64)
        q = np.asarray(q, dtype=np.float64)
        out = self._divergence(*np.broadcast_arrays(p, q))
        return float(out) if out.ndim == 0 else out

    @staticmethod
    def _divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def contains(self, p: np.ndarray, p0: np.ndarray, atol: float = 1e-9) -> bool:
        """Whether ``p`` is a distribution with ``D(p || p0) <= rho + atol`` (constrained sets only)."""
        if self.is_regularized:
            raise ValueError(f"{self!r} is regularized: it has no ball to be contained in")
        p = np.asarray(p, dtype=np.float64)
        if (p < -atol).any() or abs(p.sum() - 1.0) > atol:
            return False
        rho = float(np.max(self.rho))
        return bool(self.divergence(np.clip(p, 0.0, None), p0) <= rho + atol)

    def __repr__(self) -> str:
        which, v = ("lam", self.lam) if self.is_regularized else ("rho", self.rho)
        return f"{type(self).__name__}({which}={v!r})"


@dataclass(frozen=True, eq=False, repr=False)
class TV(UncertaintySet):
    """Total-variation set, ``D_TV(p || p0) = 1/2 ||p - p0||_1`` (mass may move to any state)."""

    divergence_name: ClassVar[str] = "tv"

    @staticmethod
    def _divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        return 0.5 * np.abs(p - q).sum(axis=-1)


@dataclass(frozen=True, eq=False, repr=False)
class KL(UncertaintySet):
    """Kullback-Leibler set, ``D_KL(p || p0) = sum p log(p / p0)`` (only re-weights ``supp p0``)."""

    divergence_name: ClassVar[str] = "kl"

    @staticmethod
    def _divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        pos = p > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(pos, p * np.log(np.where(pos, p, 1.0) / np.where(q > 0, q, 1.0)), 0.0)
        return np.where((pos & (q <= 0)).any(axis=-1), np.inf, terms.sum(axis=-1))


@dataclass(frozen=True, eq=False, repr=False)
class ChiSquare(UncertaintySet):
    """Chi-square set, ``D(p || p0) = sum (p - p0)^2 / p0`` (``f(t) = (t-1)^2``; re-weights ``supp p0``)."""

    divergence_name: ClassVar[str] = "chi2"

    @staticmethod
    def _divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        pos = q > 0
        terms = np.where(pos, (p - q) ** 2 / np.where(pos, q, 1.0), 0.0)
        return np.where(((p > 0) & ~pos).any(axis=-1), np.inf, terms.sum(axis=-1))


#: The divergences by name: ``"tv"``, ``"kl"``, ``"chi2"`` (the names experiments and learners use).
DIVERGENCES: dict[str, type[UncertaintySet]] = {cls.divergence_name: cls for cls in (TV, KL, ChiSquare)}


def make(name: str, *, rho: Any = None, lam: Any = None) -> UncertaintySet:
    """The uncertainty set of divergence ``name`` with a radius ``rho`` or a regularizer ``lam``.

    >>> make("kl", lam=2.0)
    KL(lam=2.0)
    >>> make("tv", rho=0.1).is_regularized
    False
    """
    try:
        cls = DIVERGENCES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown divergence {name!r}; use one of {sorted(DIVERGENCES)}") from None
    return cls(rho=rho, lam=lam)
