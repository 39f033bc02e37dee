"""Finite-horizon, stage-dependent MDPs: ``EpisodicMDP``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from .validation import (PROB_ATOL, as_float_array, as_reward_array, check_distribution, check_positive_int,
                         check_shape)


@dataclass(frozen=True, eq=False)
class EpisodicMDP:
    r"""An episodic MDP with horizon ``H`` and stage-dependent dynamics.

    An episode starts from :math:`s_0 \sim \mu_0` and runs the stages ``h = 0, ..., H-1`` (the papers'
    ``h = 1, ..., H``): in stage ``h`` the agent takes ``a_h``, receives ``R[h, s_h, a_h]`` and moves to
    :math:`s_{h+1} \sim P[h, s_h, a_h, :]`. The state after stage ``H-1`` is terminal.

    Parameters
    ----------
    P : ndarray (H, S, A, S)
        ``P[h, s, a, s'] = Pr(s_{h+1} = s' | s_h = s, a_h = a)``; each row a probability vector.
    R : ndarray (H, S, A)
        Expected reward of taking ``a`` in ``s`` at stage ``h``.
    mu0 : ndarray (S,), optional
        Initial-state distribution (default uniform).

    Notes
    -----
    A stationary model is the special case built by :meth:`stationary`.
    """

    P: np.ndarray
    R: np.ndarray
    mu0: np.ndarray | None = None
    atol: float = field(default=PROB_ATOL, repr=False)

    def __post_init__(self) -> None:
        R = as_reward_array(self.R, "R", ndim=3)   # -inf marks an infeasible action, as in FiniteMDP
        H, S, A = R.shape
        if H < 1:
            raise ValueError(f"R has shape {R.shape}: the horizon H (first axis) must be >= 1")
        if S < 1 or A < 1:
            raise ValueError(f"R has shape {R.shape}: need at least one state and one action")
        P = as_float_array(self.P, "P")
        if P.ndim != 4:
            raise ValueError(f"P must have shape (H, S, A, S), got shape {P.shape}")
        check_shape(P, (H, S, A, S), "P", f"R has shape {R.shape} so P must be (H, S, A, S)")
        check_distribution(P, "P", self.atol, getattr(self.P, "dtype", None))
        mu0 = np.full(S, 1.0 / S) if self.mu0 is None else as_float_array(self.mu0, "mu0", ndim=1)
        check_shape(mu0, (S,), "mu0")
        check_distribution(mu0, "mu0", self.atol, getattr(self.mu0, "dtype", None))
        for name, value in (("P", P), ("R", R), ("mu0", mu0)):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    @classmethod
    def stationary(cls, P: np.ndarray, R: np.ndarray, H: int, mu0: np.ndarray | None = None) -> "EpisodicMDP":
        """Episodic MDP repeating the same ``P (S, A, S)`` and ``R (S, A)`` at every stage.

        The stage axis is materialised (``H*S*A*S`` floats) because the kernels need contiguous arrays.
        """
        H = check_positive_int(H, "H")
        P = as_float_array(P, "P", ndim=3)
        R = as_reward_array(R, "R", ndim=2)
        return cls(np.broadcast_to(P, (H,) + P.shape), np.broadcast_to(R, (H,) + R.shape), mu0)

    @classmethod
    def from_sa_pairs(cls, R: Any, Q: Any, H: int, s_indices: Any, a_indices: Any, mu0: Any = None,
                      n_actions: int | None = None) -> "EpisodicMDP":
        """A stationary episodic model from QuantEcon's state-action-pair form (pairs not listed are
        infeasible; a sparse ``Q`` is densified). See :mod:`mdptheory.peers`."""
        from .peers import from_sa_pairs

        P, R_full = from_sa_pairs(R, Q, s_indices, a_indices, n_actions=n_actions)
        if sp.issparse(P):
            P = P.toarray().reshape(R_full.shape + (R_full.shape[0],))
        return cls.stationary(P, R_full, H, mu0)

    @property
    def H(self) -> int:
        """Horizon (number of stages)."""
        return self.R.shape[0]

    @property
    def S(self) -> int:
        """Number of states."""
        return self.R.shape[1]

    @property
    def A(self) -> int:
        """Number of actions."""
        return self.R.shape[2]

    @property
    def r_max(self) -> float:
        """``max |R|``."""
        return float(np.abs(self.R).max())
