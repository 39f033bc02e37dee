"""Hypothesis strategies for the robust tests: (p0, V) pairs, uncertainty sets, small linear MDPs."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from mdptheory import random_d_rectangular
from mdptheory.uncertainty import DIVERGENCES as _BY_NAME

seeds = st.integers(min_value=0, max_value=2**32 - 1)
DIVERGENCES = tuple(_BY_NAME.values())  # TV, KL, ChiSquare


@st.composite
def inner_instances(draw, min_S: int = 2, max_S: int = 7, zeros: bool = True, ties: bool = True):
    """``(p0 (S,), V (S,))``: p0 possibly with zero entries, V on several scales, possibly with ties."""
    S = draw(st.integers(min_S, max_S))
    rng = np.random.default_rng(draw(seeds))
    p0 = rng.dirichlet(np.full(S, draw(st.sampled_from([0.3, 1.0, 5.0]))))
    if zeros and S > 2 and draw(st.booleans()):
        p0[rng.choice(S, size=rng.integers(1, S - 1), replace=False)] = 0.0
        if p0.sum() == 0:
            p0[0] = 1.0
        p0 /= p0.sum()
    scale = draw(st.sampled_from([0.01, 1.0, 30.0]))
    V = rng.normal(size=S) * scale
    if ties and draw(st.booleans()):
        V = np.round(V / scale) * scale
    return p0, V


params = st.sampled_from([1e-3, 0.05, 0.3, 1.0, 4.0])


@st.composite
def uncertainty_sets(draw, regularized: bool | None = None, param=params):
    cls = draw(st.sampled_from(DIVERGENCES))
    reg = draw(st.booleans()) if regularized is None else regularized
    value = draw(param)
    return cls(lam=value) if reg else cls(rho=value)


@st.composite
def small_linear_mdps(draw, max_S: int = 4, max_A: int = 3, max_d: int = 3, max_H: int = 3):
    S = draw(st.integers(2, max_S))
    support = draw(st.sampled_from([None, 2]))
    return random_d_rectangular(
        S, draw(st.integers(1, max_A)), draw(st.integers(1, max_d)), draw(st.integers(1, max_H)),
        rng=draw(seeds), factor_support=support if support is None or support <= S else None,
    )
