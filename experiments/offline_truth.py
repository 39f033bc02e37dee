"""Exact robust ground truth for the offline (R2PVI) experiments: instances, exact robust SubOpt and Q*, the
bound's uncertainty term and the dataset size from which it binds, the pessimism events of the proof, and
the dataset/learner wiring.

Everything exact is delegated to :mod:`solvers.robust` (the d-rectangular robust planners) and to dense
linear algebra written here (the Gram of a dataset), never to the learners' own internals; this module
only wires models, datasets and learners together. It is a helper module (no ``NAME``), not an experiment.
"""
from __future__ import annotations

import math

import numpy as np

from bounds.r2pvi import beta as theorem_beta
from mdptheory.linear import LinearMDP
from mdptheory.offline import OfflineDataset, collect, collect_counts, replication_rng
from mdptheory.uncertainty import UncertaintySet, make
from solvers.offline import OfflineResult, fit
from solvers.robust import robust_backward_induction, robust_policy_evaluation, worst_case_rows

__all__ = ["trap_instance", "theorem_instance", "no_trap_behaviour", "regularized_set", "admissible_set",
           "uncertainty_term", "exact_suboptimality", "pessimism_events", "learn", "dataset_for",
           "gram_inv_diag", "population_inv_diag", "theorem_bound", "informative_K", "estimation_errors",
           "consistency_series", "rates_k_half"]


def trap_instance(H: int = 3, S: int = 4, A: int = 3, d: int = 3, seed: int = 0) -> LinearMDP:
    """A d-rectangular linear MDP whose last feature is reached only by a *trap*, for coverage-poor data.

    - state ``S-1`` is an absorbing zero-reward fail state with ``phi(S-1, .) = e_{d-1}``;
    - the trap action ``A-1`` has ``phi(s, A-1) = e_{d-1}`` everywhere (zero reward, moves to the fail state);
    - other actions have Dirichlet features on the first ``d-1`` factors, whose distributions avoid the
      fail state, so a behaviour policy that never plays the trap never observes feature ``d-1``;
    - all episodes start in state 0.

    Pessimism never takes the trap (its bonus ``1/sqrt(ridge)`` never shrinks); optimism always does.
    """
    rng = np.random.default_rng(seed)
    phi = np.zeros((S, A, d))
    phi[:, :, : d - 1] = rng.dirichlet(np.ones(d - 1), size=(S, A))
    phi[:, A - 1] = 0.0
    phi[:, A - 1, d - 1] = 1.0
    phi[S - 1] = 0.0
    phi[S - 1, :, d - 1] = 1.0
    mu = np.zeros((H, d, S))
    mu[:, : d - 1, : S - 1] = rng.dirichlet(np.ones(S - 1), size=(H, d - 1))
    mu[:, d - 1, S - 1] = 1.0
    theta = np.zeros((H, d))
    theta[:, : d - 1] = rng.uniform(0.2, 1.0, size=(H, d - 1))
    mu0 = np.zeros(S)
    mu0[0] = 1.0
    return LinearMDP(phi, mu, theta, mu0).check_d_rectangular()


def theorem_instance(H: int = 2, S: int = 3, A: int = 3, risk: float = 0.2, seed: int = 0) -> LinearMDP:
    """The smallest d-rectangular instance on which Theorem 5.1's bound can bind, with a trap for optimism.

    ``d = 3`` factors: ``e_0`` "good" (a Dirichlet law over the ``S-1`` normal states), ``e_1`` "fail"
    (``delta`` of the absorbing zero-reward fail state ``S-1``, whose features are ``e_1``) and ``e_2`` "trap"
    (also ``delta_fail``). The trap is action **0** (``phi = e_2``, reward 0); normal actions have
    ``phi = (1 - eps, eps, 0)`` with a risk ``eps ~ U[0, risk]`` of failing and reward ``(1 - eps) theta_h[0]``,
    ``theta_h[0] ~ U[0.6, 1]``. Episodes start in state 0.

    Why this shape: the uncertainty term ``Phi`` takes a sup over kernels that may move ``pi*`` to *any*
    state (TV), so it decays only if the behaviour covers every factor ``pi*`` can meet; here it does
    (the fail state is visited through the risk ``eps``, the good factor always), while the trap's factor is
    never observed (behaviour :func:`no_trap_behaviour` with ``trap=0``): optimism takes it and loses ``V*``,
    and so does any learner whose ``Q`` collapses to a tie (ties go to the lowest action, the trap).
    """
    if H < 1 or S < 2 or A < 2 or not 0.0 <= risk < 1.0:
        raise ValueError(f"theorem_instance needs H >= 1, S >= 2, A >= 2 and risk in [0, 1); got {H}, {S}, {A}, {risk}")
    rng = np.random.default_rng(seed)
    phi = np.zeros((S, A, 3))
    eps = rng.uniform(0.0, risk, size=(S - 1, A - 1))
    phi[: S - 1, 1:, 0] = 1.0 - eps
    phi[: S - 1, 1:, 1] = eps
    phi[: S - 1, 0, 2] = 1.0
    phi[S - 1, :, 1] = 1.0
    mu = np.zeros((H, 3, S))
    mu[:, 0, : S - 1] = rng.dirichlet(np.ones(S - 1), size=H)
    mu[:, 1:, S - 1] = 1.0
    theta = np.zeros((H, 3))
    theta[:, 0] = rng.uniform(0.6, 1.0, size=H)
    mu0 = np.zeros(S)
    mu0[0] = 1.0
    return LinearMDP(phi, mu, theta, mu0).check_d_rectangular()


def no_trap_behaviour(model: LinearMDP, trap: int | None = None) -> np.ndarray:
    """Uniform over every action except the trap (default ``A-1``, :func:`trap_instance`), shape (H, S, A)."""
    trap = model.A - 1 if trap is None else trap
    pol = np.full((model.H, model.S, model.A), 1.0 / (model.A - 1))
    pol[:, :, trap] = 0.0
    return pol


def regularized_set(divergence: str, lam: float) -> UncertaintySet:
    """The d-RRMDP regulariser: ``TV(lam=...)``, ``KL(lam=...)`` or ``ChiSquare(lam=...)``."""
    return make(divergence, lam=lam)


def admissible_set(divergence: str, lam: float, H: int) -> UncertaintySet:
    """Constrained ball standing in for the paper's "robustly admissible" set ``U^lam(P0)`` [D].

    Every worst-case factor of the regularized problem satisfies ``lam D(mu~ || mu0) <= span V <= H``,
    so a ball of radius ``H / lam`` (TV: capped at 1) contains them all; the paper's exact set is [U].
    """
    rho = H / lam
    return make(divergence, rho=min(1.0, rho) if divergence == "tv" else rho)


def uncertainty_term(model: LinearMDP, policy: np.ndarray, inv_diag: np.ndarray, uset: UncertaintySet,
                     s: int = 0) -> float:
    """``sup_{P in uset} sum_h E^{policy, P}[ sum_i phi_i(s_h, a_h) sqrt([Lambda_h^{-1}]_ii) | s_1 = s ]``, exactly.

    The per-step cost ``c_h(s, a) = phi(s, a) . sqrt(diag Lambda_h^{-1})`` is linear in ``phi``, so it is the
    reward of a linear MDP with ``theta_h = -sqrt(diag Lambda_h^{-1})``; the sup of the cost is minus the
    robust (worst-case) value of ``policy`` under ``uset`` (d-rectangular robust policy evaluation).
    ``rho = 0`` (e.g. ``TV(rho=0)``) gives the nominal-kernel value (no sup): the negative control.
    """
    cost = LinearMDP(model.phi, model.mu, -np.sqrt(inv_diag), model.mu0)
    res = robust_policy_evaluation(cost, policy, uset)
    return float(-res.V[0, s])


def exact_suboptimality(model: LinearMDP, policy: np.ndarray, uset: UncertaintySet, s: int = 0):
    """``(V*_1(s), V^{policy}_1(s), res_opt, res_pol)`` under the robust (regularized) model, exactly."""
    opt = robust_backward_induction(model, uset)
    pol = robust_policy_evaluation(model, policy, uset)
    return float(opt.V[0, s]), float(pol.V[0, s]), opt, pol


def estimation_errors(model: LinearMDP, fit_result: OfflineResult, uset: UncertaintySet | None,
                      reward_in_w: bool = False) -> np.ndarray:
    """``|phi . (w_hat_h - w_h)|`` (H, S, A), ``w_h`` the exact operator applied to the learner's own ``V_hat_{h+1}``.

    ``w_{h,i} = nature(mu_{h,i}, V_hat_{h+1})`` under ``uset`` (robust, regularized or constrained) or the
    nominal ``mu_{h,i} . V_hat_{h+1}`` (``uset=None``); ``reward_in_w`` adds ``theta_h`` (PEVI regresses
    ``r + V`` jointly, so its ``w_hat`` holds the reward too).
    """
    out = np.empty((model.H, model.S, model.A))
    for h in range(model.H):
        mu = np.ascontiguousarray(model.mu[h])
        nxt = fit_result.V[h + 1]
        w = mu @ nxt if uset is None else worst_case_rows(mu, nxt, uset, want_p=False)[0]
        if reward_in_w:
            w = w + model.theta[h]
        out[h] = np.abs(model.phi @ (fit_result.w[h] - w))
    return out


def pessimism_events(model: LinearMDP, fit: OfflineResult, uset: UncertaintySet, pol_res=None,
                     atol: float = 1e-9) -> dict:
    """Events behind Theorem 5.1's proof, computed exactly.

    ``bellman``: ``|phi . (w_hat_h - w_h)| <= Gamma_h`` on every ``(h, s, a)`` (:func:`estimation_errors`);
    ``pessimism``: ``Q_hat_h <= Q^{pi_hat}_h`` everywhere (the learned policy's exact robust Q). Also the
    largest violation ratio of the first.
    """
    err = estimation_errors(model, fit, uset)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(err > atol, err / np.maximum(fit.bonus, 0.0), 0.0)
    worst = float(np.nan_to_num(ratio, posinf=np.inf).max())
    if pol_res is None:
        pol_res = robust_policy_evaluation(model, fit.policy, uset)
    pess = bool(np.all(fit.Q <= pol_res.Q + atol))
    return {"bellman": worst <= 1.0, "bellman_ratio": worst, "pessimism": pess}


def gram_inv_diag(data: OfflineDataset, ridge: float) -> np.ndarray:
    """``diag(Lambda_h^{-1})`` (H, d) of ``Lambda_h = sum_tau w_tau phi phi^T + ridge I``, by a dense inverse.

    Computed from the data alone (independent of the learners' Cholesky helper), so the bound a claim
    checks does not move with a learner's bug.
    """
    w = np.ones(data.N) if data.weights is None else data.weights
    out = np.empty((data.H, data.d))
    for h in range(data.H):
        rows = data.step(h)
        Phi = data.phi[rows]
        out[h] = np.diag(np.linalg.inv((Phi * w[rows, None]).T @ Phi + ridge * np.eye(data.d)))
    return out


def population_inv_diag(model: LinearMDP, behaviour: np.ndarray, K: float, ridge: float) -> np.ndarray:
    """``diag((K E^{pi_b}[phi_h phi_h^T] + ridge I)^{-1})`` (H, d): the Gram ``K`` trajectories have on average."""
    tab = model.to_tabular()
    occ = np.asarray(tab.mu0, dtype=float)
    out = np.empty((model.H, model.d))
    for h in range(model.H):
        sa = occ[:, None] * behaviour[h]
        cov = np.einsum("sa,sai,saj->ij", sa, model.phi, model.phi)
        out[h] = np.diag(np.linalg.inv(K * cov + ridge * np.eye(model.d)))
        occ = np.einsum("sa,sat->t", sa, tab.P[h])
    return out


def theorem_bound(model: LinearMDP, divergence: str, lam: float, K: float, inv_diag: np.ndarray, delta: float,
                  s: int = 0) -> tuple[float, float, float]:
    """Theorem 5.1's right-hand side ``(2 beta Phi, Phi, beta)`` at ``s`` for the Gram diagonal ``inv_diag``.

    ``beta`` is the digest's (``bounds.r2pvi.beta``, constants [S]); ``Phi`` the uncertainty term along the
    exact robust optimal policy over the :func:`admissible_set` ball.
    """
    opt = robust_backward_induction(model, regularized_set(divergence, lam))
    phi = uncertainty_term(model, opt.policy, inv_diag, admissible_set(divergence, lam, model.H), s)
    b = theorem_beta(divergence, model.d, model.H, int(K), delta, lam=lam)
    return 2.0 * b * phi, phi, b


def informative_K(model: LinearMDP, behaviour: np.ndarray, divergence: str, lam: float, delta: float,
                  ridge: float = 1.0, K_max: float = 1e15) -> float:
    """Smallest ``K`` (to 1%) at which Theorem 5.1's bound on the *average* Gram is below ``V*`` (``inf``: never
    up to ``K_max``, e.g. when ``pi*`` can be moved onto a factor the behaviour never covers)."""
    v_star = float(robust_backward_induction(model, regularized_set(divergence, lam)).V[0, 0])

    def binds(logk: float) -> bool:
        K = 10.0 ** logk
        return theorem_bound(model, divergence, lam, K, population_inv_diag(model, behaviour, K, ridge),
                             delta)[0] < v_star

    lo, hi = 0.0, math.log10(K_max)
    if not binds(hi):
        return math.inf
    while hi - lo > 0.004:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if binds(mid) else (mid, hi)
    return 10.0 ** hi


def consistency_series(method: str, model: LinearMDP, uset: UncertaintySet | None, Ks, seed: int,
                       data_seed: int, **learner_kw) -> dict:
    """One replication of a consistency experiment: ``method`` with ``beta = 0`` (pure estimation) on ``K``
    uniform-behaviour trajectories (compressed) for each ``K`` in ``Ks``, against the exact ``Q*`` of ``uset``
    (``None``: nominal).

    Returns arrays over ``Ks``: ``w_err = max |phi.(w_hat - w)|`` (:func:`estimation_errors`) and
    ``q_err = max |Q_hat - Q*|``, both ``O(K^-1/2)`` for a consistent learner and tending to a
    constant for a learner that estimates the wrong operator; and ``K``.
    """
    exact = robust_backward_induction(model, uset if uset is not None else make("tv", rho=0.0)).Q
    w_err, q_err = [], []
    for K in Ks:
        data = dataset_for(model, int(K), "uniform", data_seed, seed, compressed=True)
        fit_result = learn(method, data, model, beta=0.0, **learner_kw)
        w_err.append(estimation_errors(model, fit_result, uset, reward_in_w=method == "pevi").max())
        q_err.append(np.abs(fit_result.Q - exact).max())
    return {"K": np.asarray(Ks, dtype=float), "w_err": np.asarray(w_err), "q_err": np.asarray(q_err)}


#: Bootstrap resamples of the rate checks: the 95% CI ends move by ~0.01 in slope between 500 and 2000.
N_BOOT = 500


def rates_k_half(df, columns=("w_err", "q_err"), tol: float = 0.15):
    """Both error columns must decay as ``K^-1/2``: the log-log slope's 95% bootstrap CI inside
    ``-0.5 +- tol`` for each (two-sided: a learner converging to the wrong operator flattens to slope 0, a
    learner whose error vanishes too fast is not estimating either). Rows hold one replication's series
    (array cells ``K``, ``w_err``, ``q_err``); the first failing verdict is returned (later columns are then
    not computed), or the first one with the other's summary appended."""
    from bounds import checks

    K = np.concatenate(df["K"].to_list())
    series = {c: np.concatenate(df[c].to_list()) for c in columns}
    zero = [c for c in columns if (series[c] <= 0).any()]
    if zero:  # noise makes an exact zero impossible: the learner ignores its data there
        return checks.Verdict(False, 0.0, -0.5, f"{', '.join(zero)} is exactly 0 on some run: no estimation error "
                              "means no estimation", {"summary": f"{zero[0]} = 0"})
    verdicts = []
    for c in columns:  # stop at the first failure: the bootstrap is the costly part of the power report
        verdicts.append(checks.rate(K, series[c], -0.5, tol=tol, n_boot=N_BOOT, rng=0))
        if not verdicts[-1].passed:
            break
    v = verdicts[-1] if not verdicts[-1].passed else verdicts[0]
    summary = "; ".join(f"{c} {u.details['summary']}" for c, u in zip(columns, verdicts))
    return checks.Verdict(v.passed, v.statistic, v.threshold, " | ".join(u.explanation for u in verdicts),
                          dict(v.details, summary=summary))


def learn(method: str, data: OfflineDataset, model: LinearMDP, **kw) -> OfflineResult:
    """Train ``method`` (a key of :data:`solvers.offline.LEARNERS`) with the model's known reward
    ``theta`` (every learner but PEVI, which regresses the reward jointly)."""
    if method != "pevi":
        kw.setdefault("theta", model.theta)
    return fit(method, data, **kw)


def dataset_for(model: LinearMDP, K: int, behaviour, seed: int, replication: int = 0,
                compressed: bool = False) -> OfflineDataset:
    """Replication ``replication`` of the seeded dataset (its own stream): ``K`` trajectories, or with
    ``compressed=True`` their per-stage counts (:func:`mdptheory.offline.collect_counts`, same law, O(1) in K)."""
    return (collect_counts if compressed else collect)(model, K, behaviour, replication_rng(seed, replication))
