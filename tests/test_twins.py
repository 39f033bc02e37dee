"""Every registered JIT kernel against its NumPy twin: one test walks :func:`mdptheory.backends.registered`.

A kernel registered without example inputs in ``tests/twin_examples.py`` fails
``test_every_registered_kernel_has_examples``, so no kernel lands without its twin comparison. Outputs and
every array argument after the call (in-place kernels) must agree: integers exactly (greedy actions, ties
included: the examples contain exact ties), floats to ``RTOL`` of their scale (the Numba kernels may
reassociate sums, see ``solvers/_kernels/_numba_common.py``).
"""
from __future__ import annotations

import copy
import zlib

import numpy as np
import pytest

import mdptheory.sampling  # noqa: F401  (imports register their kernels)
import solvers  # noqa: F401
import solvers.exploration  # noqa: F401  (registers the exploration kernels)
import solvers.latent  # noqa: F401  (registers the latent-MDP kernels)
import solvers.learners  # noqa: F401
import solvers.ssp_evi  # noqa: F401
import solvers.tree_search  # noqa: F401
from mdptheory import backends
from solvers import _kernels as K
from solvers._kernels import _numba_common as NC
from twin_examples import EXAMPLES

RTOL = 1e-11


def assert_same(a, b, where: str) -> None:
    """Recursive comparison: tuples elementwise, integer/bool arrays exactly, floats to ``RTOL`` of scale."""
    if isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b), f"{where}: different structure"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
        return
    if a is None or b is None or isinstance(a, (bool, str)):
        assert a == b, f"{where}: {a!r} vs {b!r}"
        return
    if hasattr(a, "toarray"):  # a sparse argument: compare its stored values
        a, b = a.toarray(), b.toarray()
    x, y = np.asarray(a), np.asarray(b)
    assert x.shape == y.shape, f"{where}: shapes {x.shape} vs {y.shape}"
    if x.dtype.kind in "biu" or y.dtype.kind in "biu":
        assert np.array_equal(x, y), f"{where}: integers differ at {np.argwhere(x != y)[:3].tolist()}"
        return
    finite = np.isfinite(x) & np.isfinite(y)
    assert np.array_equal(np.isfinite(x), np.isfinite(y)) and np.array_equal(x[~finite], y[~finite], equal_nan=True), \
        f"{where}: non-finite entries differ"
    scale = 1.0 + float(np.max(np.abs(x[finite]), initial=0.0))
    err = float(np.max(np.abs(x[finite] - y[finite]), initial=0.0))
    assert err <= RTOL * scale, f"{where}: max difference {err:.3g} > {RTOL:g} x scale {scale:.3g}"


def run_pair(name: str, args: tuple):
    outs = []
    for backend in backends.BACKENDS:
        a = copy.deepcopy(args)
        outs.append((backends.pick(name, backend)(*a), a))
    return outs


def set_compilation(monkeypatch, which: str) -> None:
    """Use the serial or the parallel (prange) compilation of the planning kernels."""
    monkeypatch.setattr(NC, "PARALLEL_MODE", "off" if which == "serial" else "on")
    monkeypatch.setattr(NC, "PARALLEL_MIN_WORK", 0)


#: Every kernel once; the planning kernels (which have a parallel compilation) a second time in parallel.
CASES = [(n, "serial") for n in sorted(EXAMPLES)] + [(n, "parallel") for n in sorted(EXAMPLES) if n.startswith("planning.")]


def test_every_registered_kernel_has_examples():
    missing = sorted(set(backends.registered()) - set(EXAMPLES))
    assert not missing, f"kernels registered without twin examples in tests/twin_examples.py: {missing}"
    assert len(backends.registered()) >= 17


@pytest.mark.parametrize("name, compilation", CASES)
def test_twins_agree(name, compilation, monkeypatch):
    set_compilation(monkeypatch, compilation)
    assert name in backends.registered(), f"{name} has examples but is not registered"
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # stable across processes (str hash is salted)
    cases = EXAMPLES[name](rng)
    assert cases, f"no example inputs for {name}"
    for i, args in enumerate(cases):
        (out_a, args_a), (out_b, args_b) = run_pair(name, args)
        assert_same(out_a, out_b, f"{name} case {i} output")
        assert_same(args_a, args_b, f"{name} case {i} arguments after the call")


def test_comparison_rejects_a_wrong_twin():
    """Negative control: a twin computing the Bellman sweep with a discount off by 1e-9 is caught."""
    args = EXAMPLES["planning.bellman"](np.random.default_rng(0))[2]
    P, R, V, gamma = args
    good = backends.pick("planning.bellman", "numba")(P, R, V, gamma)
    bad = backends.pick("planning.bellman", "numpy")(P, R, V, gamma * (1 + 1e-9) + 1e-9)
    with pytest.raises(AssertionError):
        assert_same(good, bad, "control")


def test_pick_and_check_backend_errors():
    with pytest.raises(ValueError, match="backend must be one of"):
        backends.pick("planning.bellman", "cuda")
    with pytest.raises(KeyError, match="no kernel"):
        backends.pick("planning.nothing", "numba")
    with pytest.raises(ValueError, match="already registered"):
        backends.register("planning.bellman", numba=len, numpy=len)
