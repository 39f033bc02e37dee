"""A large sparse grid MDP, optionally with its states numbered at random (a benchmark and test model for
cache locality: ``solvers.reorder``)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..finite import FiniteMDP
from ..validation import as_generator, check_positive_int


def sparse_grid(n: int, gamma: float = 0.99, p_move: float = 0.8, shuffle=None) -> FiniteMDP:
    """An ``n x n`` grid stored as CSR: 4 actions (right, down, left, up) move with probability ``p_move``
    (walls keep the agent in place) and stay otherwise; reward 1 for every action in the last cell.

    ``shuffle`` (a seed or Generator) numbers the states by a random permutation, the way a model read
    from a file in hash order may come: transitions then have no locality in the state index.
    """
    n = check_positive_int(n, "n")
    if not 0.0 <= p_move <= 1.0:
        raise ValueError(f"p_move must lie in [0, 1], got {p_move}")
    S, A = n * n, 4
    r, c = np.divmod(np.arange(S), n)
    label = np.arange(S) if shuffle is None else as_generator(shuffle).permutation(S)  # old state -> new label
    rows, cols, vals = [], [], []
    for a, (dr, dc) in enumerate([(0, 1), (1, 0), (0, -1), (-1, 0)]):
        nxt = np.clip(r + dr, 0, n - 1) * n + np.clip(c + dc, 0, n - 1)
        rows += [label * A + a] * 2
        cols += [label[nxt], label]
        vals += [np.full(S, p_move), np.full(S, 1.0 - p_move)]
    P = sp.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(S * A, S))
    R = np.zeros((S, A))
    R[label[S - 1]] = 1.0
    return FiniteMDP(P, R, gamma)
