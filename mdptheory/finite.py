"""Finite discounted (or average-reward) MDPs: ``FiniteMDP``."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from .validation import (
    PROB_ATOL,
    as_float_array,
    as_reward_array,
    check_csr_transition,
    check_distribution,
    check_gamma,
    check_shape,
)


@dataclass(frozen=True, eq=False)
class FiniteMDP:
    r"""A finite MDP :math:`(\mathcal S, \mathcal A, P, R, \gamma, \mu_0)`.

    Parameters
    ----------
    P : ndarray (S, A, S) or scipy.sparse CSR (S*A, S)
        Transition kernel, ``P[s, a, s'] = Pr(s_{t+1} = s' | s_t = s, a_t = a)``. The sparse layout
        uses row ``s*A + a``, the same indexing as the free dense view ``P.reshape(S*A, S)``.
        Every row must be a probability vector (non-negative, sums to 1 within ``1e-9``).
    R : ndarray (S, A), or (S, A, S)
        Expected immediate reward ``R[s, a] = E[r_t | s_t = s, a_t = a]``. ``R[s, a] = -inf`` marks an
        **infeasible action** (QuantEcon's convention): planners never choose it and policies may not use it;
        every state keeps at least one feasible action. Rewards given per transition, ``R[s, a, s']``, are
        replaced by their expectation ``sum_s' P[s, a, s'] R[s, a, s']`` (what every planner and bound uses).
    gamma : float in [0, 1) or None
        Discount factor; ``None`` marks an average-reward MDP.
    mu0 : ndarray (S,), optional
        Initial-state distribution (default uniform).

    Notes
    -----
    Attributes ``S``, ``A``, ``is_sparse`` and ``P_flat`` (the ``(S*A, S)`` view, dense or CSR) are
    derived. The arrays are stored as float64 C-contiguous (a CSR ``P`` in canonical form: sorted
    indices, no duplicates) and are read-only, so a validated model cannot change. An input that already
    is in that form is not copied but shared, and is therefore marked read-only too (pass ``P.copy()`` to
    keep a writable one); any other input is converted into a new array and never modified.

    Examples
    --------
    >>> import numpy as np
    >>> P = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]])
    >>> mdp = FiniteMDP(P, R=np.array([[0.0, 1.0], [2.0, 0.0]]), gamma=0.9)
    >>> mdp.S, mdp.A
    (2, 2)
    """

    P: Any
    R: np.ndarray
    gamma: float | None = None
    mu0: np.ndarray | None = None
    atol: float = field(default=PROB_ATOL, repr=False)

    def __post_init__(self) -> None:
        transition_rewards = np.ndim(self.R) == 3
        if transition_rewards:   # R[s, a, s'] (as peers write it): checked now, averaged once P is validated
            R3 = as_float_array(self.R, "R", ndim=3)
            S, A = R3.shape[:2]
            check_shape(R3, (S, A, S), "R", "rewards R[s, a, s'] must have shape (S, A, S)")
            R = np.zeros((S, A))
        else:
            R = as_reward_array(self.R, "R", ndim=2)
            S, A = R.shape
        if S < 1 or A < 1:
            raise ValueError(f"R has shape {R.shape}: need at least one state and one action")
        if sp.issparse(self.P):
            P = check_csr_transition(self.P, S, A, "P", self.atol)
        else:
            given = getattr(self.P, "dtype", None)
            P = as_float_array(self.P, "P")
            if P.ndim != 3:
                raise ValueError(
                    f"P must have shape (S, A, S) (or be sparse CSR (S*A, S)), got shape {P.shape}"
                )
            check_shape(P, (S, A, S), "P", f"R has shape {R.shape} so P must be (S, A, S) = ({S}, {A}, {S})")
            check_distribution(P, "P", self.atol, given)
        if transition_rewards:   # r(s, a) = sum_s' P(s' | s, a) R(s, a, s')
            R = (np.asarray(P.multiply(R3.reshape(S * A, S)).sum(axis=1)).reshape(S, A) if sp.issparse(P)
                 else np.einsum("sat,sat->sa", P, R3))
        gamma = check_gamma(self.gamma)
        mu0 = np.full(S, 1.0 / S) if self.mu0 is None else as_float_array(self.mu0, "mu0", ndim=1)
        check_shape(mu0, (S,), "mu0")
        check_distribution(mu0, "mu0", self.atol, getattr(self.mu0, "dtype", None))
        for name, value in (("P", P), ("R", R), ("gamma", gamma), ("mu0", mu0)):
            object.__setattr__(self, name, value)
        for arr in (R, mu0) + (() if sp.issparse(P) else (P,)):  # check_csr_transition froze the CSR parts
            arr.flags.writeable = False

    @classmethod
    def from_sa_pairs(cls, R: Any, Q: Any, gamma: float | None, s_indices: Any, a_indices: Any,
                      mu0: Any = None, n_actions: int | None = None) -> "FiniteMDP":
        """The model of QuantEcon's ``DiscreteDP(R, Q, beta, s_indices, a_indices)`` (state-action pairs;
        pairs not listed are infeasible). See :mod:`mdptheory.peers`."""
        from .peers import from_sa_pairs

        P, R_full = from_sa_pairs(R, Q, s_indices, a_indices, n_actions=n_actions)
        return cls(P, R_full, gamma, mu0)

    @property
    def S(self) -> int:
        """Number of states."""
        return self.R.shape[0]

    @property
    def A(self) -> int:
        """Number of actions."""
        return self.R.shape[1]

    @property
    def is_sparse(self) -> bool:
        """Whether ``P`` is stored as CSR ``(S*A, S)``."""
        return sp.issparse(self.P)

    @property
    def P_flat(self):
        """``(S*A, S)`` view of the kernel (row ``s*A + a``): a free reshape, or the CSR itself."""
        return self.P if self.is_sparse else self.P.reshape(self.S * self.A, self.S)

    @property
    def r_max(self) -> float:
        """``max |R|``, the reward scale used by default iteration caps and bounds."""
        return float(np.abs(self.R).max())

    def dense_P(self) -> np.ndarray:
        """The kernel as a dense ``(S, A, S)`` array (a copy only when stored sparse)."""
        if self.is_sparse:
            return self.P.toarray().reshape(self.S, self.A, self.S)
        return self.P

    def to_sparse(self) -> "FiniteMDP":
        """The same MDP with ``P`` stored as CSR ``(S*A, S)``."""
        return self if self.is_sparse else replace(self, P=sp.csr_array(self.P_flat))

    def to_dense(self) -> "FiniteMDP":
        """The same MDP with ``P`` stored as a dense ``(S, A, S)`` array."""
        return replace(self, P=self.dense_P()) if self.is_sparse else self

    def with_gamma(self, gamma: float | None) -> "FiniteMDP":
        """The same MDP with another discount factor."""
        return replace(self, gamma=gamma)
