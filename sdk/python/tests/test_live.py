"""The SDK against a real `nullspace up`: the product document's examples
verbatim (the sandbox id of the first put in place of "sb_123"), the
returned ssh command logging in through the relay with OpenSSH, list,
connect and kill, the typed errors with the API's messages, and the
configuration from the environment, the config file and arguments."""

import contextlib
import io
import shutil
import subprocess
import shlex

import pytest

from live import live_config, needs_live

from nullspace import (APIError, AuthenticationError, ConflictError, NotFoundError,
                       RateLimitError, Sandbox)

pytestmark = needs_live

# The product document's examples, as written there.
EXAMPLE_CREATE = '''\
from nullspace import Sandbox

sandbox = Sandbox.create(template="base", timeout=600)
print(sandbox.id)
'''

EXAMPLE_ACCESS = '''\
from pathlib import Path
from nullspace import Sandbox

sandbox = Sandbox.connect("sb_123")
access = sandbox.create_ssh_access(
    public_key=Path("~/.ssh/id_ed25519.pub").expanduser().read_text(),
    expires_in_minutes=10,
)
print(access.command)
'''


def run_example(source):
    """Runs an example's source as a script; (its namespace, what it printed)."""
    ns = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<example>", "exec"), ns)
    return ns, out.getvalue()


@pytest.fixture
def user_key(clean_env):
    """~/.ssh/id_ed25519 (HOME is a temporary folder), made by ssh-keygen."""
    ssh = clean_env / ".ssh"
    ssh.mkdir(mode=0o700)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sdk-test",
                    "-f", str(ssh / "id_ed25519")], check=True, stdin=subprocess.DEVNULL)
    return ssh / "id_ed25519"


def test_product_examples_verbatim_and_ssh_exit_code(live, sandboxes, user_key, tmp_path):
    ns, out = run_example(EXAMPLE_CREATE)
    sb = sandboxes.track(ns["sandbox"])
    assert out == sb.id + "\n" and sb.id.startswith("sb_") and sb.state == "running"
    assert sb.template == "base" and sb.timeout == 600

    ns, out = run_example(EXAMPLE_ACCESS.replace('"sb_123"', repr(sb.id).replace("'", '"')))
    access = ns["access"]
    assert out == access.command + "\n"
    assert access.command.startswith("ssh ") and access.command.endswith(f"{sb.id}@{access.relay_host}")
    assert access.certificate.startswith("ssh-ed25519-cert-v01@openssh.com ")
    assert access.relay_known_hosts.endswith(access.relay_host_key)
    assert access.sandbox_id == sb.id and access.user == sb.id and access.access_id

    # The command runs in a folder with the key, certificate and known_hosts
    # under the names it uses (docs/api.md), and logs in through the relay.
    login = tmp_path / "login"
    login.mkdir(mode=0o700)
    shutil.copy(user_key, login / "id_ed25519")
    (login / "id_ed25519").chmod(0o600)
    (login / "id_ed25519-cert.pub").write_text(access.certificate + "\n")
    (login / "known_hosts").write_text(access.relay_known_hosts + "\n")
    p = subprocess.run(shlex.split(access.command) + ["echo in-sandbox; exit 5"], cwd=login,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert p.returncode == 5, p.stderr.decode(errors="replace")
    assert p.stdout == b"in-sandbox\n"


def test_list_connect_kill(live, sandboxes):
    sb = sandboxes.create(template="base", timeout=300)
    listed = {s.id: s for s in Sandbox.list()}
    assert sb.id in listed and listed[sb.id].state == "running"
    again = Sandbox.connect(sb.id)
    assert (again.id, again.state, again.timeout, again.created_at) == (sb.id, "running", 300, sb.created_at)
    assert again.expires_at > again.created_at
    sb.kill()
    assert sb.state == "stopped" and sb.stop_reason == "killed"
    assert Sandbox.connect(sb.id).state == "stopped"
    assert {s.id: s.state for s in Sandbox.list()}[sb.id] == "stopped"
    again.refresh()
    assert again.state == "stopped" and again.stop_reason == "killed"
    sb.kill()  # killing a stopped sandbox is no error


def test_bad_key_is_authentication_error(live):
    url, _ = live_config()
    with pytest.raises(AuthenticationError) as e:
        Sandbox.list(api_url=url, api_key="nsk_" + "x" * 43)
    assert e.value.status == 401
    assert e.value.message == "missing or unknown API key (Authorization: Bearer nsk_...)"
    assert "x" * 43 not in str(e.value)


def test_unknown_sandbox_is_not_found(live):
    with pytest.raises(NotFoundError) as e:
        Sandbox.connect("sb_000000000000")
    assert e.value.status == 404 and e.value.message == "no such sandbox: sb_000000000000"


def test_ssh_access_of_killed_sandbox_is_conflict(live, sandboxes, user_key):
    sb = sandboxes.create()
    sb.kill()
    with pytest.raises(ConflictError) as e:
        sb.create_ssh_access(public_key=user_key.with_suffix(".pub").read_text())
    assert e.value.status == 409 and "stopped" in e.value.message and sb.id in e.value.message


def test_ssh_access_permits(live, sandboxes, user_key, tmp_path):
    """Port forwarding by default, agent forwarding only when asked, as
    ssh-keygen -L reads the certificate."""
    sb = sandboxes.create()
    pub = user_key.with_suffix(".pub").read_text()

    def extensions(access):
        cert = tmp_path / "c-cert.pub"
        cert.write_text(access.certificate + "\n")
        out = subprocess.run(["ssh-keygen", "-L", "-f", str(cert)], capture_output=True,
                             text=True, check=True).stdout
        return sorted(w for w in out.split() if w.startswith("permit-"))

    assert extensions(sb.create_ssh_access(public_key=pub)) == [
        "permit-port-forwarding", "permit-pty"]
    assert extensions(sb.create_ssh_access(public_key=pub, permit_port_forwarding=False,
                                           permit_agent_forwarding=True)) == [
        "permit-agent-forwarding", "permit-pty"]


def test_bad_requests_are_api_errors_with_the_message(live, sandboxes):
    with pytest.raises(APIError) as e:
        Sandbox.create(template="nope")
    assert type(e.value) is APIError and e.value.status == 400 and e.value.message
    sb = sandboxes.create()
    with pytest.raises(APIError) as e:
        sb.create_ssh_access(public_key="ssh-dss AAAAB3NzaC1kc3M= old@key")
    assert e.value.status == 400 and "ssh-ed25519" in e.value.message
    with pytest.raises(APIError) as e:
        sb.create_ssh_access(public_key="ssh-ed25519 AAAA", expires_in_minutes=61)
    assert e.value.status == 400


def test_too_many_sandboxes_is_rate_limit(live, sandboxes):
    # python_sdk.sh starts `up --max-sandboxes 6`
    with pytest.raises(RateLimitError) as e:
        for _ in range(7):
            sandboxes.create(timeout=120)
    assert e.value.status == 429 and "too many sandboxes running (6)" in e.value.message


def test_config_from_environment(live, monkeypatch, tmp_path):
    url, key = live_config()
    monkeypatch.setenv("NULLSPACE_HOME", str(tmp_path / "empty"))  # no config file there
    monkeypatch.setenv("NULLSPACE_API_URL", url)
    monkeypatch.setenv("NULLSPACE_API_KEY", key)
    assert isinstance(Sandbox.list(), list)
    monkeypatch.setenv("NULLSPACE_API_KEY", "nsk_wrong")
    with pytest.raises(AuthenticationError):
        Sandbox.list()
    assert isinstance(Sandbox.list(api_key=key), list)  # the argument wins


def test_config_from_file(live, monkeypatch, clean_env):
    assert isinstance(Sandbox.list(), list)  # NULLSPACE_HOME/config written by `up`
    monkeypatch.setenv("NULLSPACE_API_KEY", "nsk_wrong")  # the environment wins over the file
    with pytest.raises(AuthenticationError):
        Sandbox.list()
    # the default home, ~/.nullspace, when NULLSPACE_HOME is unset
    monkeypatch.delenv("NULLSPACE_API_KEY")
    monkeypatch.delenv("NULLSPACE_HOME")
    (clean_env / ".nullspace").mkdir()
    shutil.copy(live + "/config", clean_env / ".nullspace" / "config")
    assert isinstance(Sandbox.list(), list)
