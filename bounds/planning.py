r"""Textbook planning theorems for finite discounted MDPs, as SymPy bounds.

Notation: ``S`` states, ``A`` actions per state, discount ``gamma in [0, 1)``, rewards in
``[0, r_max]``, ``T`` the Bellman optimality operator, ``V_k = T^k V_0`` the value-iteration iterates,
``pi_k`` greedy for ``V_k``. Theorem and lemma *numbers* below were recalled, not re-read, where marked
[R]; every statement was re-derived (the one-line proofs are in the docstrings) and its inequality is
checked against exact computations by the ``planning-*`` experiments.

Bounds registered here
----------------------
``vi-contraction``
    ``||V_k - V*||_inf <= gamma^k ||V_0 - V*||_inf``. ``T`` is a ``gamma``-contraction in the sup-norm
    and ``V* = T V*`` (Banach fixed point; Puterman 1994, Thm 6.2.3 and Prop 6.2.4 [R]), so
    ``||V_{k+1} - V*|| = ||T V_k - T V*|| <= gamma ||V_k - V*||``.
``vi-iterations-eps-optimal``
    With ``V_0 = 0`` the greedy policy ``pi_k`` is ``eps``-optimal (``||V* - V^{pi_k}|| <= eps``) for every
    ``k >= N(eps) = log(2 gamma r_max / (eps (1-gamma)^2)) / log(1/gamma)``; the bound is ``ceil(N)``.
    Derivation [D]: ``||V_k - V*|| <= gamma^k ||V*|| <= gamma^k r_max / (1-gamma)`` (contraction above) and the
    greedy-policy loss ``||V* - V^{pi}|| <= 2 gamma ||V - V*|| / (1-gamma)`` for ``pi`` greedy w.r.t. ``V``
    (Singh & Yee 1994, "An upper bound on the loss from approximate optimal-value functions",
    Machine Learning 16, Corollary 2 [R]; Puterman 1994, Thm 6.3.1 (c) [R]). The ``log(1/gamma)`` form is
    sharper than the ``1/(1-gamma)`` form in AJKS (2022), which uses ``log(1/gamma) >= 1 - gamma``.
``pi-howard-iterations``
    Howard's policy iteration stops after at most ``c S (A-1) ceil(log(1/(1-gamma)) / (1-gamma))``
    iterations. Scherrer (2013, NeurIPS; 2016, Math. Oper. Res.), "Improved and generalized upper
    bounds on the complexity of policy iteration", Theorem 3. The abstract [A] states
    ``O(S A / (1-gamma) log(1/(1-gamma)))`` (improving Hansen, Miltersen & Zwick 2013 by ``log S``);
    the explicit form with leading constant ``c = 1`` and the factor ``S (A-1)`` (= ``m - n`` for
    ``m = S A`` state-action pairs) is recalled [R], so ``c`` is a named, documented constant. Ye (2011)
    gives the weaker ``O(S^2 A / (1-gamma) log(S / (1-gamma)))`` for the simplex method.
``pi-monotone-improvement``
    ``V^{pi_{k+1}} >= V^{pi_k}`` componentwise for Howard's PI (policy improvement theorem; Howard 1960;
    Puterman 1994, Prop 6.4.1 [R]): ``T^{pi_{k+1}} V^{pi_k} = T V^{pi_k} >= V^{pi_k}`` and monotonicity
    of ``T^{pi_{k+1}}`` give ``V^{pi_{k+1}} = lim (T^{pi_{k+1}})^n V^{pi_k} >= V^{pi_k}``.
``performance-difference``
    ``V^{pi'}(mu) - V^{pi}(mu) = (1/(1-gamma)) E_{s ~ d^{pi'}_mu, a ~ pi'(s)} [A^{pi}(s, a)]`` with the
    normalised discounted occupancy ``d^{pi'}_mu = (1-gamma) mu^T (I - gamma P_{pi'})^{-1}``
    (Kakade & Langford 2002, Lemma 6.1; unnormalised-value form as in Agarwal, Jiang, Kakade & Sun
    (2022), "RL: Theory and Algorithms", Lemma 1.16 [R]). An exact identity: the bound is 0 on
    the absolute difference of the two sides.
``simulation-lemma``
    ``V^pi_M - V^pi_{M'} = gamma (I - gamma P'_pi)^{-1} (P_pi - P'_pi) V^pi_M`` for two MDPs with the
    same rewards (Kearns & Singh 2002; identity form as AJKS (2022), Lemma 2.2 (for ``Q``) [R]).
    Subtract ``V' = r + gamma P' V'`` from ``V = r + gamma P V`` and rearrange. Exact identity.
"""
from __future__ import annotations

import sympy

from .core import Bound, register

gamma, k, e0, eps, r_max, S, A, c = sympy.symbols("gamma k e_0 epsilon r_max S A c", positive=True)

_GAMMA = "discount factor, 0 < gamma < 1"

VI_CONTRACTION = register(Bound(
    name="vi-contraction",
    expr=gamma**k * e0,
    symbols={"gamma": _GAMMA, "k": "value-iteration iteration, integer >= 0",
             "e_0": "initial error ||V_0 - V*||_inf >= 0"},
    source="Puterman (1994), Thm 6.2.3 + Prop 6.2.4 (Bellman operator is a gamma-contraction)",
    assumptions=("finite discounted MDP", "bounded rewards", "V_k = T^k V_0 (plain Jacobi value iteration)"),
    kind="upper",
    provenance="D",
    lhs=r"\|V_k - V^\star\|_\infty",
))

_N_EPS = sympy.log(2 * gamma * r_max / (eps * (1 - gamma) ** 2)) / sympy.log(1 / gamma)

VI_ITERATIONS = register(Bound(
    name="vi-iterations-eps-optimal",
    expr=sympy.ceiling(_N_EPS),
    symbols={"gamma": _GAMMA, "r_max": "largest reward, rewards in [0, r_max]",
             "epsilon": "target policy loss ||V* - V^{pi_k}||_inf > 0"},
    source="Singh & Yee (1994), Cor. 2 + VI contraction (Puterman 1994, Thm 6.3.1)",
    assumptions=("V_0 = 0", "rewards in [0, r_max]", "pi_k greedy w.r.t. V_k",
                 "the statement is: pi_k is eps-optimal for EVERY k >= the bound"),
    kind="upper",
    provenance="D",
    lhs=r"\min\{k: \pi_j\ \epsilon\mathrm{-optimal}\ \forall j \geq k\}",
))

PI_ITERATIONS = register(Bound(
    name="pi-howard-iterations",
    expr=c * S * (A - 1) * sympy.ceiling(sympy.log(1 / (1 - gamma)) / (1 - gamma)),
    symbols={"S": "number of states (n in the paper)", "A": "actions per state (m = S A in total)",
             "gamma": _GAMMA},
    constants={"c": 1.0},
    source="Scherrer (2013/2016), Improved and generalized upper bounds on the complexity of PI, Thm 3",
    assumptions=("Howard's PI: every state with positive advantage switches to a greedy action",
                 "c = 1 and the factor S (A-1) are recalled [R]; the abstract [A] gives "
                 "O(S A / (1-gamma) log(1/(1-gamma)))"),
    kind="upper",
    provenance="R",
    lhs=r"\#\mathrm{iterations}(\mathrm{Howard\ PI})",
))

PI_MONOTONE = register(Bound(
    name="pi-monotone-improvement",
    expr=sympy.Integer(0),
    symbols={},
    source="Howard (1960); Puterman (1994), Prop 6.4.1 (policy improvement)",
    assumptions=("exact policy evaluation", "greedy improvement keeping the incumbent on ties"),
    kind="lower",
    provenance="D",
    lhs=r"\min_{s,k}\ (V^{\pi_{k+1}} - V^{\pi_k})(s)",
))

PERFORMANCE_DIFFERENCE = register(Bound(
    name="performance-difference",
    expr=sympy.Integer(0),
    symbols={},
    source="Kakade & Langford (2002), Lemma 6.1 (AJKS 2022, Lemma 1.16)",
    assumptions=("exact identity; checked up to tolerances propagated from evaluation certificates",),
    kind="upper",
    provenance="P",
    lhs=r"\left|V^{\pi'}(\mu) - V^{\pi}(\mu) - \frac{1}{1-\gamma}\mathbb{E}_{s \sim d^{\pi'}_\mu, a \sim \pi'}"
        r"[A^{\pi}(s,a)]\right|",
))

SIMULATION_LEMMA = register(Bound(
    name="simulation-lemma",
    expr=sympy.Integer(0),
    symbols={},
    source="Kearns & Singh (2002); identity form AJKS (2022), Lemma 2.2",
    assumptions=("two MDPs with the same rewards and discount",
                 "exact identity; checked up to tolerances propagated from evaluation certificates"),
    kind="upper",
    provenance="D",
    lhs=r"\left\|V^\pi_M - V^\pi_{M'} - \gamma (I - \gamma P'_\pi)^{-1}(P_\pi - P'_\pi) V^\pi_M\right\|_\infty",
))
