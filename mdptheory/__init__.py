"""mdptheory: models, environments, sampling and the results store.

The exact planners live in :mod:`solvers`, the theorems in :mod:`bounds`, the experiments in
:mod:`experiments` and the figures in :mod:`paper_figs`.
"""
from ._numba_cache import configure as _configure_numba_cache

_configure_numba_cache()  # before any kernel is compiled: a cache keyed by the kernels' sources (see the module)

from .episodic import EpisodicMDP  # noqa: E402
from .finite import FiniteMDP  # noqa: E402
from .grouping import Grouping  # noqa: E402
from .latent import LatentMDP  # noqa: E402
from .linear import LinearMDP, random_d_rectangular  # noqa: E402
from .uncertainty import TV, KL, ChiSquare  # noqa: E402
from .policies import as_stochastic, validate_policy  # noqa: E402
from .validation import as_generator  # noqa: E402

__all__ = ["FiniteMDP", "EpisodicMDP", "Grouping", "LatentMDP", "as_stochastic", "validate_policy", "as_generator"]
__version__ = "0.1.0"
