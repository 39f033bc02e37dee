"""Environments: functions returning models."""
from .classic import chain, riverswim
from .garnet import garnet
from .gridworld import MOVES, gridworld, gridworld_cells
from .gym import from_gymnasium
from .two_state import two_state_escape
from .linear_tabular import linear_riverswim, one_hot_linear
from .linear_sim import simulated_linear_mdp, simulated_linear_mdp_actions; from .american_put import american_put  # noqa: E702

__all__ = ["gridworld", "gridworld_cells", "MOVES", "riverswim", "chain", "garnet", "from_gymnasium", "two_state_escape",
           "one_hot_linear", "linear_riverswim"]
