"""Environments: functions returning models."""
from .classic import chain, riverswim
from .garnet import garnet
from .gridworld import MOVES, gridworld, gridworld_cells
from .grouped import hierarchical_actions, hierarchical_grouping, reward_twins, transition_fork
from .gym import from_gymnasium
from .nroom import NRoomLayout, nroom, nroom_layout
from .alt21 import alt21_gridworld, double_chain
from .two_state import two_state_escape
from .latent import hidden_arm_lmdp, misleading_lmdp, noisy_lmdp, random_lmdp
from .reset_chain import reset_chain
from .linear_tabular import linear_riverswim, one_hot_linear
from .linear_sim import simulated_linear_mdp, simulated_linear_mdp_actions; from .american_put import american_put  # noqa: E702

__all__ = ["gridworld", "gridworld_cells", "MOVES", "riverswim", "chain", "garnet", "from_gymnasium", "two_state_escape",
           "hierarchical_actions", "hierarchical_grouping", "transition_fork", "reward_twins", "reset_chain",
           "random_lmdp", "noisy_lmdp", "misleading_lmdp", "hidden_arm_lmdp", "one_hot_linear", "linear_riverswim",
           "nroom", "nroom_layout", "NRoomLayout", "double_chain", "alt21_gridworld"]
