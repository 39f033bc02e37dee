r"""rlberry's ``NRoom`` grid-world (the RF-Express experiment, Ménard et al. 2021, Section 6).

``nrooms`` square rooms of ``room_size x room_size`` cells, separated by one-cell walls, at most five rooms per
row of rooms, visited in *snake* order (row 0 left to right, row 1 right to left, ...). Every vertical wall
between two rooms of a row has a one-cell door in its middle row; consecutive rows of rooms are joined by a
single door through the horizontal wall, below the last room of the upper row (the snake's turn: the right
end of row 0, the left end of row 1, ...). Room slots of the last row beyond ``nrooms`` are filled with wall,
together with the ring of cells around them (so the doors into them disappear). The agent starts at the centre
of room ``nrooms // 2`` (snake order, 0-based): the central room of the 15-room layout.

The rule is rlberry's ``NRoom(nrooms, room_size=5, success_probability=0.95, remove_walls=False)`` as the
RF-Express code builds it (``rl_fast_active_learning: config/env_rf_constructor.py``, rlberry v0.1,
``rlberry/envs/benchmarks/grid_exploration/nroom.py``), re-implemented from its description, with the
transitions of rlberry's ``GridWorld`` (:func:`mdptheory.envs.gridworld`): the intended neighbour with
probability ``success_prob`` and each other valid neighbour with ``(1 - success_prob) / (n_valid - 1)``; a move
into a wall or off the grid stays put. Actions 0..3 are left, right, down, up (the order of rlberry v0.1 and of
the RF-Express plotting code).

Rewards (ignored by the reward-free explorers): 1.0 at the centre of the last room, 0.1 at the centre of the
first room, 0.01 at the start, received for every step spent in the cell, as in rlberry. rlberry also flags the
last room's centre terminal; the exploration code ignores ``done`` and always plays ``H`` steps, so the
episodic model here has no terminal state.

The paper's layout, ``nroom()``: 15 rooms in 3 rows of 5, a 17 x 29 grid, ``S = 389`` free cells (375 room
cells and 14 doors), start ``(8, 14)``. Five rooms give 129 states, seven 181.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..episodic import EpisodicMDP
from ..finite import FiniteMDP
from ..validation import check_positive_int, check_real
from .gridworld import gridworld

__all__ = ["nroom", "nroom_layout", "NRoomLayout"]

#: rlberry's NRoom puts at most this many rooms in a row.
MAX_ROOMS_PER_ROW = 5


@dataclass(frozen=True)
class NRoomLayout:
    """Geometry of an ``NRoom`` grid (cells are ``(row, col)``; states are the free cells in row-major order).

    Attributes
    ----------
    nrows, ncols : int
        Grid size, walls included.
    walls : frozenset of (row, col)
    doors : tuple of (row, col)
        The free cells inside wall rows/columns (vertical doors, then the turns), sorted.
    start, goal, first : (row, col)
        Centre of room ``nrooms // 2`` (the start), of the last room (reward 1) and of the first (reward 0.1).
    rooms : tuple of (room_row, room_col)
        The rooms in snake order.
    """

    nrows: int
    ncols: int
    walls: frozenset
    doors: tuple
    start: tuple
    goal: tuple
    first: tuple
    rooms: tuple

    @property
    def cells(self) -> list[tuple[int, int]]:
        """``(row, col)`` of every state (free cells, row-major)."""
        return [(r, c) for r in range(self.nrows) for c in range(self.ncols) if (r, c) not in self.walls]

    def ascii(self) -> str:
        """The map: ``#`` wall, ``.`` room cell, ``D`` door, ``S`` start, ``G`` goal, ``F`` first room's centre."""
        marks = {self.start: "S", self.goal: "G", self.first: "F"}
        doors = set(self.doors)
        lines = []
        for r in range(self.nrows):
            row = ""
            for c in range(self.ncols):
                cell = (r, c)
                row += "#" if cell in self.walls else marks.get(cell, "D" if cell in doors else ".")
            lines.append(row)
        return "\n".join(lines)


def nroom_layout(nrooms: int = 15, room_size: int = 5) -> NRoomLayout:
    """The walls, doors and special cells of rlberry's ``NRoom(nrooms, room_size)`` (see the module docstring)."""
    nrooms = check_positive_int(nrooms, "nrooms")
    L = check_positive_int(room_size, "room_size")
    room_rows = -(-nrooms // MAX_ROOMS_PER_ROW)
    room_cols = MAX_ROOMS_PER_ROW if room_rows > 1 else nrooms
    nrows, ncols = L * room_rows + room_rows - 1, L * room_cols + room_cols - 1
    mid = L // 2

    def cell(room_r: int, room_c: int, i: int, j: int) -> tuple[int, int]:
        return room_r * (L + 1) + i, room_c * (L + 1) + j

    walls: set[tuple[int, int]] = set()
    for k in range(room_cols - 1):          # vertical walls, a door in the middle row of every room row
        col = (k + 1) * (L + 1) - 1
        walls.update((r, col) for r in range(nrows) if r % (L + 1) != mid)
    for k in range(room_rows - 1):          # horizontal walls, full
        row = (k + 1) * (L + 1) - 1
        walls.update((row, c) for c in range(ncols))
    snake = [(rr, rc) for rr in range(room_rows)
             for rc in (range(room_cols) if rr % 2 == 0 else reversed(range(room_cols)))]
    rooms = tuple(snake[:nrooms])
    for rr, rc in rooms:                    # the snake's turn: a door below the row's last room
        last_of_row = rc == (room_cols - 1 if rr % 2 == 0 else 0)
        if last_of_row and rr != room_rows - 1:
            walls.discard(cell(rr, rc, L, mid))
    for rr, rc in snake[nrooms:]:           # missing rooms: the room and its ring become wall
        walls.update(c for i in range(-1, L + 1) for j in range(-1, L + 1)
                     if 0 <= (c := cell(rr, rc, i, j))[0] < nrows and 0 <= c[1] < ncols)
    doors = tuple(sorted((r, c) for r in range(nrows) for c in range(ncols)
                         if (r, c) not in walls and (r % (L + 1) == L or c % (L + 1) == L)))
    return NRoomLayout(nrows, ncols, frozenset(walls), doors, start=cell(*rooms[nrooms // 2], mid, mid),
                       goal=cell(*rooms[-1], mid, mid), first=cell(*rooms[0], mid, mid), rooms=rooms)


def nroom(nrooms: int = 15, room_size: int = 5, success_prob: float = 0.95, H: int | None = 30,
          gamma: float | None = None) -> EpisodicMDP | FiniteMDP:
    """rlberry's NRoom as a stationary ``EpisodicMDP`` of horizon ``H`` (``H=None``: a ``FiniteMDP``).

    Defaults are the RF-Express experiment's (15 rooms of 5 x 5, success probability 0.95, ``H = 30``;
    ``S = 389``, ``A = 4``); the start is a point mass at :attr:`NRoomLayout.start`. See the module docstring
    for the layout and :func:`nroom_layout` for the geometry (``layout.cells[s]`` is the cell of state ``s``).
    """
    success_prob = check_real(success_prob, "success_prob", low=0.0, high=1.0)
    lay = nroom_layout(nrooms, room_size)
    rewards = {lay.goal: 1.0}               # rlberry's dict literal: a later key overrides an earlier one
    rewards[lay.start] = 0.01               # (with one or two rooms the cells coincide)
    rewards[lay.first] = 0.1
    return gridworld(lay.nrows, lay.ncols, success_prob=success_prob, walls=lay.walls, rewards=rewards,
                     start=lay.start, H=H, gamma=gamma)
