"""Uncertainty sets: construction, validation (Hypothesis-fuzzed), divergences and conventions."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdptheory import KL, TV, ChiSquare
from mdptheory.uncertainty import UncertaintySet

CLASSES = (TV, KL, ChiSquare)


@pytest.mark.parametrize("cls", CLASSES)
def test_forms_and_repr(cls):
    u = cls(0.2)
    assert not u.is_regularized and u.rho == 0.2 and u.lam is None and u.param == 0.2
    r = u.regularized(3.0)
    assert type(r) is cls and r.is_regularized and r.lam == 3.0 and r.rho is None
    assert r.constrained(0.1).rho == 0.1
    assert repr(u) == f"{cls.__name__}(rho=0.2)" and repr(r) == f"{cls.__name__}(lam=3.0)"
    assert cls(rho=np.inf).rho == np.inf and cls(lam=np.inf).lam == np.inf
    table = cls(np.array([[0.0, 0.1], [0.2, 0.3]]))
    assert table.param_rows((2, 2)).shape == (2, 2)
    with pytest.raises(ValueError, match="does not broadcast"):
        table.param_rows((3, 2))


def test_divergence_conventions():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    assert TV(0).divergence(p, q) == pytest.approx(0.5)  # half L1
    assert KL(0).divergence(p, q) == pytest.approx(np.log(2))
    assert ChiSquare(0).divergence(p, q) == pytest.approx(2 * 0.25**2 / 0.25 + 0.5)  # f(t) = (t-1)^2
    assert KL(0).divergence(q, p) == np.inf and ChiSquare(0).divergence(q, p) == np.inf
    assert TV(0.25).contains(np.array([0.5, 0.25, 0.25]), q)
    assert not TV(0.2).contains(np.array([0.5, 0.25, 0.25]), q)
    with pytest.raises(ValueError, match="regularized"):
        TV(lam=1.0).contains(p, q)


def test_base_class_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        UncertaintySet(rho=0.1)


@pytest.mark.parametrize("cls", CLASSES)
def test_bad_arguments(cls):
    with pytest.raises(ValueError, match=r"rho = -0.1 is invalid; rho must be >= 0"):
        cls(-0.1)
    with pytest.raises(ValueError, match=r"lam = 0.0 is invalid; lam must be > 0"):
        cls(lam=0.0)
    with pytest.raises(ValueError, match="lam must be > 0"):
        cls(0.1).regularized(-1)
    with pytest.raises(ValueError, match="exactly one of rho"):
        cls()
    with pytest.raises(ValueError, match="exactly one of rho"):
        cls(rho=0.1, lam=1.0)
    with pytest.raises(ValueError, match="NaN"):
        cls(float("nan"))
    with pytest.raises(TypeError, match="must be a number"):
        cls("big")
    with pytest.raises(TypeError, match="must be a number"):
        cls(True)
    with pytest.raises(ValueError, match=r"rho\[1\] = -1.0"):
        cls(np.array([0.1, -1.0]))


@given(
    cls=st.sampled_from(CLASSES),
    value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none(), st.booleans(), st.text(max_size=3),
                    st.lists(st.floats(-2, 2), max_size=3)),
    regularized=st.booleans(),
)
def test_fuzz_constructor(cls, value, regularized):
    """Every input either builds a valid set or raises a ValueError/TypeError naming the parameter."""
    kw = {"lam" if regularized else "rho": value}
    try:
        u = cls(**kw)
    except (ValueError, TypeError) as exc:
        assert ("lam" if regularized else "rho") in str(exc) or "exactly one" in str(exc)
        return
    p = np.asarray(u.param)
    assert not np.isnan(p).any()
    assert (p > 0).all() if regularized else (p >= 0).all()


@pytest.mark.parametrize("cls", [TV, KL, ChiSquare])
@pytest.mark.parametrize("kw", [{"rho": "0.1"}, {"lam": "1"}, {"rho": np.array(["0.1", "0.2"])}, {"lam": 1 + 0j}])
def test_string_or_complex_parameter_is_rejected(cls, kw):
    """Issue 11, item 5: TV("0.1") was accepted (NumPy parsed the string)."""
    which = next(iter(kw))
    with pytest.raises(TypeError, match=rf"^{cls.__name__}: {which} (must be a number|has complex dtype)"):
        cls(**kw)
