"""Small d-rectangular linear MDPs and offline datasets for the offline/R2PVI tests."""
from __future__ import annotations

import numpy as np

from mdptheory import EpisodicMDP
from mdptheory.offline import collect_tabular, uniform_policy


def random_drect(H: int = 3, S: int = 4, A: int = 2, d: int = 3, seed: int = 0):
    """Random d-rectangular linear MDP: simplex features, factor distributions, theta in [0,1]^d.

    Returns (mdp, phi (S,A,d), mu (H,d,S), theta (H,d)).
    """
    rng = np.random.default_rng(seed)
    phi = rng.dirichlet(np.ones(d), size=(S, A))
    mu = rng.dirichlet(np.ones(S), size=(H, d))
    theta = rng.uniform(0, 1, (H, d))
    P = np.einsum("sad,hdt->hsat", phi, mu)
    R = np.einsum("sad,hd->hsa", phi, theta)
    return EpisodicMDP(P, R), phi, mu, theta


def dataset(mdp, phi, K: int, seed: int):
    return collect_tabular(mdp, phi, uniform_policy(mdp.H, mdp.S, mdp.A), K, seed)
