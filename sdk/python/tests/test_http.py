"""The SDK against an in-process stub of the API: error mapping (status and
the API's message), timeouts, unreachable API, request shapes, decoding of
the sandbox and access objects, early answers during an upload."""

import socket
import time
from datetime import datetime, timezone

import pytest

from stub import json_answer

import nullspace
from nullspace import (APIConnectionError, APIError, APITimeoutError, AuthenticationError,
                       ConflictError, NotFoundError, NullspaceError, RateLimitError, Sandbox)

KEY = "nsk_" + "b" * 43
SB = {"id": "sb_abc123def456", "template": "base", "state": "running", "stop_reason": None,
      "created_at": "2026-11-28T10:00:00Z", "expires_at": "2026-11-28T10:10:00Z", "timeout": 600}
ACCESS = {
    "access_id": "acc_1", "sandbox_id": SB["id"], "user": SB["id"],
    "certificate": "ssh-ed25519-cert-v01@openssh.com AAAAsecret acc_1",
    "expires_at": "2026-11-28T10:10:00Z",
    "relay": {"host": "127.0.0.1", "port": 2222, "host_key": "ssh-ed25519 AAAAhk",
              "known_hosts": "[127.0.0.1]:2222 ssh-ed25519 AAAAhk"},
    "command": "ssh -i id_ed25519 -p 2222 sb_abc123def456@127.0.0.1",
}


@pytest.fixture
def env(monkeypatch, stub):
    monkeypatch.setenv("NULLSPACE_API_URL", stub.url)
    monkeypatch.setenv("NULLSPACE_API_KEY", KEY)
    return stub


def sandbox(stub):
    stub.route("GET", "/v1/sandboxes/" + SB["id"], json_answer(200, SB))
    return Sandbox.connect(SB["id"])


@pytest.mark.parametrize("status,cls", [
    (400, APIError), (401, AuthenticationError), (404, NotFoundError), (405, APIError),
    (409, ConflictError), (413, APIError), (429, RateLimitError), (500, APIError),
])
def test_status_maps_to_typed_error_with_message(env, status, cls):
    env.route("POST", "/v1/sandboxes", json_answer(status, {"error": f"the sentence {status}"}))
    with pytest.raises(cls) as e:
        Sandbox.create(template="base", timeout=600)
    assert type(e.value) is cls
    assert isinstance(e.value, APIError) and isinstance(e.value, NullspaceError)
    assert e.value.status == status
    assert str(e.value) == e.value.message == f"the sentence {status}"


def test_error_body_not_json(env):
    env.route("GET", "/v1/sandboxes", (502, {}, b"<html>bad gateway</html>"))
    with pytest.raises(APIError) as e:
        Sandbox.list()
    assert e.value.status == 502 and "502" in str(e.value)


def test_create_request_and_fields(env):
    env.route("POST", "/v1/sandboxes", json_answer(201, SB))
    sb = Sandbox.create(template="base", timeout=600)
    r = env.last()
    assert r.headers["Authorization"] == "Bearer " + KEY
    assert r.json() == {"template": "base", "timeout": 600}
    assert sb.id == SB["id"] and sb.template == "base" and sb.state == "running"
    assert sb.is_running and sb.stop_reason is None and sb.timeout == 600
    assert sb.created_at == datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
    assert sb.expires_at == datetime(2026, 11, 28, 10, 10, tzinfo=timezone.utc)
    Sandbox.create()
    assert env.last().json() == {}


def test_keep_awake_fields(env):
    awake = dict(SB, max_lifetime=3600, max_expires_at="2026-11-28T11:00:00Z",
                 last_activity_at="2026-11-28T10:05:00Z", expires_at="2026-11-28T10:15:00Z")
    env.route("POST", "/v1/sandboxes", json_answer(201, awake))
    sb = Sandbox.create(timeout=600, max_lifetime=3600)
    assert env.last().json() == {"timeout": 600, "max_lifetime": 3600}
    assert sb.max_lifetime == 3600
    assert sb.max_expires_at == datetime(2026, 11, 28, 11, 0, tzinfo=timezone.utc)
    assert sb.last_activity_at == datetime(2026, 11, 28, 10, 5, tzinfo=timezone.utc)
    # an older server: the fixed deadline
    old = sandbox(env)
    assert old.max_lifetime == 600 and old.max_expires_at == old.expires_at
    assert old.last_activity_at is None
    env.route("GET", "/v1/sandboxes/" + SB["id"],
              json_answer(200, dict(SB, max_lifetime="1h")))
    with pytest.raises(APIError):
        old.refresh()


def test_list_connect_kill(env):
    stopped = dict(SB, id="sb_zzz", state="stopped", stop_reason="killed")
    env.route("GET", "/v1/sandboxes", json_answer(200, {"sandboxes": [SB, stopped]}))
    assert [s.id for s in Sandbox.list()] == [SB["id"], "sb_zzz"]
    sb = sandbox(env)
    env.route("DELETE", "/v1/sandboxes/" + SB["id"], json_answer(200, dict(SB, state="stopped", stop_reason="killed")))
    assert sb.kill() is None
    assert sb.state == "stopped" and sb.stop_reason == "killed" and not sb.is_running


@pytest.mark.parametrize("bad", ["sb/../x", "", "sb 1", "sb_é", "a?b"])
def test_bad_sandbox_id_refused_before_any_request(env, bad):
    with pytest.raises(ValueError):
        Sandbox.connect(bad)
    assert env.requests == []


def test_malformed_answers_are_api_errors(env):
    env.route("POST", "/v1/sandboxes", json_answer(201, {"id": 5}))
    with pytest.raises(APIError, match="cannot read"):
        Sandbox.create()
    env.route("GET", "/v1/sandboxes", (200, {}, b"not json"))
    with pytest.raises(APIError, match="not JSON"):
        Sandbox.list()
    env.route("GET", "/v1/sandboxes", (200, {}, b"[" * 10 + b" " * (1024 * 1024)))
    with pytest.raises(APIError, match="over"):
        Sandbox.list()


def test_ssh_access(env):
    sb = sandbox(env)
    env.route("POST", f"/v1/sandboxes/{SB['id']}/ssh-access", json_answer(201, ACCESS))
    a = sb.create_ssh_access(public_key="ssh-ed25519 AAAAk me@host\n", expires_in_minutes=10)
    assert env.last().json() == {"public_key": "ssh-ed25519 AAAAk me@host", "expires_in_minutes": 10}
    assert a.command == ACCESS["command"] and a.certificate == ACCESS["certificate"]
    assert a.access_id == "acc_1" and a.user == SB["id"]
    assert a.expires_at == datetime(2026, 11, 28, 10, 10, tzinfo=timezone.utc)
    assert (a.relay_host, a.relay_port) == ("127.0.0.1", 2222)
    assert a.relay_host_key == "ssh-ed25519 AAAAhk" and a.known_hosts == ACCESS["relay"]["known_hosts"]
    assert a.websocket_url is None
    assert "secret" not in repr(a) and "ssh -i" not in repr(a)
    env.route("POST", f"/v1/sandboxes/{SB['id']}/ssh-access",
              json_answer(201, dict(ACCESS, websocket_url="ws://127.0.0.1:1/x?sig=1")))
    assert sb.create_ssh_access("ssh-ed25519 AAAAk").websocket_url == "ws://127.0.0.1:1/x?sig=1"
    # the permits go in the request only when given
    assert "permit_port_forwarding" not in env.last().json()
    sb.create_ssh_access("ssh-ed25519 AAAAk", permit_port_forwarding=False,
                         permit_agent_forwarding=True)
    assert env.last().json() == {"public_key": "ssh-ed25519 AAAAk", "permit_port_forwarding": False,
                                 "permit_agent_forwarding": True}


def test_unreachable_api():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(APIConnectionError) as e:
        Sandbox.list(api_url=f"http://127.0.0.1:{port}", api_key=KEY)
    assert e.value.status is None and f"127.0.0.1:{port}" in str(e.value)
    assert KEY not in str(e.value)


def test_timeout_when_the_api_never_answers():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    try:
        t0 = time.monotonic()
        with pytest.raises(APITimeoutError):
            Sandbox.list(api_url="http://127.0.0.1:%d" % srv.getsockname()[1], api_key=KEY,
                         request_timeout=0.5)
        assert time.monotonic() - t0 < 5
    finally:
        srv.close()


def test_explicit_arguments_win(env):
    env.route("GET", "/v1/sandboxes", json_answer(200, {"sandboxes": []}))
    Sandbox.list(api_key="nsk_explicit")
    assert env.last().headers["Authorization"] == "Bearer nsk_explicit"


def test_api_url_with_path_prefix(env, monkeypatch):
    monkeypatch.setenv("NULLSPACE_API_URL", env.url + "/prefix/")
    env.route("GET", "/prefix/v1/sandboxes", json_answer(200, {"sandboxes": []}))
    assert Sandbox.list() == []


def test_version():
    assert nullspace.__version__
