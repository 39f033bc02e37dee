"""Pure exploration (issue 21): RF-Express, RF-UCRL, BPI-UCRL, the NRoom and ALT'21 environments.

W is checked against a hand computation, the BPI-UCRL bounds against the KL-ball operator on the full simplex
(no reduction to one unobserved point), the fused loops against the episode-by-episode loop, the stopping rule
and its guarantee on a tiny instance with the theory constants, bad input, and the environments cell by cell.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdptheory import EpisodicMDP
from mdptheory.envs import alt21_gridworld, double_chain, garnet, nroom, nroom_layout
from solvers.exploration import BPIUCRL, RFUCRL, RFExpress, explore, rf_express_beta
from solvers.kl import kl_ball_max
from solvers.learners import check_learner

E = math.e


def _counts_agent(cls, counts: np.ndarray, **kw):
    """An agent of ``cls`` whose counts are set directly (``counts (H, S, A, S)``)."""
    H, S, A, _ = counts.shape
    agent = cls(S, A, H, kw.pop("rewards", None), **kw)
    agent.counts = counts.astype(float).copy()
    agent._support_nz, agent._support_new = None, []
    return agent


# ----------------------------------------------------------------------------------------- W by hand
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_rf_express_W_matches_a_hand_computation(backend):
    """H = 2, S = 2, A = 1: every W entry written out from the paper's recursion (Menard et al. 2021, Sec. 3)."""
    counts = np.zeros((2, 2, 1, 2))
    counts[0, 0, 0] = [3, 1]          # stage 0, state 0: n = 4; state 1 unvisited
    counts[1, 0, 0] = [2, 0]          # stage 1, state 0: n = 2
    counts[1, 1, 0] = [0, 1]          # stage 1, state 1: n = 1
    scale, delta = 1e-3, 0.1
    agent = _counts_agent(RFExpress, counts, eps=0.1, delta=delta, bonus_scale=scale, backend=backend)
    agent.policy()

    def beta(n):   # log(3 S A H / delta) + S log(8 e (n + 1)), S = 2, A = 1, H = 2
        return math.log(3 * 2 * 1 * 2 / delta) + 2 * math.log(8 * E * (n + 1))

    H = 2
    w10 = min(H, 15 * H**2 * scale * beta(2) / 2)
    w11 = min(H, 15 * H**2 * scale * beta(1) / 1)
    w00 = min(H, 15 * H**2 * scale * beta(4) / 4 + 1.5 * (0.75 * w10 + 0.25 * w11))
    w01 = H                                           # unvisited: W = H (the scaled bonus does not apply)
    assert agent.W[1, :, 0] == pytest.approx([w10, w11], rel=1e-13)
    assert agent.W[0, :, 0] == pytest.approx([w00, w01], rel=1e-13)
    mu0 = np.array([1.0, 0.0])
    assert agent.certificate(mu0) == pytest.approx(3 * E * math.sqrt(w00) + w00, rel=1e-13)
    assert rf_express_beta(2, 2, 1, 2, delta) == pytest.approx(beta(2))


def test_rf_ucrl_E_matches_a_hand_computation():
    counts = np.zeros((2, 1, 2, 1))
    counts[0, 0, 0, 0] = 5
    counts[1, 0, 1, 0] = 3
    agent = _counts_agent(RFUCRL, counts, eps=0.1, delta=0.2, bonus_scale=0.1)
    agent.policy()
    beta = lambda n: math.log(3 * 1 * 2 * 2 / 0.2) + math.log(8 * E * (n + 1))  # noqa: E731
    H = 2
    e1 = [H, min(H, 0.1 * H * math.sqrt(beta(3) / 3))]     # stage 1: action 0 unvisited (H sqrt(beta(0)) > H)
    assert agent.W[1, 0] == pytest.approx(e1, rel=1e-13)
    e0 = [min(H, 0.1 * H * math.sqrt(beta(5) / 5) + max(e1)), H]
    assert agent.W[0, 0] == pytest.approx(e0, rel=1e-13)
    assert agent.certificate(np.ones(1)) == pytest.approx(max(e0))


def test_clip_options_follow_the_official_code():
    """``clip='none'`` (the NRoom experiment) leaves W above H; ``'v'`` clips V only; unvisited bonus is official."""
    counts = np.zeros((2, 2, 2, 2))
    counts[0, 0, 0] = [1, 1]
    a = {c: _counts_agent(RFExpress, counts, clip=c) for c in ("w", "v", "none")}
    for ag in a.values():
        ag.policy()
    assert a["w"].W.max() == 2.0
    b0 = 15 * 4 * rf_express_beta(0, 2, 2, 2, 0.1)
    assert a["none"].W[1, 0, 0] == pytest.approx(b0)                   # official initial bonus 15 H^2 beta(0)
    assert a["v"].W[1, 0, 0] == pytest.approx(b0) and a["v"].V[1].max() == 2.0
    assert a["v"].W[0, 0, 0] < a["none"].W[0, 0, 0]


# ------------------------------------------------------------------------------------- KL operators
@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("lower", ["policy", "max"])
def test_bpi_bounds_equal_the_kl_ball_on_the_full_simplex(backend, lower):
    """Each Q entry equals r + the KL-ball max/min over all S next states (unobserved ones with p = 0), computed
    by :func:`solvers.kl.kl_ball_max` row by row: the kernel's one-unobserved-point reduction is exact."""
    rng = np.random.default_rng(3)
    H, S, A = 3, 5, 2
    counts = rng.integers(0, 4, (H, S, A, S)) * (rng.random((H, S, A, S)) < 0.5)
    counts[:, 2] = 0
    R = rng.random((H, S, A))
    agent = _counts_agent(BPIUCRL, counts, rewards=R, eps=0.1, delta=0.1, lower=lower, radius_scale=0.3,
                          backend=backend)
    agent.policy()
    Vu, Vl = np.zeros((H + 1, S)), np.zeros((H + 1, S))
    for h in range(H - 1, -1, -1):
        n = counts[h].sum(axis=-1)
        P = np.where(n[..., None] > 0, counts[h] / np.maximum(n, 1)[..., None], 0.0).reshape(-1, S)
        beta = math.log(3 * S * A * H / 0.1) + S * np.log(8 * E * (n.reshape(-1) + 1))
        c = np.where(n.reshape(-1) > 0, 0.3 * beta / np.maximum(n.reshape(-1), 1), np.inf)
        P[n.reshape(-1) == 0] = np.eye(S)[0]            # any law: c = inf gives the whole simplex
        up = kl_ball_max(P, np.broadcast_to(Vu[h + 1], P.shape), c)[0].reshape(S, A)
        lo = -kl_ball_max(P, np.broadcast_to(-Vl[h + 1], P.shape), c)[0].reshape(S, A)
        Qu = np.minimum(R[h] + up, H - h)
        Ql = np.maximum(R[h] + lo, 0.0)
        np.testing.assert_allclose(agent.Q[h], Qu, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(agent.Q_low[h], Ql, rtol=1e-12, atol=1e-12)
        Vu[h] = agent.V[h]
        Vl[h] = Ql[np.arange(S), agent.pi_up[h]] if lower == "policy" else Ql.max(axis=1)
        np.testing.assert_allclose(agent.V_low[h], Vl[h], rtol=1e-12, atol=1e-12)


def test_bpi_bounds_sandwich_the_true_values():
    """On a run with the theory radius: Vlo_1 <= V^{recommended}_1 <= V*_1 <= Vup_1 at the stopping time."""
    from experiments.independent import backward_values

    env = garnet(4, 2, 2, rng=5, H=3)
    for lower in ("policy", "max"):
        agent = BPIUCRL(env.S, env.A, env.H, env.R, eps=0.3, delta=0.05, lower=lower)
        res = explore(agent, env, 200_000, rng=1)
        assert res.stopped
        v_pi = env.mu0 @ backward_values(env.P, env.R, res.policy)[0]
        v_star = env.mu0 @ backward_values(env.P, env.R)[0]
        assert res.extra["lower"] - 1e-12 <= v_pi <= v_star + 1e-12 <= res.extra["upper"] + 2e-12
        assert v_star - v_pi <= 0.3


# ------------------------------------------------------------------------------------- the loops
@pytest.mark.parametrize("cls, kw", [(RFExpress, {"bonus_scale": 1e-4, "eps": 1.5}),
                                     (RFUCRL, {"bonus_scale": 0.05, "eps": 0.6}),
                                     (BPIUCRL, {"radius_scale": 0.1, "lower": "max", "eps": 0.6})])
def test_fused_loop_is_the_episode_loop(cls, kw):
    env = garnet(4, 2, 2, rng=2, H=3)
    runs = []
    for fast in (True, False):
        agent = cls(env.S, env.A, env.H, env.R, delta=0.1, **kw)
        runs.append(explore(agent, env, 3000, rng=7, fast=fast))
    a, b = runs
    assert (a.tau, a.stopped) == (b.tau, b.stopped) and a.stopped
    np.testing.assert_array_equal(a.certificates, b.certificates)
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.policy, b.policy)
    assert a.certificates[-1] <= a.threshold < a.certificates[-2]       # tau = the first t with the certificate low


def test_fixed_episode_count_and_continuation():
    env = garnet(3, 2, 2, rng=0, H=2)
    agent = RFExpress(env.S, env.A, env.H, eps=0.01)
    res = explore(agent, env, 500, rng=0, stop=False)
    assert (res.tau, res.stopped, res.certificates.size) == (500, False, 501)
    assert res.counts.sum() == 500 * env.H
    assert np.all(np.diff(res.certificates) <= 1e-12)       # more data never raises the clipped error bound here
    assert "did not stop" in res.message


def test_rf_express_key_lemma_at_stopping_with_theory_constants():
    """H = 2 (the second stage's law is learnt): at the stopping time with bonus_scale = 1, every deterministic
    policy's value under every reward of the family is within the certificate of its value in P_hat."""
    from experiments.independent import backward_values

    rng = np.random.default_rng(1)
    H, S, A = 2, 2, 2
    P = rng.dirichlet(np.ones(S), size=(H, S, A))
    env = EpisodicMDP(P, np.zeros((H, S, A)), np.array([1.0, 0.0]))
    res = explore(RFExpress(S, A, H, eps=2.0, delta=0.1), env, 10**7, rng=0)
    assert res.stopped
    rewards = [rng.random((H, S, A)) for _ in range(10)]
    rewards += [np.broadcast_to(np.eye(S)[s][:, None], (H, S, A)).copy() for s in range(S)]
    worst = 0.0
    for r in rewards:
        for flat in itertools.product(range(A), repeat=H * S):
            pi = np.array(flat, dtype=np.int64).reshape(H, S)
            worst = max(worst, abs(backward_values(res.P_hat, r, pi)[0, 0] - backward_values(P, r, pi)[0, 0]))
    assert worst <= res.certificate <= 1.0


# ------------------------------------------------------------------------------------------ contract
@pytest.mark.parametrize("cls, kw", [(RFExpress, {}), (RFUCRL, {"clip": "none"}), (BPIUCRL, {}),
                                     (BPIUCRL, {"lower": "max", "beta": "alt21", "stage_dependent": False})])
def test_check_learner(cls, kw):
    check_learner(cls, **kw)


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("cls", [RFExpress, RFUCRL, BPIUCRL])
@pytest.mark.parametrize("kw, word", [({"eps": 0.0}, "eps"), ({"eps": -1.0}, "eps"), ({"eps": float("nan")}, "eps"),
                                      ({"delta": 0.0}, "delta"), ({"delta": 1.0}, "delta"),
                                      ({"delta": 1.5}, "delta"), ({"H": 0}, "H"), ({"H": 2.5}, "H")])
def test_bad_input_names_the_argument(cls, kw, word):
    args = {"S": 2, "A": 2, "H": 2, "eps": 0.1, "delta": 0.1, **kw}
    S, A, H = args.pop("S"), args.pop("A"), args.pop("H")
    with pytest.raises((ValueError, TypeError), match=word):
        cls(S, A, H, np.zeros((2, 2)), **args)


@settings(max_examples=60, deadline=None)
@given(eps=st.floats(allow_nan=True, allow_infinity=True), delta=st.floats(allow_nan=True, allow_infinity=True))
def test_fuzz_eps_delta(eps, delta):
    ok = (eps > 0 and math.isfinite(eps)) and 0 < delta < 1
    if ok:
        RFExpress(2, 2, 2, eps=eps, delta=delta)
    else:
        with pytest.raises(ValueError, match="eps|delta"):
            RFExpress(2, 2, 2, eps=eps, delta=delta)


def test_other_bad_input():
    with pytest.raises(ValueError, match="clip"):
        RFExpress(2, 2, 2, clip="W")
    with pytest.raises(ValueError, match="lower"):
        BPIUCRL(2, 2, 2, np.zeros((2, 2)), lower="min")
    with pytest.raises(TypeError, match="rewards"):
        BPIUCRL(2, 2, 2)
    with pytest.raises(ValueError, match="bonus_scale"):
        RFExpress(2, 2, 2, bonus_scale=0.0)
    env = garnet(3, 2, 2, rng=0, H=2)
    with pytest.raises(ValueError, match="max_episodes"):
        explore(RFExpress(3, 2, 2), env, -1)
    with pytest.raises(ValueError, match=r"\(S, A, H\)"):
        explore(RFExpress(3, 2, 3), env, 10)
    with pytest.raises(TypeError, match="pure-exploration"):
        explore(object(), env, 10)


# ------------------------------------------------------------------------------------------ environments
NROOM_15 = """\
.....#.....#.....#.....#.....
.....#.....#.....#.....#.....
..F..D.....D.....D.....D.....
.....#.....#.....#.....#.....
.....#.....#.....#.....#.....
##########################D##
.....#.....#.....#.....#.....
.....#.....#.....#.....#.....
.....D.....D..S..D.....D.....
.....#.....#.....#.....#.....
.....#.....#.....#.....#.....
##D##########################
.....#.....#.....#.....#.....
.....#.....#.....#.....#.....
.....D.....D.....D.....D..G..
.....#.....#.....#.....#.....
.....#.....#.....#.....#....."""


def test_nroom_layout_cell_by_cell():
    """The paper's layout (spec 4.6): 3 x 5 rooms of 5 x 5 in snake order, one door in the middle of every
    vertical wall, the turns at the right end of row 0 and the left end of row 1; 17 x 29, S = 389, start in
    the central room (the 8th in snake order)."""
    lay = nroom_layout()
    assert lay.ascii() == NROOM_15
    assert (lay.nrows, lay.ncols, len(lay.cells), len(lay.doors)) == (17, 29, 389, 14)
    assert lay.start == (8, 14) and lay.rooms[7] == (1, 2)
    assert [len(nroom_layout(n).cells) for n in (1, 5, 7, 15)] == [25, 129, 181, 389]
    env = nroom()
    assert (env.S, env.A, env.H) == (389, 4, 30)
    assert env.mu0[lay.cells.index(lay.start)] == 1.0


def test_nroom_transitions():
    lay = nroom_layout()
    env = nroom()
    P = env.P[0]
    cells = lay.cells
    at = {c: i for i, c in enumerate(cells)}
    s = at[lay.start]                                  # centre of a room: 4 valid neighbours
    left, right, down, up = (8, 13), (8, 15), (9, 14), (7, 14)
    for a, target in enumerate((left, right, down, up)):
        assert P[s, a, at[target]] == pytest.approx(0.95)
        for other in {left, right, down, up} - {target}:
            assert P[s, a, at[other]] == pytest.approx(0.05 / 3)
    door = at[(8, 17)]                                 # a vertical door: only left and right are valid
    assert P[door, 1, at[(8, 18)]] == pytest.approx(0.95) and P[door, 1, at[(8, 16)]] == pytest.approx(0.05)
    assert P[door, 2, door] == 1.0                     # into a wall: stay put (rlberry's GridWorld rule)
    np.testing.assert_allclose(P.sum(axis=-1), 1.0)


def test_double_chain_and_alt21_grid():
    env = double_chain(5, 0.1, H=4)
    assert (env.S, env.A, env.H) == (5, 2, 4) and env.mu0[2] == 1.0
    P = env.P[0]
    assert P[2, 1, 3] == pytest.approx(0.9) and P[2, 1, 1] == pytest.approx(0.1)
    assert P[0, 0, 0] == pytest.approx(0.9) and P[0, 0, 1] == pytest.approx(0.1)
    assert env.R[0, 4, 1] == pytest.approx(0.9) and env.R[0, :4].max() == 0.0
    assert double_chain(6).mu0[2] == 1.0
    g = alt21_gridworld(5, start=(2, 2), reward_at={(2, 3): 1.0}, success_prob=0.95, H=3)
    assert g.S == 25 and g.mu0[12] == 1.0
    assert g.P[0, 12, 1, 13] == pytest.approx(0.95)          # action 1 = right
    assert g.P[0, 12, 2, 7] == pytest.approx(0.95)           # action 2 = up (row - 1)
    assert g.R[0, 12, 1] == pytest.approx(0.95)              # reward on arrival at (2, 3)
    with pytest.raises(ValueError, match="L"):
        double_chain(1)


def test_fixed_rows_round_trip():
    """The fused loops' fixed-capacity rows and the dense counts convert both ways exactly (continuation)."""
    rng = np.random.default_rng(4)
    counts = rng.integers(0, 3, (3, 5, 2, 5)) * (rng.random((3, 5, 2, 5)) < 0.4)
    agent = _counts_agent(RFExpress, counts)
    start, stop, idx, cnt = agent._fixed_rows()
    assert np.all(np.diff(idx[start[0]:stop[0]]) > 0) if stop[0] - start[0] > 1 else True
    agent._dense_from_rows(start, stop, idx, cnt)
    np.testing.assert_array_equal(agent.counts, counts)
    env = garnet(5, 2, 3, rng=1, H=3)
    agent = RFExpress(5, 2, 3)
    explore(agent, env, 40, rng=0, stop=False)
    explore(agent, env, 60, rng=1, stop=False)
    assert agent.counts.sum() == 100 * 3


# ------------------------------------------------------------------------------ constructor fuzzing
from fuzz_inputs import NOT_A_NUMBER, clear_error_or  # noqa: E402

_BAD = [(label, value, False) for label, value in NOT_A_NUMBER]
_POS = _BAD + [("negative", -0.5, False), ("zero", 0.0, False), ("inf", float("inf"), False),
               ("float32", np.float32(0.5), True), ("int", 2, True)]
_PROB = _BAD + [("zero", 0.0, False), ("one", 1.0, False), ("half", 0.5, True), ("float32", np.float32(0.1), True),
                ("negative", -0.1, False)]
_INTS = [("zero", 0, False), ("negative", -2, False), ("float", 2.5, False), ("string", "2", False),
         ("bool", True, False)]
_COMMON = {"eps": _POS, "delta": _PROB, "H": _INTS, "S": _INTS}
_TABLE = {
    RFExpress: {**_COMMON, "bonus_scale": _POS, "clip": [("x", "W", False), ("none", None, False), ("v", "v", True)]},
    RFUCRL: {**_COMMON, "bonus_scale": _POS},
    BPIUCRL: {**_COMMON, "radius_scale": _POS, "lower": [("x", "min", False), ("max", "max", True)],
              "beta": [("x", "kl", False), ("alt21", "alt21", True)]},
}
_CASES = [pytest.param(cls, arg, i, id=f"{cls.__name__}-{arg}-{tab[arg][i][0]}")
          for cls, tab in _TABLE.items() for arg in tab for i in range(len(tab[arg]))]


@pytest.mark.parametrize("cls, arg, i", _CASES)
def test_constructor_arguments(cls, arg, i):
    """A bad argument is a ValueError/TypeError naming it; an accepted one is recorded and the agent plans."""
    _, value, valid = _TABLE[cls][arg][i]
    env = garnet(3, 2, 2, rng=0, H=2)
    sizes = {"S": env.S, "A": env.A, "H": env.H}
    kwargs = {}
    if arg in sizes:
        sizes[arg] = value
    else:
        kwargs[arg] = value

    def check(agent):
        if isinstance(value, (float, int, np.floating)) and arg not in sizes:
            assert float(getattr(agent, arg)) == float(value)
        pi = agent.policy()
        assert pi.shape == (env.H, env.S) and pi.dtype == np.int64

    clear_error_or(lambda: cls(sizes["S"], sizes["A"], sizes["H"], env.R, **kwargs), [arg, "rewards"], not valid,
                   check)
