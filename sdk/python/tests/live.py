"""Helpers of the tests against a real `nullspace up` (run by
tests/interop/python_sdk.sh, which exports NULLSPACE_TEST_HOME, the folder
of that `up` with the config it wrote). Without it these tests skip."""

import os

import pytest

from nullspace import NotFoundError, Sandbox
from nullspace.config import load_config

LIVE_HOME = os.environ.get("NULLSPACE_TEST_HOME", "")

needs_live = pytest.mark.skipif(
    not LIVE_HOME, reason="no NULLSPACE_TEST_HOME: run tests/interop/python_sdk.sh for these"
)


def live_config():
    """(api_url, api_key) of the `up` under test, from the config it wrote."""
    url, key = load_config(LIVE_HOME)
    assert url and key, f"{LIVE_HOME}/config names no API"
    return url, key


class Sandboxes:
    """Creates sandboxes and kills every one of them at the end of a test."""

    def __init__(self):
        self.made = []

    def create(self, **kw):
        sb = Sandbox.create(**kw)
        self.made.append(sb)
        return sb

    def track(self, sb):
        self.made.append(sb)
        return sb

    def kill_all(self):
        for sb in self.made:
            try:
                sb.kill()
            except NotFoundError:
                pass


def route_missing(e):
    """True when an error is the API's answer to a route it does not have
    (not to a sandbox or file it does not know)."""
    return isinstance(e, NotFoundError) and e.message == "no such route"
