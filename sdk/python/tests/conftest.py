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


@pytest.fixture
def live(monkeypatch):
    """The `up` under test, found through its config file (NULLSPACE_HOME)."""
    from live import LIVE_HOME

    if not LIVE_HOME:
        pytest.skip("no NULLSPACE_TEST_HOME: run tests/interop/python_sdk.sh for these")
    monkeypatch.setenv("NULLSPACE_HOME", LIVE_HOME)
    return LIVE_HOME


@pytest.fixture
def sandboxes(live):
    from live import Sandboxes

    s = Sandboxes()
    yield s
    s.kill_all()
