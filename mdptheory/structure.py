r"""MDP structure for the average-reward criterion: a policy's chain, the classification of a model
(communicating, ergodic, unichain) and the uniform mixing quantities over deterministic policies.

The average-reward criterion is a :class:`~mdptheory.FiniteMDP` with ``gamma=None`` (the flag every
average-reward planner checks, :func:`average_reward_model`). Definitions (Puterman 1994, section 8.3.1):

- **communicating**: every state reaches every other under some policy (the union of the supports of all
  actions is strongly connected); equivalently the diameter is finite;
- **ergodic** (recurrent): every deterministic stationary policy's chain is irreducible;
- **unichain**: every deterministic stationary policy's chain has a single recurrent class (transient states
  allowed). Deciding it is NP-hard in general (Tsitsiklis 2007), so :func:`classify` enumerates the ``A^S``
  policies only up to ``max_policies`` and otherwise answers ``None`` unless a cheap certificate decides.

The uniform ``t_mix`` and ``t_minorize`` of Wang, Blanchet & Glynn (2024, arXiv:2310.08833, section 2) are
maxima over the deterministic stationary policies; :func:`uniform_mixing` enumerates them and refuses above
``max_policies`` (a stated size, default ``100_000``).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from . import mutants
from .finite import FiniteMDP
from .markov import minorization, recurrent_classes, t_mix
from .policies import validate_policy

__all__ = ["average_reward_model", "policy_chain", "deterministic_policies", "ModelClass", "classify",
           "UniformMixing", "uniform_mixing", "MAX_POLICIES"]

#: Largest number of deterministic policies the enumerations visit before refusing.
MAX_POLICIES = 100_000

UNIFORM_MIN = mutants.register("mixing", "uniform-min",
                               "the uniform t_mix / t_minorize taken as the min over policies instead of the max")


def average_reward_model(mdp: FiniteMDP, solver: str) -> FiniteMDP:
    """Return ``mdp`` if it is an average-reward :class:`FiniteMDP` (``gamma=None``), else raise naming the fix."""
    if not isinstance(mdp, FiniteMDP):
        raise TypeError(f"{solver} needs an average-reward mdptheory.FiniteMDP (gamma=None), got {type(mdp).__name__}")
    if mdp.gamma is not None:
        raise ValueError(f"{solver} solves the average-reward criterion but this FiniteMDP is discounted "
                         f"(gamma={mdp.gamma}); pass mdp.with_gamma(None) to mean average reward, or use a "
                         "discounted planner (solvers.value_iteration)")
    return mdp


def policy_chain(mdp: FiniteMDP, policy) -> tuple[np.ndarray, np.ndarray]:
    """``(P_pi (S, S) dense, r_pi (S,))`` of a deterministic ``(S,)`` or stochastic ``(S, A)`` stationary policy."""
    pol = validate_policy(policy, mdp.S, mdp.A)
    P = mdp.dense_P()
    if pol.ndim == 1:
        s = np.arange(mdp.S)
        return np.array(P[s, pol]), np.array(mdp.R[s, pol])
    return np.einsum("sa,sat->st", pol, P), (pol * mdp.R).sum(axis=1)


def _check_count(mdp: FiniteMDP, max_policies: int, what: str) -> None:
    count = mdp.A ** mdp.S
    if count > max_policies:
        raise ValueError(f"{what} enumerates all A^S = {mdp.A}^{mdp.S} = {count:.3g} deterministic policies, above "
                         f"max_policies={max_policies}; use a smaller model or pass a larger max_policies")


def deterministic_policies(mdp: FiniteMDP, max_policies: int = MAX_POLICIES) -> Iterator[np.ndarray]:
    """Every deterministic stationary policy ``(S,) int64`` (lexicographic), refusing above ``max_policies``."""
    _check_count(mdp, max_policies, "deterministic_policies")
    for pi in itertools.product(range(mdp.A), repeat=mdp.S):
        yield np.array(pi, dtype=np.int64)


# ------------------------------------------------------------------------------------ classification
def _closable(P_flat: sp.csr_array, S: int, A: int, inside: np.ndarray) -> np.ndarray:
    """Greatest subset of ``inside`` that some policy keeps closed: repeatedly drop the states none of whose
    actions keeps all its mass inside the set."""
    C = inside.copy()
    while True:
        out_mass = P_flat @ (~C).astype(np.float64)          # (S*A,) probability of leaving C
        stays = (out_mass <= 0.0).reshape(S, A).any(axis=1)
        new = C & stays
        if (new == C).all():
            return C
        C = new


@dataclass(frozen=True)
class ModelClass:
    """The chain structure of an MDP (see the module docstring for the definitions)."""

    communicating: bool
    ergodic: bool
    unichain: bool | None          #: ``None``: undecided (too many policies to enumerate, no certificate)
    multichain_policy: np.ndarray | None = None   #: a policy with several recurrent classes, if one was found

    @property
    def summary(self) -> str:
        uni = {True: "unichain", False: "multichain", None: "unichain undecided"}[self.unichain]
        return f"{'ergodic' if self.ergodic else 'not ergodic'}, {uni}, " \
               f"{'communicating' if self.communicating else 'not communicating'}"


def classify(mdp: FiniteMDP, max_policies: int = MAX_POLICIES) -> ModelClass:
    """Communicating / ergodic / unichain classification of ``mdp`` (its ``gamma`` is ignored).

    Communicating and ergodic are decided in polynomial time: ergodic iff for every state ``x`` no policy can
    keep a nonempty set avoiding ``x`` closed (the greatest such closable set is empty). Unichain: ``True`` if
    ergodic; ``False`` with a witness policy if two disjoint closable sets exist; otherwise by enumerating the
    ``A^S`` deterministic policies when there are at most ``max_policies``, else ``None``.
    """
    S, A = mdp.S, mdp.A
    P_flat = sp.csr_array(mdp.P_flat)
    union = _union_graph(P_flat, S, A)
    n_scc, _ = connected_components(union, directed=True, connection="strong")
    communicating = n_scc == 1
    ergodic, witness = True, None
    all_states = np.ones(S, dtype=bool)
    for x in range(S):
        avoid = all_states.copy()
        avoid[x] = False
        G = _closable(P_flat, S, A, avoid)
        if G.any():
            ergodic = False
            H = _closable(P_flat, S, A, ~G)   # a second closable set disjoint from G
            if H.any() and witness is None:
                witness = _closing_policy(P_flat, S, A, G, H)
    if ergodic:
        return ModelClass(communicating, True, True)
    if witness is not None:
        return ModelClass(communicating, False, False, witness)
    if A ** S > max_policies:
        return ModelClass(communicating, False, None)
    for pi in deterministic_policies(mdp, max_policies):
        P_pi = P_flat[np.arange(S) * A + pi].toarray()
        if len(recurrent_classes(P_pi)) > 1:
            return ModelClass(communicating, False, False, pi)
    return ModelClass(communicating, False, True)


def _union_graph(P_flat: sp.csr_array, S: int, A: int) -> sp.csr_array:
    """``(S, S)`` adjacency: ``s -> s'`` if some action moves there with positive probability."""
    rows = np.repeat(np.arange(S * A) // A, np.diff(P_flat.indptr))
    keep = P_flat.data > 0
    return sp.csr_array((np.ones(int(keep.sum())), (rows[keep], P_flat.indices[keep])), shape=(S, S))


def _closing_policy(P_flat: sp.csr_array, S: int, A: int, *sets: np.ndarray) -> np.ndarray:
    """A policy keeping each of the given disjoint closable sets closed (action 0 elsewhere)."""
    pi = np.zeros(S, dtype=np.int64)
    for C in sets:
        out = (P_flat @ (~C).astype(np.float64)).reshape(S, A)
        for s in np.flatnonzero(C):
            pi[s] = int(np.flatnonzero(out[s] <= 0.0)[0])
    return pi


# ------------------------------------------------------------------------------------ uniform mixing
@dataclass(frozen=True)
class UniformMixing:
    """Uniform mixing quantities over the deterministic stationary policies, with the maximisers."""

    t_mix: float
    t_minorize: float
    t_mix_policy: np.ndarray
    t_minorize_policy: np.ndarray
    policies: int


def uniform_mixing(mdp: FiniteMDP, max_policies: int = MAX_POLICIES) -> UniformMixing:
    """``t_mix = max_pi t_mix(P_pi)`` and ``t_minorize = max_pi t_minorize(P_pi)`` over all ``A^S``
    deterministic stationary policies (Wang, Blanchet & Glynn 2024, section 2; spec section 1), by enumeration;
    refuses above ``max_policies``. A policy whose chain is not uniformly ergodic makes the value ``inf``."""
    pick = min if UNIFORM_MIN.active else max
    best_mix, best_min = None, None
    count = 0
    for pi in deterministic_policies(mdp, max_policies):
        P_pi, _ = policy_chain(mdp, pi)
        count += 1
        classes = recurrent_classes(P_pi)
        tm = t_mix(P_pi) if len(classes) == 1 else math.inf
        tn = minorization(P_pi)[0] if len(classes) == 1 else math.inf
        if best_mix is None or pick(tm, best_mix[0]) != best_mix[0]:
            best_mix = (tm, pi)
        if best_min is None or pick(tn, best_min[0]) != best_min[0]:
            best_min = (tn, pi)
    return UniformMixing(best_mix[0], best_min[0], best_mix[1], best_min[1], count)
