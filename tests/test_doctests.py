"""Run the ``Examples`` sections of every docstring in the five packages as doctests."""
import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("mdptheory", "solvers", "bounds", "experiments", "paper_figs")


def _modules_with_examples():
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names = [pkg_name] + [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg_name + ".")]
        for name in names:
            module = importlib.import_module(name)
            if doctest.DocTestFinder().find(module) and any(t.examples for t in doctest.DocTestFinder().find(module)):
                yield name


@pytest.mark.parametrize("name", sorted(set(_modules_with_examples())))
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples failed in {name}"
