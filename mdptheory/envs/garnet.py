"""Random "Garnet" MDPs (Archibald, McKinnon & Thomas 1995; Bhatnagar et al. 2009)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..episodic import EpisodicMDP
from ..finite import FiniteMDP
from ..validation import as_generator, check_positive_int


def garnet(
    S: int,
    A: int,
    branching: int,
    rng: int | np.random.Generator | None = None,
    gamma: float | None = 0.99,
    sparse: bool = False,
    H: int | None = None,
) -> FiniteMDP | EpisodicMDP:
    """A random Garnet MDP: every ``(s, a)`` reaches ``branching`` distinct next states.

    The next states are drawn uniformly without replacement; their probabilities are the gaps of
    ``branching - 1`` sorted uniform cut points of ``[0, 1]`` (a uniform draw on the simplex);
    ``R[s, a] ~ U(0, 1)``. ``sparse=True`` stores ``P`` as CSR ``(S*A, S)``. With ``H`` given, an
    episodic MDP with independent dynamics per stage (dense) is returned instead.
    """
    S, A, B = (check_positive_int(v, n) for v, n in ((S, "S"), (A, "A"), (branching, "branching")))
    if B > S:
        raise ValueError(f"branching = {B} exceeds the number of states S = {S}")
    rng = as_generator(rng)
    stages = 1 if H is None else check_positive_int(H, "H")
    n_rows = stages * S * A
    cols = np.stack([rng.choice(S, size=B, replace=False) for _ in range(n_rows)])
    cuts = np.sort(rng.random((n_rows, B - 1)), axis=1)
    probs = np.diff(np.concatenate([np.zeros((n_rows, 1)), cuts, np.ones((n_rows, 1))], axis=1), axis=1)
    R = rng.random((stages, S, A))
    if H is not None:
        P = np.zeros((n_rows, S))
        np.put_along_axis(P, cols, probs, axis=1)
        return EpisodicMDP(P.reshape(H, S, A, S), R, np.full(S, 1.0 / S))
    if sparse:
        P = sp.csr_array((probs.ravel(), (np.repeat(np.arange(n_rows), B), cols.ravel())), shape=(n_rows, S))
    else:
        P = np.zeros((n_rows, S))
        np.put_along_axis(P, cols, probs, axis=1)
        P = P.reshape(S, A, S)
    return FiniteMDP(P, R[0], gamma)
