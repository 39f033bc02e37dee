r"""Episodic linear MDPs and their d-rectangular (simplex-feature) special case.

A linear MDP (Jin, Yang, Wang & Jordan 2020) has a known feature map ``phi(s, a) in R^d`` with

.. math::  P_h(s' \mid s, a) = \langle \phi(s, a), \mu_h(s') \rangle, \qquad
           r_h(s, a) = \langle \phi(s, a), \theta_h \rangle .

It is *d-rectangular-ready* (the "simplex feature" linear MDP of spec ``r2pvi_drrpo.md`` section 1.1,
Liu & Xu 2024 and Tang, Liu & Xu 2025) when ``phi(s, a)`` lies in the probability simplex and every
factor ``mu_{h,i}`` is a probability distribution over next states; then
``P_h(.|s, a) = sum_i phi_i(s, a) mu_{h,i}`` is a mixture of ``d`` latent factor distributions and the
d-rectangular uncertainty sets perturb each factor ``mu_{h,i}`` separately.

Stages are 0-based (``h = 0..H-1``), the papers' ``h = 1..H``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .episodic import EpisodicMDP
from .validation import (PROB_ATOL, as_float_array, as_generator, check_distribution, check_positive_int, check_real,
                         check_shape)

__all__ = ["LinearMDP", "random_d_rectangular"]


@dataclass(frozen=True, eq=False)
class LinearMDP:
    r"""Episodic linear MDP ``P_h(s'|s,a) = phi(s,a) . mu_h(s')``, ``r_h(s,a) = phi(s,a) . theta_h``.

    Parameters
    ----------
    phi : ndarray (S, A, d)
        Feature map, ``phi[s, a, i] = phi_i(s, a)``.
    mu : ndarray (H, d, S)
        ``mu[h, i, s'] = mu_{h,i}(s')``, the i-th next-state factor at stage ``h`` (0-based).
        In the d-rectangular case each ``mu[h, i, :]`` is a probability vector.
    theta : ndarray (H, d)
        Reward parameters, ``r_h(s, a) = phi(s, a) . theta[h]``.
    mu0 : ndarray (S,), optional
        Initial-state distribution (default uniform), as in :class:`mdptheory.EpisodicMDP`.
    atol : float
        Tolerance for the probability checks.

    Notes
    -----
    Construction validates shapes, finiteness, and that every induced row ``P_h(.|s, a)`` is a
    probability vector (the defining property of a linear MDP). The d-rectangular structure is checked
    separately by :meth:`check_d_rectangular` because a general linear MDP may have signed ``mu``.

    Examples
    --------
    >>> import numpy as np
    >>> m = random_d_rectangular(S=4, A=2, d=3, H=2, rng=0)
    >>> m.check_d_rectangular() is m
    True
    >>> m.to_tabular().P.shape
    (2, 4, 2, 4)
    """

    phi: np.ndarray
    mu: np.ndarray
    theta: np.ndarray
    mu0: np.ndarray | None = None
    atol: float = field(default=PROB_ATOL, repr=False)

    def __post_init__(self) -> None:
        phi = as_float_array(self.phi, "phi", ndim=3)
        S, A, d = phi.shape
        if min(S, A, d) < 1:
            raise ValueError(f"phi has shape {phi.shape}: need S, A, d >= 1 (phi is (S, A, d))")
        mu = as_float_array(self.mu, "mu", ndim=3)
        H = mu.shape[0]
        if H < 1:
            raise ValueError(f"mu has shape {mu.shape}: the horizon H (first axis) must be >= 1")
        check_shape(mu, (H, d, S), "mu", f"phi has shape (S, A, d) = {phi.shape} so mu must be (H, d, S)")
        theta = as_float_array(self.theta, "theta", ndim=2)
        check_shape(theta, (H, d), "theta", f"mu has H = {H} stages and phi has d = {d} features")
        mu0 = np.full(S, 1.0 / S) if self.mu0 is None else as_float_array(self.mu0, "mu0", ndim=1)
        check_shape(mu0, (S,), "mu0")
        check_distribution(mu0, "mu0", self.atol)
        P = np.einsum("sai,hit->hsat", phi, mu, optimize=True)
        try:
            check_distribution(P, "P", self.atol)
        except ValueError as exc:
            raise ValueError(
                f"phi . mu is not a transition kernel: {exc} (P[h, s, a, :] = phi[s, a] @ mu[h]); "
                "a linear MDP needs every phi(s,a) . mu_h(.) to be a probability vector"
            ) from None
        for name, value in (("phi", phi), ("mu", mu), ("theta", theta), ("mu0", mu0)):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    # -- sizes -----------------------------------------------------------------------------------
    @property
    def S(self) -> int:
        """Number of states."""
        return self.phi.shape[0]

    @property
    def A(self) -> int:
        """Number of actions."""
        return self.phi.shape[1]

    @property
    def d(self) -> int:
        """Feature dimension (number of latent factors)."""
        return self.phi.shape[2]

    @property
    def H(self) -> int:
        """Horizon."""
        return self.mu.shape[0]

    # -- derived quantities ----------------------------------------------------------------------
    @property
    def P(self) -> np.ndarray:
        """Transition kernel ``(H, S, A, S)``: ``P[h, s, a, s'] = phi[s, a] . mu[h, :, s']`` (a new array)."""
        return np.einsum("sai,hit->hsat", self.phi, self.mu, optimize=True)

    @property
    def R(self) -> np.ndarray:
        """Rewards ``(H, S, A)``: ``R[h, s, a] = phi[s, a] . theta[h]`` (a new array)."""
        return np.einsum("sai,hi->hsa", self.phi, self.theta, optimize=True)

    def to_tabular(self) -> EpisodicMDP:
        """The same model as an :class:`mdptheory.EpisodicMDP` (``P (H,S,A,S)``, ``R (H,S,A)``, ``mu0``)."""
        P = np.clip(self.P, 0.0, None)  # remove -1e-17 round-off of phi . mu
        P /= P.sum(axis=-1, keepdims=True)
        return EpisodicMDP(P, self.R, self.mu0, atol=self.atol)

    @property
    def is_d_rectangular(self) -> bool:
        """Whether :meth:`check_d_rectangular` passes."""
        try:
            self.check_d_rectangular()
        except ValueError:
            return False
        return True

    def check_d_rectangular(self) -> "LinearMDP":
        r"""Check the simplex-feature structure needed by d-rectangular robust sets; return ``self``.

        Requires ``phi_i(s, a) >= 0``, ``sum_i phi_i(s, a) = 1`` and every factor ``mu[h, i, :]`` a
        probability vector (spec section 1.1). Raises ``ValueError`` naming the first offending entry.
        """
        tol = self.atol
        neg = self.phi < -tol
        if neg.any():
            s, a, i = (int(x) for x in np.argwhere(neg)[0])
            raise ValueError(
                f"not d-rectangular: phi[{s}, {a}, {i}] = {self.phi[s, a, i]:.6g} is negative; d-rectangular "
                "linear MDPs need simplex features (phi >= 0, sum_i phi_i(s,a) = 1)"
            )
        sums = self.phi.sum(axis=-1)
        bad = np.abs(sums - 1.0) > tol
        if bad.any():
            s, a = (int(x) for x in np.argwhere(bad)[0])
            raise ValueError(
                f"not d-rectangular: phi[{s}, {a}, :] sums to {sums[s, a]:.10g}, expected 1 (atol {tol:g}); "
                "d-rectangular linear MDPs need simplex features — normalise phi[s, a] (and rescale mu "
                "and theta accordingly) if that is what you intended"
            )
        try:
            check_distribution(self.mu, "mu", tol)
        except ValueError as exc:
            raise ValueError(
                f"not d-rectangular: {exc}; every factor mu[h, i, :] must be a probability distribution"
            ) from None
        return self

    def with_mu(self, mu: np.ndarray) -> "LinearMDP":
        """The same features, rewards and ``mu0`` with other factors ``mu (H, d, S)`` (e.g. a worst case)."""
        return LinearMDP(self.phi, mu, self.theta, self.mu0, atol=self.atol)


def random_d_rectangular(S: int, A: int, d: int, H: int, rng=None, *, feature_concentration: float = 1.0,
                         factor_concentration: float = 1.0, factor_support: int | None = None,
                         mu0: np.ndarray | None = None) -> LinearMDP:
    """A random d-rectangular linear MDP (for tests and benchmarks).

    Parameters
    ----------
    S, A, d, H : int
        States, actions, features (latent factors), horizon.
    rng : int, numpy.random.Generator or None
        Seed or generator (:func:`mdptheory.validation.as_generator`).
    feature_concentration, factor_concentration : float
        Dirichlet concentrations of ``phi(s, a)`` and of the factors ``mu_{h,i}`` (small = peaked).
    factor_support : int, optional
        If given, each factor is supported on this many random states (zero elsewhere), which makes
        KL / chi-square sets (support-restricted) differ from TV.
    mu0 : ndarray (S,), optional

    Returns
    -------
    LinearMDP
        ``phi ~ Dirichlet``, ``mu_{h,i} ~ Dirichlet``, ``theta ~ U[0, 1]^{H x d}`` so rewards lie in [0, 1].
    """
    S, A, d, H = (check_positive_int(v, n) for v, n in ((S, "S"), (A, "A"), (d, "d"), (H, "H")))
    feature_concentration, factor_concentration = (
        check_real(c, name, low=0.0, low_open=True) for name, c in
        (("feature_concentration", feature_concentration), ("factor_concentration", factor_concentration)))
    rng = as_generator(rng)
    phi = rng.dirichlet(np.full(d, feature_concentration), size=(S, A))
    mu = rng.dirichlet(np.full(S, factor_concentration), size=(H, d))
    if factor_support is not None:
        k = check_positive_int(factor_support, "factor_support")
        if k > S:
            raise ValueError(f"factor_support = {k} exceeds S = {S}")
        mask = np.zeros((H, d, S), dtype=bool)
        for h in range(H):
            for i in range(d):
                mask[h, i, rng.choice(S, size=k, replace=False)] = True
        mu = np.where(mask, mu + 1e-3, 0.0)
        mu /= mu.sum(axis=-1, keepdims=True)
    theta = rng.uniform(0.0, 1.0, size=(H, d))
    return LinearMDP(phi, mu, theta, mu0)
