r"""Sample collection: Tarbouriech, Pirotta, Valko & Lazaric (2021), "A Provably Efficient Sample Collection Strategy
for Reinforcement Learning", NeurIPS 2021, arXiv:2007.06437, as SymPy bounds.

The paper's full text was not available (spec ``gosprl_grouping_avgreward_lmdp.md`` section 0): the main rate is
in the abstract (provenance ``A``, its constants and log factors hidden); every other statement here is our
derivation (``D``) or our reconstruction of a choice the paper makes (``I``), each named so below.

Bounds registered here
----------------------
``gosprl-collection-time``  (main theorem, abstract [A]; constants and polylog factors hidden)
    ``C = O~(B D + D^{3/2} S^2 A)`` with probability ``1 - delta``, any communicating MDP.
``gosprl-slope-in-B``  ([D]: spec section 2.3's skeleton) each attempt of optimal expected length ``<= D`` ends with
    at least one required sample, which is one more step: for large ``B`` the growth of ``C`` in ``B`` is at most
    ``D + 1`` per sample (the ``B D`` term of the theorem, counting the sampling step).
``gosprl-reset-chain-lower``  ([D], spec section 2.3) on :func:`mdptheory.envs.reset_chain` with ``b`` on
    ``(L, reset)``, every strategy needs ``C >= b (L + 1)`` steps (the spec's ``b L`` is implied; ``D = L``).
``gosprl-weissman-requirement``  ([D], Weissman et al. 2003) ``n(s, a) = 2 (Gamma ln 2 + ln(S A / delta)) / eta^2``
    samples per pair give ``max ||p_hat - p||_1 < eta`` w.p. ``1 - delta``.
``gosprl-model-estimation-rate``  ([D] corollary, hidden constant; that it is the paper's stated rate: [R])
    ``C = O~(D Gamma S A / eta^2 + D^{3/2} S^2 A)``.
``gosprl-treasure-requirement``  ([D]) ``b = ln(S A / delta) / lambda`` finds every Bernoulli treasure of mean
    ``>= lambda`` w.p. ``1 - delta``.
``gosprl-pac-accuracy``  ([D], simulation lemma) with ``||p_hat - p||_1 <= eta`` at every pair, the estimated
    model's optimal policy is ``gamma eta / (1 - gamma)^2``-optimal (rewards in [0, 1]).
``gosprl-pac-rate``  ([A] lists the application; the generative-model rate of Agarwal et al. 2020 / Li et al. 2020
    [R], hidden constant) ``C = O~(D S A / ((1 - gamma)^3 eps^2) + D^{3/2} S^2 A)``.
``evi-ssp-optimism``  ([D], spec section 1) when every confidence set contains the true kernel, every iterate of
    extended value iteration from 0 is ``<= h*``, the optimal expected hitting time of the goal set.
"""
from __future__ import annotations

import sympy

from .core import Bound, register

B, D, S, A, b, L, n, eta, delta, Gamma, lam, gamma, eps, h = sympy.symbols(
    "B D S A b L n eta delta Gamma lambda gamma epsilon h_star", positive=True)

SOURCE = "Tarbouriech et al. (2021), arXiv:2007.06437"
_COMM = "the MDP is communicating with diameter D"

COLLECTION_TIME = register(Bound(
    name="gosprl-collection-time", expr=B * D + D ** sympy.Rational(3, 2) * S ** 2 * A,
    symbols={"B": "total requirement sum_{s,a} b(s, a)", "D": "diameter", "S": "states", "A": "actions"},
    source=f"{SOURCE}, main theorem as stated in the abstract (O~: constants and polylog factors hidden)",
    hidden_constant=True, probability="1 - delta", assumptions=(_COMM,), provenance="A", lhs="C"))

SLOPE_IN_B = register(Bound(
    name="gosprl-slope-in-B", expr=D + 1,
    symbols={"D": "diameter"},
    source=f"{SOURCE}: the B D term of the main theorem, derived per attempt (each attempt: optimal expected "
           "length <= D, then one sampling step); our derivation",
    probability="1 - delta (asymptotically in B)", assumptions=(_COMM, "large B (the lower-order term constant)"),
    provenance="D", lhs=r"\partial C / \partial B"))

RESET_LOWER = register(Bound(
    name="gosprl-reset-chain-lower", expr=b * (L + 1),
    symbols={"b": "requirement on (L, reset)", "L": "chain length (= the diameter D)"},
    source=f"{SOURCE}: the Omega(B D) family, worked out for the reset chain (our derivation; the spec's b L is "
           "implied)",
    kind="lower", assumptions=("reset chain of length L, start in 0, b only on (L, reset)",), provenance="D",
    lhs="C"))

WEISSMAN = register(Bound(
    name="gosprl-weissman-requirement", expr=2 * (Gamma * sympy.log(2) + sympy.log(S * A / delta)) / eta ** 2,
    symbols={"Gamma": "support size (S when unknown)", "S": "states", "A": "actions", "delta": "failure probability",
             "eta": "L1 accuracy"},
    source="Weissman et al. (2003), the L1 deviation inequality, with a union bound over the S A pairs (our "
           "derivation of the requirement)",
    probability="1 - delta", provenance="D", lhs="n(s, a)"))

ESTIMATION_RATE = register(Bound(
    name="gosprl-model-estimation-rate", expr=D * Gamma * S * A / eta ** 2 + D ** sympy.Rational(3, 2) * S ** 2 * A,
    symbols={"D": "diameter", "Gamma": "support size", "S": "states", "A": "actions", "eta": "L1 accuracy"},
    source=f"{SOURCE}: model estimation as an application (abstract lists it); the rate is our corollary of the "
           "main theorem with the Weissman or empirical-Bernstein requirement",
    hidden_constant=True, probability="1 - delta", assumptions=(_COMM,), provenance="D", lhs="C"))

TREASURE = register(Bound(
    name="gosprl-treasure-requirement", expr=sympy.log(S * A / delta) / lam,
    symbols={"S": "states", "A": "actions", "delta": "failure probability",
             "lambda": "smallest nonzero Bernoulli reward mean"},
    source=f"{SOURCE}: sparse reward discovery as an application (abstract lists it); (1 - lambda)^b <= exp(-lambda b) "
           "and a union bound (our derivation)",
    probability="1 - delta", provenance="D", lhs="b(s, a)"))

PAC_ACCURACY = register(Bound(
    name="gosprl-pac-accuracy", expr=gamma * eta / (1 - gamma) ** 2,
    symbols={"gamma": "discount", "eta": "max_{s,a} ||p_hat - p||_1"},
    source=f"{SOURCE}: PAC planning through a generative-model scheme; the simulation lemma with span(V) <= "
           "1/(1 - gamma) (our derivation, a crude scheme)",
    assumptions=("rewards in [0, 1], known",), provenance="D", lhs=r"V^\star - V^{\hat\pi}"))

PAC_RATE = register(Bound(
    name="gosprl-pac-rate",
    expr=D * S * A / ((1 - gamma) ** 3 * eps ** 2) + D ** sympy.Rational(3, 2) * S ** 2 * A,
    symbols={"D": "diameter", "S": "states", "A": "actions", "gamma": "discount", "epsilon": "accuracy"},
    source=f"{SOURCE}: the generic corollary with a generative-model scheme of Agarwal et al. (2020) / Li et al. "
           "(2020) (recalled, not re-read)",
    hidden_constant=True, probability="1 - delta", assumptions=(_COMM,), provenance="R", lhs="C"))

EVI_OPTIMISM = register(Bound(
    name="evi-ssp-optimism", expr=h,
    symbols={"h_star": "the optimal expected hitting time of the goal set in the true MDP"},
    source=f"{SOURCE}: the optimistic SSP layer (extended value iteration over confidence sets); our derivation: "
           "value iteration from 0 increases to the optimistic value, which is <= h* when the sets contain p",
    probability="1 - delta (the sets contain p)", provenance="D", lhs=r"(\tilde T^k 0)(s)"))
