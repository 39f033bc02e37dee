"""Grid-worlds with slippery moves (rlberry's transition rule, used by the OPSRL experiments)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ..episodic import EpisodicMDP
from ..finite import FiniteMDP
from ..validation import check_positive_int, check_real

#: Action order: the moves ``(d_row, d_col)`` of actions 0..3.
MOVES = {"left": (0, -1), "right": (0, 1), "down": (1, 0), "up": (-1, 0)}
_DELTAS = list(MOVES.values())


def gridworld(
    nrows: int = 10,
    ncols: int | None = None,
    success_prob: float = 0.8,
    walls: Iterable[tuple[int, int]] = (),
    rewards: Mapping[tuple[int, int], float] | None = None,
    start: tuple[int, int] = (0, 0),
    terminal: Iterable[tuple[int, int]] = (),
    terminal_mode: str = "absorbing",
    gamma: float | None = None,
    H: int | None = None,
) -> FiniteMDP | EpisodicMDP:
    """A grid-world; ``FiniteMDP`` when ``H is None``, else a stationary ``EpisodicMDP`` of horizon ``H``.

    States are the free (non-wall) cells in row-major order; :func:`gridworld_cells` gives the
    ``(row, col)`` of each state. Actions 0..3 are left, right, down, up (rlberry's order).

    Transitions follow rlberry's ``GridWorld`` (the OPSRL experiments, spec §2.5): if the intended
    neighbour is outside the grid or a wall, stay put with probability 1; otherwise move there with
    probability ``success_prob`` and to each of the other ``n_valid - 1`` valid neighbours with
    probability ``(1 - success_prob) / (n_valid - 1)`` (deterministically when it is the only one).

    ``rewards[(row, col)]`` is received for every step taken *in* that cell, whatever the action
    (default: 1 in the far corner). Cells in ``terminal`` end the episode after their reward:
    ``terminal_mode="absorbing"`` moves to an extra zero-reward sink state (the last state index),
    ``"restart"`` moves to ``start``.

    The OPSRL grid-world (S = 100, A = 4, H = 50, start (0, 0), reward 1 in (9, 9), no terminal
    state) is ``gridworld(10, H=50)``; its optimal value from the start is about 26.135.
    """
    nrows = check_positive_int(nrows, "nrows")
    ncols = nrows if ncols is None else check_positive_int(ncols, "ncols")
    success_prob = check_real(success_prob, "success_prob", low=0.0, high=1.0)
    if terminal_mode not in ("absorbing", "restart"):
        raise ValueError(f"terminal_mode must be 'absorbing' or 'restart', got {terminal_mode!r}")
    walls = {_cell(w, "walls", nrows, ncols) for w in walls}
    cells = [(r, c) for r in range(nrows) for c in range(ncols) if (r, c) not in walls]
    if not cells:
        raise ValueError("walls cover the whole grid: no free cell is left")
    index = {cell: i for i, cell in enumerate(cells)}

    def free(cell: tuple[int, int]) -> bool:
        return cell in index

    terminal = list(terminal)  # may be a one-shot iterable: it is read twice
    for name, cs in (("start", [start]), ("terminal", terminal), ("rewards", (rewards or {}).keys())):
        for cell in cs:
            if _cell(cell, name, nrows, ncols) in walls:
                raise ValueError(f"{name} cell {tuple(cell)} is a wall; remove it from walls or move the {name} cell")
    terminal = [tuple(t) for t in terminal]
    rewards = ({(nrows - 1, ncols - 1): 1.0} if rewards is None else
               {tuple(c): check_real(v, f"rewards[{tuple(c)}]") for c, v in dict(rewards).items()})

    n_free = len(cells)
    sink = terminal_mode == "absorbing" and bool(terminal)
    S, A = n_free + int(sink), len(_DELTAS)
    P = np.zeros((S, A, S))
    R = np.zeros((S, A))
    for (r, c), i in index.items():
        R[i, :] = rewards.get((r, c), 0.0)
        if (r, c) in terminal:
            P[i, :, n_free if sink else index[tuple(start)]] = 1.0
            continue
        neighbours = [(r + dr, c + dc) for dr, dc in _DELTAS if free((r + dr, c + dc))]
        for a, (dr, dc) in enumerate(_DELTAS):
            target = (r + dr, c + dc)
            if not free(target):
                P[i, a, i] = 1.0
                continue
            others = [n for n in neighbours if n != target]
            if not others:
                P[i, a, index[target]] = 1.0
                continue
            P[i, a, index[target]] += success_prob
            for n in others:
                P[i, a, index[n]] += (1.0 - success_prob) / len(others)
    if sink:
        P[n_free, :, n_free] = 1.0
    mu0 = np.zeros(S)
    mu0[index[tuple(start)]] = 1.0
    if H is not None:
        return EpisodicMDP.stationary(P, R, H, mu0)
    return FiniteMDP(P, R, gamma, mu0)


def _cell(cell: object, name: str, nrows: int, ncols: int) -> tuple[int, int]:
    """``cell`` as a ``(row, col)`` tuple inside the grid, else a ``ValueError`` naming ``name``.

    A wall outside the grid used to vanish silently (the user's maze was not the one solved)."""
    try:
        r, c = cell  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {cell!r} is not a (row, col) pair") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (r, c)):
        raise TypeError(f"{name}: cell {cell!r} must hold two integers (row, col)")
    if not (0 <= r < nrows and 0 <= c < ncols):
        raise ValueError(f"{name} cell {(int(r), int(c))} is outside the {nrows}x{ncols} grid (rows 0..{nrows - 1}, "
                         f"columns 0..{ncols - 1}); fix the cell or enlarge the grid")
    return int(r), int(c)


def gridworld_cells(nrows: int = 10, ncols: int | None = None,
                    walls: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """``(row, col)`` of each state of :func:`gridworld` with the same size and walls (sink excluded)."""
    ncols = nrows if ncols is None else ncols
    walls = {tuple(w) for w in walls}
    return [(r, c) for r in range(nrows) for c in range(ncols) if (r, c) not in walls]
