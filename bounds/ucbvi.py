r"""UCBVI (Azar, Osband, Munos, ICML 2017) regret orders, as used by the OPSRL comparison.

All statements are orders with hidden constants [R]: the paper was not re-read in this session.
In the OPSRL notation (``T`` = episodes, stage-dependent transitions, spec §2.4):

``ucbvi-hoeffding-regret``
    UCBVI-CH: ``O~(sqrt(H^4 S A T))``. (Azar et al. state, for stationary transitions and ``T_steps = H T``,
    ``Regret <= c1 H L sqrt(S A T_steps) + c2 H^2 S^2 A L^2`` with recalled ``c1 = 20``, ``c2 = 250``,
    ``L = log(5 S A T_steps / delta)`` — not encoded as checked constants.)
``ucbvi-bernstein-regret``
    UCBVI-BF: ``O~(sqrt(H^3 S A T) + H^3 S^2 A)``.
"""
from __future__ import annotations

import sympy

from .core import Bound, register

__all__ = ["UCBVI_HOEFFDING_REGRET", "UCBVI_BERNSTEIN_REGRET"]

H, S, A, T, delta = sympy.symbols("H S A T delta", positive=True)
_SYMBOLS = {"H": "horizon, integer >= 1", "S": "number of states", "A": "number of actions",
            "T": "number of episodes", "delta": "confidence level in (0, 1)"}
_L = sympy.log(S * A * H * T / delta)

UCBVI_HOEFFDING_REGRET = register(Bound(
    name="ucbvi-hoeffding-regret",
    expr=sympy.sqrt(H**4 * S * A * T) * _L,
    symbols=dict(_SYMBOLS),
    source="Azar, Osband, Munos (2017), UCBVI-CH, Theorem 1 (order, stage-dependent form)",
    hidden_constant=True,
    probability="1 - delta",
    assumptions=("rewards known, in [0, 1]",),
    provenance="R",
))

UCBVI_BERNSTEIN_REGRET = register(Bound(
    name="ucbvi-bernstein-regret",
    expr=sympy.sqrt(H**3 * S * A * T) * _L + H**3 * S**2 * A * _L**2,
    symbols=dict(_SYMBOLS),
    source="Azar, Osband, Munos (2017), UCBVI-BF, Theorem 2 (order, stage-dependent form)",
    hidden_constant=True,
    probability="1 - delta",
    assumptions=("rewards known, in [0, 1]",),
    provenance="R",
))
