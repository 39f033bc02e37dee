"""Environments: functions returning models."""
from .classic import chain, riverswim
from .garnet import garnet
from .gridworld import MOVES, gridworld, gridworld_cells
from .gym import from_gymnasium

__all__ = ["gridworld", "gridworld_cells", "MOVES", "riverswim", "chain", "garnet", "from_gymnasium"]
