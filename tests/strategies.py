"""Hypothesis strategies for random models (sizes kept small so that exact checks stay cheap)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st

from mdptheory import EpisodicMDP, FiniteMDP

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def random_kernel(rng: np.random.Generator, shape: tuple[int, ...], density: float = 1.0) -> np.ndarray:
    """Random row-stochastic array of ``shape`` (last axis = next state) with about ``density`` non-zeros."""
    P = rng.random(shape) ** 2
    if density < 1.0:
        P *= rng.random(shape) < density
        # keep every row non-empty
        idx = rng.integers(shape[-1], size=shape[:-1])
        np.put_along_axis(P, idx[..., None], rng.random(shape[:-1])[..., None] + 0.1, axis=-1)
    return P / P.sum(axis=-1, keepdims=True)


@st.composite
def finite_mdps(draw, max_S: int = 8, max_A: int = 4, sparse: bool | None = None,
                gamma: st.SearchStrategy | None = None) -> FiniteMDP:
    """Random discounted ``FiniteMDP`` (dense or CSR), rewards in [-1, 1]."""
    S = draw(st.integers(1, max_S))
    A = draw(st.integers(1, max_A))
    rng = np.random.default_rng(draw(seeds))
    density = draw(st.sampled_from([1.0, 0.5, 0.2]))
    P = random_kernel(rng, (S, A, S), density)
    R = rng.uniform(-1, 1, (S, A))
    g = draw(gamma if gamma is not None else st.sampled_from([0.0, 0.5, 0.9, 0.99]))
    use_sparse = draw(st.booleans()) if sparse is None else sparse
    if use_sparse:
        P = sp.csr_array(P.reshape(S * A, S))
    return FiniteMDP(P, R, g)


@st.composite
def episodic_mdps(draw, max_H: int = 5, max_S: int = 6, max_A: int = 3) -> EpisodicMDP:
    """Random stage-dependent ``EpisodicMDP`` with rewards in [0, 1]."""
    H = draw(st.integers(1, max_H))
    S = draw(st.integers(1, max_S))
    A = draw(st.integers(1, max_A))
    rng = np.random.default_rng(draw(seeds))
    P = random_kernel(rng, (H, S, A, S), draw(st.sampled_from([1.0, 0.4])))
    mu0 = random_kernel(rng, (S,))
    return EpisodicMDP(P, rng.random((H, S, A)), mu0)
