"""bounds.Bound: construction, validation, evaluation, LaTeX, registry."""
from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import bounds
from bounds import Bound, register, registry

g, k, e0, c, T = sympy.symbols("gamma k e_0 c T", positive=True)
SYMS = {"gamma": "discount", "k": "iteration", "e_0": "initial error"}


def make(**kw):
    base = dict(name="test-demo", expr=g**k * e0, symbols=SYMS, source="Test (2024), Thm 1")
    base.update(kw)
    return Bound(**base)


def test_evaluate_scalar_and_vectorized():
    b = make()
    assert b.evaluate(gamma=0.5, k=2, e_0=4.0) == pytest.approx(1.0)
    out = b.evaluate(gamma=0.5, k=np.arange(4), e_0=1.0)
    np.testing.assert_allclose(out, 0.5 ** np.arange(4))
    assert isinstance(b.evaluate(gamma=0.5, k=1, e_0=1.0), float)


def test_constants_are_substituted_and_named():
    b = Bound("test-const", c * sympy.sqrt(T), {"T": "episodes"}, source="X (2020), Thm 2", constants={"c": 3.0})
    assert b.variables == ("T",)
    assert b.evaluate(T=4.0) == pytest.approx(6.0)
    assert "c=3" in b.describe()


def test_constant_expression_broadcasts_to_nothing():
    b = Bound("test-zero", sympy.Integer(0), {}, source="Y (2001), Lemma 1")
    assert b.evaluate() == 0.0


def test_missing_and_unknown_symbols_are_errors():
    b = make()
    with pytest.raises(TypeError, match="missing value.*e_0"):
        b.evaluate(gamma=0.5, k=1)
    with pytest.raises(TypeError, match="unknown symbol.*gama"):
        b.evaluate(gamma=0.5, k=1, e_0=1.0, gama=0.3)


@pytest.mark.parametrize(
    "kw, exc, match",
    [
        (dict(symbols={"gamma": "d", "k": "i"}), ValueError, "e_0.*not declared"),
        (dict(kind="sideways"), ValueError, "kind"),
        (dict(provenance="Z"), ValueError, "provenance"),
        (dict(source=""), ValueError, "source"),
        (dict(name=" "), ValueError, "name"),
        (dict(constants={"k": 1.0}), ValueError, "both symbols and constants"),
        (dict(expr=object()), TypeError, "SymPy"),
    ],
)
def test_constructor_validation(kw, exc, match):
    with pytest.raises(exc, match=match):
        make(**kw)


def test_latex_with_and_without_lhs():
    assert make().latex() == sympy.latex(g**k * e0)
    up = make(lhs=r"\|V_k - V^\star\|")
    assert up.latex().startswith(r"\|V_k - V^\star\| \leq ")
    assert make(kind="lower", lhs="x").latex().startswith(r"x \geq ")


def test_register_and_registry():
    b = register(make(name="test-registered"))
    assert registry()["test-registered"] is b
    register(make(name="test-registered"))  # same statement again (module reload): fine
    with pytest.raises(ValueError, match="already registered"):
        register(make(name="test-registered", expr=g**k))
    with pytest.raises(TypeError):
        register("not a bound")


def test_package_autoimports_planning_bounds_and_describes_them():
    names = set(registry())
    assert {"vi-contraction", "vi-iterations-eps-optimal", "pi-howard-iterations",
            "pi-monotone-improvement", "performance-difference", "simulation-lemma"} <= names
    lines = bounds.describe()
    assert any("Scherrer" in line and "pi-howard-iterations" in line for line in lines)
    assert bounds.import_errors == {}


@settings(max_examples=25)
@given(st.floats(0.01, 0.99), st.integers(0, 200), st.floats(0.0, 1e3))
def test_evaluate_matches_numpy_formula(gamma, kk, err0):
    assert make().evaluate(gamma=gamma, k=kk, e_0=err0) == pytest.approx(gamma**kk * err0, rel=1e-12, abs=1e-300)


@settings(max_examples=25)
@given(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()),
       st.sampled_from(["upper", "lower"]), st.sampled_from(sorted(bounds.PROVENANCE_TAGS)))
def test_constructor_fuzz_valid_metadata_roundtrips(name, kind, prov):
    b = make(name=name, kind=kind, provenance=prov)
    assert (b.name, b.kind, b.provenance) == (name, kind, prov)
    assert repr(name) in repr(b)


def test_every_bound_and_claim_names_a_paper_with_its_full_reference():
    """The report and `mdptheory list` give authors, title, venue and arXiv id: every source must resolve."""
    import experiments
    from bounds.references import reference_for

    real = {n: b for n, b in bounds.registry().items() if not n.startswith("test-")}   # tests register dummies
    missing = [f"bound {n}: {b.source}" for n, b in real.items() if not reference_for(b.source)]
    missing += [f"claim {n}: {c.source}" for n, c in experiments.all_claims().items() if not reference_for(c.source)]
    assert not missing, "sources without an entry in bounds/references.py: " + "; ".join(missing)
    sources = [b.source for b in real.values()] + [c.source for c in experiments.all_claims().values()]
    assert not [x for x in sources if "spec " in x.lower()], "a source cites the team's internal notes"
