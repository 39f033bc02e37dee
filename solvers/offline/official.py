"""The official R2PVI code's choices as option presets (spec ``r2pvi_drrpo.md`` section 2.7).

The learners default to the papers' algorithms; ``OFFICIAL_CODE[method]`` holds the keyword options that
make a learner compute what ``panxulab/Robust-Regularized-Pessimistic-Value-Iteration`` computes, so that
the papers' published numbers can be reproduced and then compared with the paper-faithful run:

- ``bonus="l2"`` (item 1): ``beta ||phi||_{Lambda^-1}``-style per-coordinate l2 bonus instead of the l1 sum;
- ``tv_min_mode="dataset"`` (item 5): R2PVI-TV's threshold ``min V`` taken over the sampled next states;
- ``tv_min_mode="fail_state_zero"`` (DRPVI): the min dropped (a zero-reward fail state is assumed);
- ``chi2_direction="min"`` (item 4, linear-MDP code): the chi-square dual minimised instead of maximised;
- ``alpha_solver="nelder-mead"`` (chi-square and DRPVI): the 1-D dual searched by SciPy's Nelder-Mead from
  ``H/2`` within ``[0, H]`` (default options), which stops at a local extremum, instead of exactly;
- ``kl_stable=False`` (item 10): the unshifted KL closed form, which overflows for small ``lam``.

Each experiment adds the options that belong to its script, not to a learner: the clip of ``Q``
(``clip="upper"`` in the linear-MDP script, ``"continuation_upper"`` in the option script; item 2/7) and the
fail states whose value the script forces to 0 (``fail_states=[3]``, linear MDP).
"""
from __future__ import annotations

__all__ = ["OFFICIAL_CODE"]

#: Learner name -> keyword options reproducing the official code (see the module docstring).
OFFICIAL_CODE: dict[str, dict] = {
    "pevi": {},
    "lsvi": {},
    "r2pvi-tv": {"bonus": "l2", "tv_min_mode": "dataset"},
    "r2pvi-kl": {"bonus": "l2", "kl_stable": False},
    "r2pvi-chi2": {"bonus": "l2", "chi2_direction": "min", "alpha_solver": "nelder-mead"},
    "drpvi": {"bonus": "l2", "tv_min_mode": "fail_state_zero", "alpha_solver": "nelder-mead"},
    "drvi-l": {"bonus": "l2"},
}
