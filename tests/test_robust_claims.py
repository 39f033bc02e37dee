"""The robust claims (sanity limits, interior radii against the cvxpy primal, DP against brute force): each is
verified on its quick grid with every control it names rejected (judged in memory, as ``verify --quick``)."""
from __future__ import annotations

import numpy as np
import pytest

from claims_in_memory import judge_quick
from experiments import robust_dp_brute, robust_inner_primal, robust_sanity, robust_vi

CLAIMS = robust_sanity.CLAIMS + robust_inner_primal.CLAIMS + robust_dp_brute.CLAIMS + robust_vi.CLAIMS


def _marks(claim):
    # the cvxpy-backed claim costs ~7 s; its agreement at interior radii is also the fast
    # test_robust_inner.py::test_matches_cvxpy_primal_each_combination
    return pytest.param(claim, marks=pytest.mark.slow) if claim in robust_inner_primal.CLAIMS else claim


@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")
@pytest.mark.parametrize("claim", [_marks(c) for c in CLAIMS], ids=lambda c: c.name)
def test_claim_verified_and_controls_rejected(claim):
    result = judge_quick(claim)
    assert result.status == "verified", (result.status, result.verdict, result.control_verdicts, result.error)


def test_interior_parameters_are_interior():
    """The radii of robust-inner-primal lie strictly between the nominal (0) and the collapse radius."""
    p0 = np.array([0.5, 0.3, 0.2, 0.0])
    V = np.array([3.0, 1.0, 2.0, 0.5])
    # TV: collapse once 1 - p0(argmin V over all states) = 1 is moved; KL/chi2: p0(support argmin) = 0.3
    assert robust_inner_primal.interior_param("tv", "cons", p0, V, 1.0) == pytest.approx(0.85)
    assert robust_inner_primal.interior_param("kl", "cons", p0, V, 0.0) == pytest.approx(0.15 * -np.log(0.3))
    assert robust_inner_primal.interior_param("chi2", "cons", p0, V, 0.5) == pytest.approx(0.5 * (1 / 0.3 - 1))
    assert robust_inner_primal.interior_param("kl", "reg", p0, V, 0.75) == pytest.approx(2.5)


def test_brute_force_enumerates_every_policy_in_product_order():
    """At rho = 0 the brute-force values are nominal evaluations; entry policy_index(p) belongs to policy p."""
    from mdptheory.linear import random_d_rectangular
    from mdptheory.uncertainty import TV

    model = random_d_rectangular(3, 2, 2, 2, rng=0)
    vals = robust_dp_brute.all_policy_values(model, TV(rho=0.0), "sa")
    assert vals.shape == (2 ** 6, 3, 3)
    tab = model.to_tabular()
    rng = np.random.default_rng(0)
    for _ in range(5):
        pol = rng.integers(0, 2, size=(2, 3))
        V = np.zeros((3, 3))
        for h in (1, 0):                       # nominal evaluation by hand
            V[h] = tab.R[h, np.arange(3), pol[h]] + tab.P[h, np.arange(3), pol[h]] @ V[h + 1]
        np.testing.assert_allclose(vals[robust_dp_brute.policy_index(pol, 2)], V, atol=1e-12)
