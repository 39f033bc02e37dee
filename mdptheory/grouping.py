r"""Action grouping: groupings, lower-level policies, the lifted MDP, its linear decomposition, the intra-group
dissimilarities and a nested family of groupings from a hierarchical clustering of the actions.

Li, Ju & Shroff (2024), "Achieving Sample and Computational Efficient Reinforcement Learning by Action Space
Reduction via Grouping", ICLR 2024, arXiv:2306.12981. Only the abstract and first page of the paper could be
read (spec ``gosprl_grouping_avgreward_lmdp.md`` section 0): the abstract states the model (actions partitioned
by the similarity of their transitions and rewards; a *linear decomposition model* of the intra-group
differences) and the trade-off; the concrete forms below are the spec's instantiation, section 3.2 [I], with
derived [D] statements, until the paper's definitions can be read.

Notation (section 3.2 of the spec):

- a **grouping** ``g`` partitions the ``A`` actions into ``G`` groups ``A_1 .. A_G``, possibly differently at
  every state (:class:`Grouping`; every action in exactly one group, every group non-empty);
- a **lower-level policy** ``h(a | s, i)``, supported on ``A_i`` (uniform by default), picks the concrete
  action inside the group the high-level policy chose (:func:`uniform_lower_level`, :func:`validate_lower_level`);
- the **lifted MDP** ``M_g = (S, [G], P_g, R_g, gamma)`` with ``P_g(.|s,i) = sum_{a in A_i} h(a|s,i) P(.|s,a)``,
  ``R_g(s,i) = sum_a h(a|s,i) R(s,a)`` (:func:`lift`), a :class:`~mdptheory.FiniteMDP` whose actions are groups;
  a high-level policy composed with ``h`` (:func:`compose`) has in ``M`` exactly its value in ``M_g``;
- the **linear decomposition** ``P(.|s,a) = P_g(.|s,g(s,a)) + Delta_P(.|s,a)``,
  ``R(s,a) = R_g(s,g(s,a)) + Delta_R(s,a)`` (:func:`decompose`): the group-level part plus intra-group residuals,
  which average to zero under ``h`` within every group;
- the **dissimilarities** ``eps_P = max_{s,a} ||Delta_P(.|s,a)||_1`` and ``eps_R = max_{s,a} |Delta_R(s,a)|``
  (:func:`dissimilarities`), and the pointwise combination ``max_{s,a} |Delta_R| + w ||Delta_P||_1`` with
  ``w = gamma / (2 (1 - gamma))`` that the approximation bound needs (``bounds/grouping.py``).

The nested family (:func:`nested_groupings`): complete-linkage clustering (SciPy) of the actions under the
distance ``d(a, b) = max_s |R(s,a) - R(s,b)| + w ||P(.|s,a) - P(.|s,b)||_1`` (:func:`action_distances`). A
complete-linkage cluster's merge height is its diameter, so the cut into ``G`` clusters has every pointwise
dissimilarity in ``[D_G / 2, D_G]`` with ``D_G`` the height of the ``(A - G)``-th merge, for every lower-level
policy (triangle inequality; derived [D]): the bound can be read off the dendrogram without touching the model.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist

from . import mutants
from .finite import FiniteMDP
from .policies import as_stochastic
from .validation import PROB_ATOL, as_float_array, check_distribution, check_positive_int, check_real

__all__ = ["Grouping", "uniform_lower_level", "validate_lower_level", "lift", "compose", "Decomposition",
           "decompose", "Dissimilarities", "dissimilarities", "action_distances", "NestedGroupings",
           "nested_groupings", "pointwise_weight"]

#: The lower-level policy spread uniformly over every action instead of over the chosen group's actions.
ALL_ACTIONS = mutants.register("grouping", "lower-level-all-actions",
                               "the default lower-level policy is uniform over all A actions, not within the group")
#: The transition dissimilarity measured in the Euclidean norm instead of L1 (twice the total variation).
L2_DISSIMILARITY = mutants.register("grouping", "dissimilarity-l2",
                                    "eps_P measured as max ||Delta_P||_2 instead of max ||Delta_P||_1 (2 x TV)")
#: The dendrogram cut one merge too far: G - 1 clusters when G are asked for.
CUT_OFF_BY_ONE = mutants.register("grouping", "cut-off-by-one",
                                  "the dendrogram is cut after A - G + 1 merges (G - 1 clusters) instead of A - G")


def _int_array(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer group labels, got dtype {arr.dtype}; e.g. "
                            f"{name} = np.array([0, 0, 1, 1]) puts actions 0, 1 in group 0 and 2, 3 in group 1")
    return arr.astype(np.int64, copy=False)


@dataclass(frozen=True, eq=False)
class Grouping:
    """A partition of the actions into ``G`` groups, the same at every state or one per state.

    Parameters
    ----------
    labels : int array (A,) or (S, A)
        ``labels[a]`` (or ``labels[s, a]``) is the group of action ``a`` (at state ``s``), in ``0 .. G-1``, with
        every group non-empty at every state. A label array cannot miss or repeat an action; build a grouping
        from explicit lists of actions with :meth:`from_groups`, which checks exactly that.

    Notes
    -----
    ``G`` is the number of groups (the same at every state: the lifted MDP's action set is ``[G]``).

    Examples
    --------
    >>> g = Grouping.from_groups([[0, 1], [2], [3, 4]], A=5)
    >>> g.G, g.labels.tolist(), [x.tolist() for x in g.groups()]
    (3, [0, 0, 1, 2, 2], [[0, 1], [2], [3, 4]])
    """

    labels: np.ndarray

    def __post_init__(self) -> None:
        lab = _int_array(self.labels, "labels")
        if lab.ndim not in (1, 2) or lab.shape[-1] < 1:
            raise ValueError(f"labels must have shape (A,) or (S, A) with A >= 1, got shape {lab.shape}")
        if lab.min() < 0:
            idx = tuple(int(i) for i in np.argwhere(lab < 0)[0])
            raise ValueError(f"labels{list(idx)} = {lab[idx]} is negative; group labels are 0 .. G-1")
        G = int(lab.max()) + 1
        rows = lab.reshape(-1, lab.shape[-1])
        used = np.zeros((rows.shape[0], G), dtype=bool)
        used[np.repeat(np.arange(rows.shape[0]), rows.shape[1]), rows.ravel()] = True
        if not used.all():
            r, i = (int(v) for v in np.argwhere(~used)[0])
            where = f" at state {r}" if lab.ndim == 2 else ""
            raise ValueError(f"group {i} is empty{where}: labels must use every group 0 .. G-1 = {G - 1} (at every "
                             f"state); relabel with labels = np.unique(labels, return_inverse=True)[1]")
        lab = np.ascontiguousarray(lab)
        lab.flags.writeable = False
        object.__setattr__(self, "labels", lab)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_groups(cls, groups: Sequence[Sequence[int]] | Sequence[Sequence[Sequence[int]]], A: int,
                    state_dependent: bool = False) -> "Grouping":
        """A grouping from explicit lists of actions, ``[[0, 1], [2, 3]]`` (or one such list per state with
        ``state_dependent=True``). Every action ``0 .. A-1`` must be in exactly one group: a missing or repeated
        action is an error naming it."""
        A = check_positive_int(A, "A")
        per_state = list(groups) if state_dependent else [groups]
        if state_dependent and not per_state:
            raise ValueError("groups is empty: give one list of groups per state")
        labels = np.empty((len(per_state), A), dtype=np.int64)
        G0 = None
        for s, gs in enumerate(per_state):
            where = f"groups[{s}]" if state_dependent else "groups"
            gs = list(gs)
            if G0 is not None and len(gs) != G0:
                raise ValueError(f"{where} has {len(gs)} groups but groups[0] has {G0}: a state-dependent grouping "
                                 "needs the same number of groups at every state (the lifted actions are 0 .. G-1)")
            G0 = len(gs)
            owner = np.full(A, -1, dtype=np.int64)
            for i, grp in enumerate(gs):
                acts = np.asarray(list(grp) if not np.isscalar(grp) else [grp]).ravel()
                if acts.size == 0:
                    raise ValueError(f"{where}[{i}] is empty: every group needs at least one action")
                if acts.dtype == bool or not np.issubdtype(acts.dtype, np.integer):
                    raise TypeError(f"{where}[{i}] must list integer actions, got {acts.tolist()!r}")
                bad = acts[(acts < 0) | (acts >= A)]
                if bad.size:
                    raise ValueError(f"{where}[{i}] holds action {int(bad[0])}, not an action of 0 .. A-1 = {A - 1}")
                for a in acts:
                    if owner[a] != -1:
                        other = "twice in the same group" if owner[a] == i else f"in groups {owner[a]} and {i}"
                        raise ValueError(f"action {int(a)} is {other} of {where}: every action must be in exactly "
                                         "one group")
                    owner[a] = i
            missing = np.flatnonzero(owner < 0)
            if missing.size:
                raise ValueError(f"actions {missing.tolist()} are in no group of {where}: every action 0 .. {A - 1} "
                                 "must be in exactly one group (add them to a group or as singletons)")
            labels[s] = owner
        return cls(labels if state_dependent else labels[0])

    @classmethod
    def singletons(cls, A: int) -> "Grouping":
        """Every action its own group (the lifted MDP is the original one)."""
        return cls(np.arange(check_positive_int(A, "A")))

    @classmethod
    def one_group(cls, A: int) -> "Grouping":
        """All actions in one group (the lifted MDP has one action: the lower-level policy)."""
        return cls(np.zeros(check_positive_int(A, "A"), dtype=np.int64))

    # ------------------------------------------------------------------ views
    @property
    def G(self) -> int:
        """Number of groups."""
        return int(self.labels.max()) + 1

    @property
    def A(self) -> int:
        """Number of actions."""
        return int(self.labels.shape[-1])

    @property
    def state_dependent(self) -> bool:
        return self.labels.ndim == 2

    def labels_at(self, S: int) -> np.ndarray:
        """``(S, A)`` labels (a state-independent grouping repeated; a state-dependent one checked against S)."""
        if self.state_dependent:
            if self.labels.shape[0] != S:
                raise ValueError(f"the grouping has labels for {self.labels.shape[0]} states but the MDP has S = {S}")
            return self.labels
        return np.broadcast_to(self.labels, (S, self.A))

    def groups(self, s: int = 0) -> list[np.ndarray]:
        """The actions of every group (at state ``s``), in increasing order."""
        lab = self.labels[s] if self.state_dependent else self.labels
        return [np.flatnonzero(lab == i) for i in range(self.G)]

    def sizes(self, S: int) -> np.ndarray:
        """``(S, G)`` number of actions per group and state."""
        lab = self.labels_at(S)
        out = np.zeros((S, self.G), dtype=np.int64)
        np.add.at(out, (np.repeat(np.arange(S), self.A), lab.ravel()), 1)
        return out

    def check_mdp(self, mdp: FiniteMDP) -> None:
        """Raise unless the grouping has the MDP's number of actions (and states, if state-dependent)."""
        if not isinstance(mdp, FiniteMDP):
            raise TypeError(f"mdp must be a mdptheory.FiniteMDP, got {type(mdp).__name__}")
        if self.A != mdp.A:
            raise ValueError(f"the grouping partitions A = {self.A} actions but the MDP has A = {mdp.A}")
        self.labels_at(mdp.S)

    def same_partition(self, other: "Grouping") -> bool:
        """Whether both groupings put the same actions together (labels may be permuted)."""
        a, b = np.atleast_2d(self.labels), np.atleast_2d(other.labels)
        if a.shape[-1] != b.shape[-1] or self.G != other.G:
            return False
        a, b = np.broadcast_arrays(a, b)
        for x, y in zip(a, b):
            pairs = np.unique(np.stack([x, y]), axis=1)
            if pairs.shape[1] != self.G:
                return False
        return True

    def __repr__(self) -> str:
        kind = "state-dependent" if self.state_dependent else "state-independent"
        return f"Grouping(G={self.G}, A={self.A}, {kind})"


# ---------------------------------------------------------------------------------------------- lower level
def uniform_lower_level(grouping: Grouping, S: int) -> np.ndarray:
    """The default lower-level policy ``h (S, G, A)``: uniform over the actions of the chosen group."""
    S = check_positive_int(S, "S")
    lab = grouping.labels_at(S)
    h = (lab[:, None, :] == np.arange(grouping.G)[None, :, None]).astype(np.float64)
    if ALL_ACTIONS.active:
        h = np.ones_like(h)
    return h / h.sum(axis=-1, keepdims=True)


def validate_lower_level(h: Any, grouping: Grouping, S: int, name: str = "h") -> np.ndarray:
    """Check a lower-level policy ``h[s, i, a] = h(a | s, i)`` of shape ``(S, G, A)``: probabilities, each row
    supported on its group's actions. Returns it as float64 (``None`` gives :func:`uniform_lower_level`)."""
    if h is None:
        return uniform_lower_level(grouping, S)
    arr = as_float_array(h, name, ndim=3)
    if arr.shape != (S, grouping.G, grouping.A):
        raise ValueError(f"{name} has shape {arr.shape}, expected (S, G, A) = ({S}, {grouping.G}, {grouping.A})")
    check_distribution(arr, name, PROB_ATOL)
    outside = (grouping.labels_at(S)[:, None, :] != np.arange(grouping.G)[None, :, None]) & (arr > 0)
    if outside.any():
        s, i, a = (int(v) for v in np.argwhere(outside)[0])
        raise ValueError(f"{name}[{s}, {i}, {a}] = {arr[s, i, a]:.6g} > 0 but action {a} is not in group {i} at state "
                         f"{s}: a lower-level policy picks actions inside the chosen group only")
    return arr


# ---------------------------------------------------------------------------------------------- lifted MDP
def _lifted_arrays(mdp: FiniteMDP, grouping: Grouping, h: np.ndarray) -> tuple[Any, np.ndarray]:
    S, A, G = mdp.S, mdp.A, grouping.G
    R_g = np.einsum("sia,sa->si", h, mdp.R)
    if mdp.is_sparse:
        rows = np.repeat(np.arange(S * G), A)
        cols = np.tile(np.arange(A), S * G) + np.repeat(np.arange(S) * A, G * A)
        Hmat = sp.csr_array((h.ravel(), (rows, cols)), shape=(S * G, S * A))
        Hmat.eliminate_zeros()
        P_g = sp.csr_array(Hmat @ mdp.P_flat)
        P_g.sum_duplicates()
        P_g.sort_indices()
    else:
        P_g = np.einsum("sia,sat->sit", h, mdp.P)
    return P_g, R_g


def lift(mdp: FiniteMDP, grouping: Grouping, h: Any = None) -> FiniteMDP:
    r"""The lifted MDP ``M_g`` over groups: ``P_g(.|s,i) = sum_a h(a|s,i) P(.|s,a)``, ``R_g(s,i) = sum_a h(a|s,i)
    R(s,a)``, the same ``gamma`` and ``mu0`` (spec section 3.2 [I]). A dense MDP gives a dense lifted kernel, a
    CSR one a CSR kernel. Singletons give back ``M``; one group gives the one-action MDP of ``h``'s policy."""
    grouping.check_mdp(mdp)
    h = validate_lower_level(h, grouping, mdp.S)
    P_g, R_g = _lifted_arrays(mdp, grouping, h)
    return FiniteMDP(P_g, R_g, mdp.gamma, mdp.mu0)


def compose(high_policy: Any, h: Any) -> np.ndarray:
    """The policy played in ``M``: ``pi(a | s) = sum_i pi_hi(i | s) h(a | s, i)``, stochastic ``(S, A)``.

    ``high_policy`` is a deterministic ``(S,)`` array of groups or a stochastic ``(S, G)`` one; ``h`` is ``(S, G,
    A)`` (see :func:`validate_lower_level`)."""
    h = np.asarray(h, dtype=np.float64)
    if h.ndim != 3:
        raise ValueError(f"h must have shape (S, G, A), got {h.shape}")
    S, G, _ = h.shape
    hi = as_stochastic(high_policy, S, G)
    return np.einsum("si,sia->sa", hi, h)


# ---------------------------------------------------------------------------------------------- decomposition
@dataclass(frozen=True, eq=False)
class Decomposition:
    """``P(.|s,a) = P_g(.|s, labels[s,a]) + delta_P[s,a]``, ``R(s,a) = R_g(s, labels[s,a]) + delta_R[s,a]``.

    ``P_g (S, G, S)``, ``R_g (S, G)`` (the lifted model), ``delta_P (S, A, S)``, ``delta_R (S, A)``, ``labels
    (S, A)``, ``h (S, G, A)``. The residuals sum to zero over next states and average to zero under ``h``
    within every group."""

    P_g: np.ndarray
    R_g: np.ndarray
    delta_P: np.ndarray
    delta_R: np.ndarray
    labels: np.ndarray
    h: np.ndarray

    def reconstruct(self) -> tuple[np.ndarray, np.ndarray]:
        """``(P, R)`` from the group-level part and the residuals."""
        S = self.labels.shape[0]
        s = np.arange(S)[:, None]
        return self.P_g[s, self.labels] + self.delta_P, self.R_g[s, self.labels] + self.delta_R


def decompose(mdp: FiniteMDP, grouping: Grouping, h: Any = None) -> Decomposition:
    """The linear decomposition of ``M`` into its lifted (group-level) part and intra-group residuals (dense,
    ``O(S^2 A)`` memory). Our reading of the paper's P1/P2 model (spec section 3.2 [I])."""
    grouping.check_mdp(mdp)
    h = validate_lower_level(h, grouping, mdp.S)
    P = mdp.dense_P()
    P_g = np.einsum("sia,sat->sit", h, P)
    R_g = np.einsum("sia,sa->si", h, mdp.R)
    lab = np.array(grouping.labels_at(mdp.S))
    s = np.arange(mdp.S)[:, None]
    return Decomposition(P_g, R_g, P - P_g[s, lab], mdp.R - R_g[s, lab], lab, h)


def pointwise_weight(gamma: float) -> float:
    """``w = gamma / (2 (1 - gamma))``: the weight of ``||Delta_P||_1`` against ``|Delta_R|`` in the approximation
    bound (``|Delta_P . V| <= ||Delta_P||_1 span(V) / 2`` and ``span(V*) <= 1 / (1 - gamma)`` for rewards in
    [0, 1])."""
    gamma = check_real(gamma, "gamma", low=0.0, high=1.0, high_open=True)
    return gamma / (2.0 * (1.0 - gamma))


@dataclass(frozen=True)
class Dissimilarities:
    """``eps_P = max ||Delta_P||_1``, ``eps_R = max |Delta_R|`` and ``pointwise = max_{s,a} |Delta_R| + w
    ||Delta_P||_1`` with ``w = gamma / (2 (1 - gamma))`` (``pointwise <= eps_R + w eps_P``)."""

    eps_P: float
    eps_R: float
    pointwise: float
    gamma: float


def dissimilarities(mdp: FiniteMDP, grouping: Grouping, h: Any = None) -> Dissimilarities:
    """The intra-group dissimilarities of ``grouping`` in ``mdp`` (spec section 3.2 [I]): the transition part is
    measured in L1 (twice the total variation)."""
    if mdp.gamma is None:
        raise ValueError("dissimilarities need a discounted MDP (gamma in [0, 1)); the pointwise weight uses gamma")
    d = decompose(mdp, grouping, h)
    if L2_DISSIMILARITY.active:
        dp = np.sqrt((d.delta_P ** 2).sum(axis=-1))
    else:
        dp = np.abs(d.delta_P).sum(axis=-1)
    dr = np.abs(d.delta_R)
    w = pointwise_weight(mdp.gamma)
    return Dissimilarities(float(dp.max()), float(dr.max()), float((dr + w * dp).max()), float(mdp.gamma))


# ---------------------------------------------------------------------------------------------- clustering
def action_distances(P: Any, R: Any, weight: float) -> np.ndarray:
    """Condensed (``scipy.spatial.distance`` layout) distances ``d(a, b) = max_s |R(s,a) - R(s,b)| + weight
    ||P(.|s,a) - P(.|s,b)||_1`` between actions, from ``P (S, A, S)`` and ``R (S, A)`` (the model's, or estimates
    from a pilot sample). Cost ``O(S^2 A^2)`` time, ``O(A^2)`` memory."""
    P = as_float_array(P, "P", ndim=3)
    R = as_float_array(R, "R", ndim=2)
    if P.shape[:2] != R.shape:
        raise ValueError(f"P has shape {P.shape} and R {R.shape}: expected (S, A, S) and (S, A)")
    weight = check_real(weight, "weight", low=0.0)
    S, A = R.shape
    d = np.zeros(A * (A - 1) // 2)
    for s in range(S):  # one C-level pdist per state: the max over states of per-state L1 distances
        X = np.concatenate([R[s][:, None], weight * P[s]], axis=1)
        np.maximum(d, pdist(X, "cityblock"), out=d)
    return d


@dataclass(frozen=True, eq=False)
class NestedGroupings:
    """The nested family of cuts of a complete-linkage dendrogram of the actions.

    ``Z`` is SciPy's linkage matrix ``(A - 1, 4)``; :meth:`cut` gives the grouping into ``G`` clusters (the first
    ``A - G`` merges) and :meth:`height` the diameter ``D_G`` bounding every cluster of that cut (0 for ``G = A``).
    ``weight`` is the ``w`` of :func:`action_distances` the dendrogram was built with."""

    Z: np.ndarray
    weight: float

    @property
    def A(self) -> int:
        return int(self.Z.shape[0]) + 1

    def _check_G(self, G: Any) -> int:
        G = check_positive_int(G, "G")
        if G > self.A:
            raise ValueError(f"G = {G} exceeds the number of actions A = {self.A}")
        return G

    def height(self, G: int) -> float:
        """``D_G``: the largest merge height among the first ``A - G`` merges (complete linkage: the largest cluster
        diameter of the cut), ``0`` for ``G = A``."""
        G = self._check_G(G)
        return 0.0 if G == self.A else float(self.Z[self.A - G - 1, 2])

    def heights(self) -> np.ndarray:
        """``(A,)`` array of ``D_G`` for ``G = 1 .. A``."""
        return np.concatenate([self.Z[::-1, 2], [0.0]])

    def cut(self, G: int) -> Grouping:
        """The grouping into exactly ``G`` clusters: the first ``A - G`` merges of ``Z`` replayed (``O(A)`` list
        operations; SciPy's ``cut_tree`` gives the same partition in ``O(A^2)``). Groups are numbered by their
        smallest action."""
        G = self._check_G(G)
        n = max(1, G - 1) if CUT_OFF_BY_ONE.active else G
        A = self.A
        members: dict[int, list[int]] = {a: [a] for a in range(A)}
        for k in range(A - n):
            members[A + k] = members.pop(int(self.Z[k, 0])) + members.pop(int(self.Z[k, 1]))
        labels = np.empty(A, dtype=np.int64)
        for i, m in enumerate(sorted(members.values(), key=min)):
            labels[m] = i
        return Grouping(labels)


def nested_groupings(P: Any, R: Any, weight: float) -> NestedGroupings:
    """Complete-linkage clustering (``scipy.cluster.hierarchy.linkage``) of the actions under
    :func:`action_distances`; complete linkage makes every merge height the merged cluster's diameter."""
    R = as_float_array(R, "R", ndim=2)
    if R.shape[1] < 2:
        raise ValueError(f"a dendrogram needs at least 2 actions, got A = {R.shape[1]}")
    d = action_distances(P, R, weight)
    Z = hierarchy.linkage(d, method="complete")
    Z.flags.writeable = False
    return NestedGroupings(Z, float(weight))
