"""Shared fixtures: a clean environment for every test (no NULLSPACE_*
variable, HOME a temporary folder) and the in-process API stub."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from stub import Stub  # noqa: E402


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("NULLSPACE_API_URL", "NULLSPACE_API_KEY", "NULLSPACE_HOME"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def stub():
    s = Stub()
    yield s
    s.close()
