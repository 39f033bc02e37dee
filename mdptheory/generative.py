r"""Planning with a generative model: models that answer ``(h, s, a) -> (r, s')``, the oracle that counts and
caps the calls, the paper's lazy Garnet family and the exact ground truth ``Q*_H`` at the root.

Setting (Jonsson et al., NeurIPS 2020, "Planning in MDPs with gap-dependent sample complexity", Sec. 2): an
MDP with ``K`` actions whose transitions have at most ``B`` next states is reachable only through a
*generative model* (an oracle) that, queried at stage ``h`` in state ``s`` with action ``a``, returns a reward
of mean ``r_h(s, a) in [0, 1]`` and a next state ``s' ~ p_h(.|s, a)``. A planner's *sample complexity* is the
number of oracle calls.

- :class:`TabularModel` wraps a known :class:`~mdptheory.FiniteMDP` (stationary, discounted) or
  :class:`~mdptheory.EpisodicMDP` (stage-dependent); rewards are the means ``R`` (``reward_noise="none"``,
  as in the paper's Garnets) or Bernoulli draws of mean ``R`` (``"bernoulli"``, e.g. a bandit).
- :class:`LazyGarnet` is the paper's experimental family (``eleurent/finite-mdp``, ``SparseMDP.make_garnet``
  [C]): ``K`` actions, ``B`` next states per ``(s, a)`` drawn uniformly *with replacement* among the ``S``
  states, probabilities the gaps of ``B - 1`` sorted uniforms (``(U, 1 - U)`` for ``B = 2``), a reward
  ``U(0, 1)`` on a fraction ``reward_sparsity`` of the pairs and 0 elsewhere, discount ``gamma``. Each row is a
  pure function of ``(seed, s, a)`` (a counter-based SplitMix64 hash), so nothing is stored: an instance with
  ``S = 100,000`` states costs no memory at all, the first visited state as much as the last. Deviation
  (named): the official code rewards exactly ``floor(S K sparsity)`` pairs (a shuffle); the lazy family
  draws each pair's indicator independently with probability ``reward_sparsity`` -- the same marginal law,
  without the ``O(1/(SK))`` dependence between pairs that a global shuffle induces.
- :class:`GenerativeOracle` wraps a model: :meth:`~GenerativeOracle.sample` answers one query from the
  caller's ``numpy.random.Generator``, every call is counted, and an optional ``budget`` is enforced
  (:class:`BudgetExhausted`). The planners of :mod:`solvers.tree_search` run their own Numba loops on
  :meth:`GenerativeModel.kernel`, are given ``oracle.remaining`` and charge what they used
  (:meth:`~GenerativeOracle.charge`), so a planner that runs out stops cleanly before the budget is exceeded.
- :func:`q_star` is the exact optimal ``Q*_H(s_0, .)`` of the depth-``H`` look-ahead (``H`` rewards,
  discounted by ``gamma^(h-1)``) by backward induction over the states reachable at each depth (values
  depend on ``(depth, state)`` only, so merging the look-ahead *tree* by state per depth is exact).
  ``q_star(model, 9)`` is also the official scripts' ground truth: ``ValueIterationAgent(iterations=
  int(3/(1-gamma)))`` with ``gamma = 0.7`` runs 9 Bellman iterations of ``Q`` from 0, which is exactly the
  9-step finite-horizon ``Q*`` (its early exit on ``allclose`` successive iterates cannot trigger at
  ``gamma = 0.7``: the iterates still move by ``~gamma^8 > 1e-2``); see :func:`truncated_q`.

Uniforms: every sampler reads two uniforms per call, ``u_next`` (inverse CDF of the next state) and
``u_reward`` (Bernoulli rewards); the planners draw them from the caller's Generator.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from . import backends
from .episodic import EpisodicMDP
from .finite import FiniteMDP
from .validation import as_generator, check_positive_int

__all__ = ["GenerativeModel", "TabularModel", "LazyGarnet", "GenerativeOracle", "BudgetExhausted", "KernelModel",
           "q_star", "truncated_q", "horizon_from_accuracy", "PAPER_GARNET"]

#: The paper's Garnet (``env_garnet.json`` of ``eleurent/planning-gap-complexity`` [C]).
PAPER_GARNET = {"S": 100_000, "K": 5, "B": 2, "reward_sparsity": 0.5, "gamma": 0.7}

TABULAR, GARNET = 0, 1
_NOISE = {"none": 0, "bernoulli": 1}


class BudgetExhausted(RuntimeError):
    """Raised by :meth:`GenerativeOracle.sample` / :meth:`~GenerativeOracle.charge` beyond the budget."""


class KernelModel(NamedTuple):
    """What the Numba samplers read (unpack with ``*model.kernel()``).

    ``ints = [kind, S, K, B, G, noise]`` (``G`` stages in the table, 1 = stationary; ``noise`` 0 none,
    1 Bernoulli), ``key (1,) uint64`` (Garnet), ``floats = [reward_sparsity]``, and for tabular models the
    padded rows ``nxt (G*S*K, B) int64``, ``cdf (G*S*K, B)`` (cumulative, last entry 1) and ``rew (G*S*K,)``.
    """

    ints: np.ndarray
    key: np.ndarray
    floats: np.ndarray
    nxt: np.ndarray
    cdf: np.ndarray
    rew: np.ndarray


# ------------------------------------------------------------------------------- the counter-based hash
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0     # 2**-53


@njit(cache=True, nogil=True)
def _splitmix(x):
    z = x + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True)
def _pair_base(key, s, a, K):
    return _splitmix(key + _splitmix(np.uint64(s) * np.uint64(K) + np.uint64(a)))


@njit(cache=True, nogil=True)
def _unit(base, j):
    """The ``j``-th uniform in ``[0, 1)`` of a pair (53 random bits)."""
    return np.float64(_splitmix(base + np.uint64(j)) >> _S11) * _TO_UNIT


def _splitmix_np(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        return z ^ (z >> _S31)


def _garnet_units_np(key: np.uint64, s: np.ndarray, a: np.ndarray, K: int, n_units: int) -> np.ndarray:
    """Uniforms ``(n, n_units)`` of the pairs ``(s, a)``: NumPy twin of :func:`_pair_base` / :func:`_unit`."""
    with np.errstate(over="ignore"):
        base = _splitmix_np(np.uint64(key) + _splitmix_np(s.astype(np.uint64) * np.uint64(K) + a.astype(np.uint64)))
        bits = _splitmix_np(base[:, None] + np.arange(n_units, dtype=np.uint64)[None, :]) >> _S11
    return bits.astype(np.float64) * _TO_UNIT


# --------------------------------------------------------------------------------- one oracle answer
@njit(cache=True, nogil=True)
def _garnet_step(key, S, K, B, sparsity, s, a, u_next):
    """Next state and mean reward of the lazy Garnet: state ``j`` of the pair gets the ``j``-th gap of the
    sorted cut points, so the sampled index is the number of cuts ``<= u_next`` (no sorting needed)."""
    base = _pair_base(key[0], s, a, K)
    j = 0
    for i in range(B - 1):
        if _unit(base, B + i) <= u_next:
            j += 1
    s_next = np.int64(_unit(base, j) * S)
    r = _unit(base, 2 * B) if _unit(base, 2 * B - 1) < sparsity else 0.0
    return r, s_next


@njit(cache=True, nogil=True)
def model_step(ints, key, floats, nxt, cdf, rew, h, s, a, u_next, u_reward):
    """One oracle answer ``(r, s')`` at stage ``h`` (0-based) for ``(s, a)``, from two uniforms."""
    if ints[0] == GARNET:
        mean, s_next = _garnet_step(key, ints[1], ints[2], ints[3], floats[0], s, a, u_next)
    else:
        g = h if ints[4] > 1 else 0
        row = (g * ints[1] + s) * ints[2] + a
        B = cdf.shape[1]
        j = B - 1
        for k in range(B):
            if cdf[row, k] > u_next:
                j = k
                break
        s_next = nxt[row, j]
        mean = rew[row]
    if ints[5] == 1:
        return (1.0 if u_reward < mean else 0.0), s_next
    return mean, s_next


@njit(cache=True, nogil=True)
def _sample_numba(ints, key, floats, nxt, cdf, rew, h, s, a, u):
    n = s.shape[0]
    r = np.empty(n)
    s_next = np.empty(n, np.int64)
    for i in range(n):
        r[i], s_next[i] = model_step(ints, key, floats, nxt, cdf, rew, h[i], s[i], a[i], u[i, 0], u[i, 1])
    return r, s_next


def _garnet_rows_np(key, S, K, B, sparsity, s, a):
    """Exact Garnet rows and the sorted cut points (the sampler compares ``u_next`` with the cuts)."""
    U = _garnet_units_np(key, s, a, K, 2 * B + 1)
    next_states = (U[:, :B] * S).astype(np.int64)
    cuts = np.sort(U[:, B:2 * B - 1], axis=1)
    edges = np.concatenate([np.zeros((len(s), 1)), cuts, np.ones((len(s), 1))], axis=1)
    reward = np.where(U[:, 2 * B - 1] < sparsity, U[:, 2 * B], 0.0)
    return next_states, np.diff(edges, axis=1), reward, cuts


def _rows_numpy(ints, key, floats, nxt, cdf, rew, h, s, a):
    """Exact rows ``(next (n, B), probs (n, B), mean reward (n,))`` of the pairs (vectorised)."""
    kind, S, K, B, G = (int(v) for v in ints[:5])
    if kind == GARNET:
        return _garnet_rows_np(key[0], S, K, B, floats[0], s, a)[:3]
    row = ((h if G > 1 else 0) * S + s) * K + a
    probs = np.diff(np.concatenate([np.zeros((len(row), 1)), cdf[row]], axis=1), axis=1)
    return nxt[row], probs, rew[row]


def _sample_numpy(ints, key, floats, nxt, cdf, rew, h, s, a, u):
    """Twin of :func:`_sample_numba`: the first ``j`` whose cumulative probability exceeds ``u_next`` (for
    the Garnet: the number of sorted cut points ``<= u_next``), the last one when rounding leaves none."""
    kind, S, K, B, G = (int(v) for v in ints[:5])
    if kind == GARNET:
        next_states, _, mean, cuts = _garnet_rows_np(key[0], S, K, B, floats[0], s, a)
        j = (cuts <= u[:, :1]).sum(axis=1)
    else:
        row = ((h if G > 1 else 0) * S + s) * K + a
        above = cdf[row] > u[:, :1]
        j = np.where(above.any(axis=1), np.argmax(above, axis=1), B - 1)
        next_states, mean = nxt[row], rew[row]
    s_next = next_states[np.arange(len(s)), j]
    r = np.where(u[:, 1] < mean, 1.0, 0.0) if ints[5] == 1 else mean
    return np.asarray(r, dtype=float), s_next.astype(np.int64)


@njit(cache=True, nogil=True)
def _rows_numba(ints, key, floats, nxt, cdf, rew, h, s, a):
    """Twin of :func:`_rows_numpy` (the exact rows; the Garnet's cut points sorted by insertion)."""
    n = s.shape[0]
    B = ints[3]
    out_next = np.empty((n, B), np.int64)
    out_p = np.empty((n, B))
    out_r = np.empty(n)
    cuts = np.empty(B + 1)
    for i in range(n):
        if ints[0] == GARNET:
            base = _pair_base(key[0], s[i], a[i], ints[2])
            for j in range(B):
                out_next[i, j] = np.int64(_unit(base, j) * ints[1])
            cuts[0] = 0.0
            for j in range(B - 1):          # insertion sort of the B - 1 cut points into cuts[1..B-1]
                x = _unit(base, B + j)
                k = j + 1
                while k > 1 and cuts[k - 1] > x:
                    cuts[k] = cuts[k - 1]
                    k -= 1
                cuts[k] = x
            cuts[B] = 1.0
            for j in range(B):
                out_p[i, j] = cuts[j + 1] - cuts[j]
            out_r[i] = _unit(base, 2 * B) if _unit(base, 2 * B - 1) < floats[0] else 0.0
        else:
            row = ((h[i] if ints[4] > 1 else 0) * ints[1] + s[i]) * ints[2] + a[i]
            prev = 0.0
            for j in range(B):
                out_next[i, j] = nxt[row, j]
                out_p[i, j] = cdf[row, j] - prev
                prev = cdf[row, j]
            out_r[i] = rew[row]
    return out_next, out_p, out_r


backends.register("generative.sample", numba=_sample_numba, numpy=_sample_numpy)
backends.register("generative.rows", numba=_rows_numba, numpy=_rows_numpy)


# ------------------------------------------------------------------------------------------- models
class GenerativeModel:
    """Common interface: sizes, discount, root state, exact rows (for ground truth) and the kernel arrays.

    Attributes: ``S`` states, ``K`` actions, ``B`` (maximal support size of a transition), ``gamma`` in
    ``(0, 1]``, ``s0`` the root state, ``horizon`` (number of stages the model defines; ``None`` when
    stationary), ``reward_noise`` (``"none"`` or ``"bernoulli"``).
    """

    S: int
    K: int
    B: int
    gamma: float
    s0: int
    horizon: int | None
    reward_noise: str

    def kernel(self) -> KernelModel:
        raise NotImplementedError

    def rows(self, h: int, s: np.ndarray, a: np.ndarray,
             backend: str = "numba") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact transition rows of the pairs ``(s[i], a[i])`` at stage ``h``: next states ``(n, B)`` int64,
        their probabilities ``(n, B)`` (a state may repeat; zero-padded) and mean rewards ``(n,)``."""
        s = np.ascontiguousarray(s, dtype=np.int64)
        a = np.ascontiguousarray(a, dtype=np.int64)
        rows = backends.pick("generative.rows", backend)
        return rows(*self.kernel(), np.full(s.shape, int(h), np.int64), s, a)

    def check_depth(self, H: int) -> int:
        """``H`` as an int ``>= 1`` that the model can serve (``H <= horizon`` for stage-dependent models)."""
        H = check_positive_int(H, "H")
        if self.horizon is not None and H > self.horizon:
            raise ValueError(f"planning depth H = {H} exceeds the model's {self.horizon} stages; "
                             f"plan with H <= {self.horizon}")
        return H

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(S={self.S}, K={self.K}, B={self.B}, gamma={self.gamma:g}, s0={self.s0}, "
                f"reward_noise={self.reward_noise!r})")


def _check_gamma(gamma) -> float:
    g = float(gamma)
    if not 0.0 < g <= 1.0:
        raise ValueError(f"gamma must lie in (0, 1] for planning with a generative model, got {gamma}")
    return g


def _check_noise(noise: str) -> str:
    if noise not in _NOISE:
        raise ValueError(f"reward_noise must be one of {tuple(_NOISE)}, got {noise!r}: 'none' returns the mean "
                         "reward, 'bernoulli' a 0/1 draw of that mean")
    return noise


class TabularModel(GenerativeModel):
    """A known tabular model served through the generative-model interface.

    Parameters
    ----------
    mdp : FiniteMDP or EpisodicMDP
        ``FiniteMDP``: stationary transitions, ``gamma`` from the model unless given. ``EpisodicMDP``:
        stage-dependent ``P[h]``, ``R[h]`` (planning depth at most ``mdp.H``), ``gamma`` defaults to 1.
    gamma : float in (0, 1], optional
    s0 : int
        Root state.
    reward_noise : {"none", "bernoulli"}
    B : int, optional
        Support bound given to the planners; default: the largest support of a row. Must be ``>= 1`` and at
        least the largest support.

    Notes
    -----
    Rewards must lie in ``[0, 1]`` (the KL confidence bounds of MDP-GapE assume it; the official code raises
    too).
    """

    def __init__(self, mdp: FiniteMDP | EpisodicMDP, gamma: float | None = None, s0: int = 0,
                 reward_noise: str = "none", B: int | None = None):
        if isinstance(mdp, EpisodicMDP):
            P, R, G = mdp.P, mdp.R, mdp.H
            self.horizon = mdp.H
            stationary_P = mdp.P.shape[0] == 1 and mdp.H > 1
            if stationary_P:
                P = np.broadcast_to(P, (mdp.H,) + P.shape[1:])
            self.gamma = _check_gamma(1.0 if gamma is None else gamma)
        elif isinstance(mdp, FiniteMDP):
            P, R, G = mdp.dense_P()[None], mdp.R[None], 1
            self.horizon = None
            if gamma is None and mdp.gamma is None:
                raise ValueError("the FiniteMDP has gamma=None (average reward); pass gamma=... in (0, 1]")
            self.gamma = _check_gamma(mdp.gamma if gamma is None else gamma)
        else:
            raise TypeError(f"mdp must be a FiniteMDP or an EpisodicMDP, got {type(mdp).__name__}")
        bad = (mdp.R < 0) | (mdp.R > 1)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"rewards must lie in [0, 1] for planning with KL confidence bounds; R{list(idx)} = "
                             f"{mdp.R[idx]:.6g}; rescale with (R - R.min()) / (R.max() - R.min())")
        self.S, self.K = mdp.S, mdp.A
        self.s0 = int(s0)
        if not 0 <= self.s0 < self.S:
            raise ValueError(f"s0 = {s0} is out of range 0..{self.S - 1}")
        self.reward_noise = _check_noise(reward_noise)
        flat = np.ascontiguousarray(P).reshape(G * self.S * self.K, self.S)
        support = flat > 0
        width = int(support.sum(axis=1).max())
        if B is None:
            B = width
        B = check_positive_int(B, "B")
        if B < width:
            raise ValueError(f"B = {B} is smaller than the largest support of a transition ({width} next states); "
                             f"give B >= {width}")
        self.B = B
        order = np.argsort(~support, axis=1, kind="stable")[:, :B]       # the support first, in state order
        nxt = order.astype(np.int64)
        probs = np.take_along_axis(flat, order, axis=1)
        cdf = np.cumsum(probs, axis=1)
        cdf[np.arange(len(cdf)), np.maximum(support.sum(axis=1) - 1, 0)] = 1.0
        cdf = np.where(np.arange(B)[None, :] >= support.sum(axis=1)[:, None], 1.0, cdf)
        last = np.take_along_axis(nxt, np.maximum(support.sum(axis=1) - 1, 0)[:, None], axis=1)
        nxt = np.where(np.arange(B)[None, :] >= support.sum(axis=1)[:, None], last, nxt)
        self._kernel = KernelModel(np.array([TABULAR, self.S, self.K, B, G, _NOISE[self.reward_noise]], np.int64),
                                   np.zeros(1, np.uint64), np.zeros(1), np.ascontiguousarray(nxt),
                                   np.ascontiguousarray(cdf), np.ascontiguousarray(np.asarray(R).reshape(-1)))

    def kernel(self) -> KernelModel:
        return self._kernel


class LazyGarnet(GenerativeModel):
    """The paper's random Garnet MDP, generated lazily from ``seed`` (see the module docstring).

    Parameters
    ----------
    S, K, B : int
        States, actions, next states per pair (``B >= 1``; drawn with replacement, so fewer distinct ones).
    reward_sparsity : float in [0, 1]
        Probability that a pair is rewarded (``r ~ U(0, 1)``; 0 otherwise).
    gamma : float in (0, 1]
    seed : int
        Same seed, same instance (on every backend and platform: the hash is exact integer arithmetic).
    s0 : int
        Root state (the official environment starts in state 0).
    """

    def __init__(self, S: int = 100_000, K: int = 5, B: int = 2, reward_sparsity: float = 0.5, gamma: float = 0.7,
                 seed: int = 0, s0: int = 0):
        self.S = check_positive_int(S, "S")
        self.K = check_positive_int(K, "K")
        self.B = check_positive_int(B, "B")
        if not 0.0 <= float(reward_sparsity) <= 1.0:
            raise ValueError(f"reward_sparsity must lie in [0, 1] (the fraction of rewarded pairs), got {reward_sparsity}")
        self.reward_sparsity = float(reward_sparsity)
        self.gamma = _check_gamma(gamma)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise TypeError(f"seed must be a non-negative int, got {seed!r}")
        self.seed = int(seed)
        self.s0 = int(s0)
        if not 0 <= self.s0 < self.S:
            raise ValueError(f"s0 = {s0} is out of range 0..{self.S - 1}")
        self.horizon = None
        self.reward_noise = "none"
        key = _splitmix_np(np.array([self.seed % 2**64], np.uint64))
        self._kernel = KernelModel(np.array([GARNET, self.S, self.K, self.B, 1, 0], np.int64), key,
                                   np.array([self.reward_sparsity]), np.zeros((0, self.B), np.int64),
                                   np.zeros((0, self.B)), np.zeros(0))

    def kernel(self) -> KernelModel:
        return self._kernel

    @classmethod
    def paper(cls, seed: int, **overrides) -> "LazyGarnet":
        """The paper's instance family (``S = 100,000``, ``K = 5``, ``B = 2``, sparsity 1/2, ``gamma = 0.7``)."""
        return cls(**{**PAPER_GARNET, **overrides}, seed=seed)


# ------------------------------------------------------------------------------------------- oracle
class GenerativeOracle:
    """A generative model that counts its calls and enforces a budget.

    Parameters
    ----------
    model : GenerativeModel
    budget : int, optional
        Maximal number of calls (``None``: unlimited).

    Examples
    --------
    >>> from mdptheory.generative import LazyGarnet
    >>> oracle = GenerativeOracle(LazyGarnet(S=1000, seed=3), budget=2)
    >>> r, s = oracle.sample(0, 0, 1, np.random.default_rng(0)); oracle.calls, oracle.remaining
    (1, 1)
    """

    def __init__(self, model: GenerativeModel, budget: int | None = None):
        if not isinstance(model, GenerativeModel):
            raise TypeError(f"model must be a mdptheory.generative.GenerativeModel (TabularModel, LazyGarnet), "
                            f"got {type(model).__name__}")
        self.model = model
        self.budget = None if budget is None else check_positive_int(budget, "budget")
        self.calls = 0

    @property
    def remaining(self) -> int | None:
        """Calls left before the budget (``None`` without a budget)."""
        return None if self.budget is None else self.budget - self.calls

    def charge(self, n: int) -> None:
        """Record ``n`` calls made by a planner's kernel (which was given :attr:`remaining`)."""
        if n < 0:
            raise ValueError(f"cannot charge {n} calls")
        if self.budget is not None and self.calls + n > self.budget:
            raise BudgetExhausted(f"{self.calls + n} calls exceed the budget of {self.budget}")
        self.calls += int(n)

    def sample(self, h: int, s: int, a: int, rng: int | np.random.Generator | None = None) -> tuple[float, int]:
        """One call: ``(r, s')`` at stage ``h`` for ``(s, a)``, from two uniforms of ``rng``."""
        m = self.model
        for name, val, hi in (("s", s, m.S), ("a", a, m.K)):
            if not 0 <= int(val) < hi:
                raise ValueError(f"{name} = {val} is out of range 0..{hi - 1}")
        if not 0 <= int(h) < (m.horizon if m.horizon is not None else np.iinfo(np.int64).max):
            raise ValueError(f"h = {h} is out of range 0..{m.horizon - 1}")
        if self.remaining is not None and self.remaining < 1:
            raise BudgetExhausted(f"the budget of {self.budget} calls is used up")
        u = as_generator(rng).random(2)
        r, s_next = model_step(*m.kernel(), int(h), int(s), int(a), float(u[0]), float(u[1]))
        self.calls += 1
        return float(r), int(s_next)

    def __repr__(self) -> str:
        return f"GenerativeOracle({self.model!r}, calls={self.calls}, budget={self.budget})"


# ------------------------------------------------------------------------------------- ground truth
def q_star(model: GenerativeModel, H: int, s0: int | None = None) -> np.ndarray:
    """Exact ``Q*_H(s0, .)`` (``(K,)``): the optimal expected sum of ``H`` rewards discounted by
    ``gamma^(h-1)``, by backward induction over the states reachable at each depth from ``s0``.

    Independent of the planners (vectorised NumPy over exact rows). Memory and time grow with the number of
    reachable states, at most ``min(S, (B K)^h)`` at depth ``h``.
    """
    H = model.check_depth(H)
    root = model.s0 if s0 is None else int(s0)
    K = model.K
    dense = model.S <= 50_000_000         # O(S) index maps beat hashing and sorting ~10x at the paper's sizes
    where = np.full(model.S, -1, np.int64) if dense else None
    levels = [np.array([root], np.int64)]
    for h in range(H - 1):
        states = levels[-1]
        nxt, probs, _ = model.rows(h, np.repeat(states, K), np.tile(np.arange(K), len(states)))
        reached = nxt[probs > 0]
        if dense:
            mark = np.zeros(model.S, bool)
            mark[reached] = True
            levels.append(np.flatnonzero(mark))
        else:
            levels.append(np.unique(reached))
    V_next = None
    for h in range(H - 1, -1, -1):
        states = levels[h]
        nxt, probs, reward = model.rows(h, np.repeat(states, K), np.tile(np.arange(K), len(states)))
        Q = reward.copy()
        if V_next is not None:
            nxt_level = levels[h + 1]
            if dense:
                where[nxt_level] = np.arange(len(nxt_level))
                idx = where[nxt]
            else:
                idx = np.minimum(np.searchsorted(nxt_level, nxt), len(nxt_level) - 1)
            Q += model.gamma * (probs * np.where(probs > 0, V_next[idx], 0.0)).sum(axis=1)
        Q = Q.reshape(len(states), K)
        V_next = Q.max(axis=1)
    return Q[0]


def truncated_q(model: GenerativeModel, iterations: int = 9, s0: int | None = None) -> np.ndarray:
    """The official scripts' ground truth: ``iterations`` Bellman iterations of ``Q`` from 0 at the root,
    i.e. the ``iterations``-step finite-horizon ``Q*`` (``int(3 / (1 - 0.7)) = 9`` in floating point)."""
    return q_star(model, iterations, s0)


def horizon_from_accuracy(eps: float, gamma: float) -> int:
    """``H = ceil(log(eps (1 - gamma) / 2) / log gamma)`` (rl-agents ``horizon_from_accuracy`` [C]): the depth
    at which the discounted tail ``gamma^H / (1 - gamma)`` is at most ``eps / 2``. ``gamma = 0.7``: eps 1 -> 6,
    2/3 -> 7, 1/2 -> 8, 1/3 -> 9, 1/5 -> 10."""
    if not eps > 0:
        raise ValueError(f"eps must be > 0 to derive a horizon from it, got {eps}")
    if not 0.0 < gamma < 1.0:
        raise ValueError(f"gamma must lie in (0, 1) to derive a horizon from eps, got {gamma}")
    return max(1, int(np.ceil(np.log(eps * (1.0 - gamma) / 2.0) / np.log(gamma))))
