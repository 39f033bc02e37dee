"""Plug-in discovery: every good module is imported, a broken one is recorded, not fatal."""
import sys

import pytest

from mdptheory.discovery import import_submodules


def test_broken_module_is_recorded_and_others_still_load(tmp_path, monkeypatch):
    pkg = tmp_path / "plugpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "good.py").write_text("VALUE = 1\n")
    (pkg / "broken.py").write_text("raise RuntimeError('boom')\n")
    (pkg / "_private.py").write_text("raise RuntimeError('never imported')\n")
    (pkg / "skipped.py").write_text("raise RuntimeError('never imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    errors: dict[str, str] = {}
    with pytest.warns(UserWarning, match="plugpkg.broken failed to import: RuntimeError: boom"):
        mods = import_submodules("plugpkg", [str(pkg)], skip=("skipped",), errors=errors)
    assert [m.__name__ for m in mods] == ["plugpkg.good"]
    assert errors == {"broken": "RuntimeError: boom"}
    for name in [n for n in sys.modules if n.startswith("plugpkg")]:
        monkeypatch.delitem(sys.modules, name)
