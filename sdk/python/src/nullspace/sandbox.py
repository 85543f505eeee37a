"""The Sandbox class: create, connect to, list and kill sandboxes, and mint
SSH access for a caller's public key (docs/api.md, "Routes")."""

from datetime import datetime
from typing import Any, Dict, List, Optional

from . import _decode as d
from ._http import Transport, sandbox_path
from .access import SshAccess
from .commands import Commands
from .config import resolve_config
from .files import Files


def _transport(api_url: Optional[str], api_key: Optional[str],
               request_timeout: Optional[float]) -> Transport:
    return Transport(resolve_config(api_url, api_key), request_timeout)


class Sandbox:
    """A sandbox of the nullspace control plane.

    Get one with :meth:`create`, :meth:`connect` or :meth:`list`. Each of
    these finds the API the way the CLI does (``api_url``/``api_key``
    arguments, else ``NULLSPACE_API_URL``/``NULLSPACE_API_KEY``, else
    ``NULLSPACE_HOME/config``); ``request_timeout`` is the seconds each
    socket operation of a request may take (30 by default).

    Fields (as the API last reported them): ``id``, ``template``, ``state``
    (``"running"`` or ``"stopped"``), ``stop_reason`` (``None`` while
    running, else ``"killed"``, ``"timeout"``, ``"max_lifetime"``,
    ``"exited"`` or ``"shutdown"``), ``created_at``, ``expires_at`` (UTC
    datetimes) and ``timeout`` (seconds).

    Keep-awake (docs/api.md): while sessions through the relay move bytes,
    ``expires_at`` moves to ``timeout`` seconds after the last activity,
    never past ``max_expires_at`` (``created_at`` + ``max_lifetime``
    seconds); ``last_activity_at`` is the last such report (``None`` before
    any). From a server without keep-awake, ``max_lifetime`` is ``timeout``
    and ``max_expires_at`` is ``expires_at``.
    """

    id: str
    template: str
    state: str
    stop_reason: Optional[str]
    created_at: datetime
    expires_at: datetime
    timeout: int
    max_lifetime: int
    max_expires_at: datetime
    last_activity_at: Optional[datetime]

    def __init__(self, transport: Transport, info: Dict[str, Any], status: int = 200) -> None:
        self._transport = transport
        self._update(info, status)
        self.commands = Commands(transport, self.id)
        self.files = Files(transport, self.id)

    def _update(self, value: Any, status: int) -> None:
        o = d.obj(value, status, "the sandbox")
        self.id = d.member(o, "id", str, status)
        self.template = d.member(o, "template", str, status)
        self.state = d.member(o, "state", str, status)
        self.stop_reason = d.optional(o, "stop_reason", str, status)
        self.created_at = d.time_member(o, "created_at", status)
        self.expires_at = d.time_member(o, "expires_at", status)
        self.timeout = d.member(o, "timeout", int, status)
        self.max_lifetime = self.timeout
        self.max_expires_at = self.expires_at
        self.last_activity_at = None
        if "max_lifetime" in o:
            self.max_lifetime = d.member(o, "max_lifetime", int, status)
        if "max_expires_at" in o:
            self.max_expires_at = d.time_member(o, "max_expires_at", status)
        if o.get("last_activity_at") is not None:
            self.last_activity_at = d.time_member(o, "last_activity_at", status)

    def __repr__(self) -> str:
        return f"Sandbox(id={self.id!r}, state={self.state!r}, template={self.template!r})"

    @property
    def is_running(self) -> bool:
        """True while the sandbox runs (as last reported; see refresh)."""
        return self.state == "running"

    @classmethod
    def create(cls, template: Optional[str] = None, timeout: Optional[int] = None, *,
               max_lifetime: Optional[int] = None,
               api_url: Optional[str] = None, api_key: Optional[str] = None,
               request_timeout: Optional[float] = None) -> "Sandbox":
        """Starts a new sandbox from ``template`` (``"base"`` by default) that
        stops itself after ``timeout`` seconds (1 to 86400, default 600)
        without activity through the relay, and at the latest after
        ``max_lifetime`` seconds (``timeout`` to 86400, default 86400; equal
        to ``timeout`` for a fixed deadline). Raises RateLimitError when too
        many sandboxes run."""
        t = _transport(api_url, api_key, request_timeout)
        body: Dict[str, Any] = {}
        if template is not None:
            body["template"] = template
        if timeout is not None:
            body["timeout"] = timeout
        if max_lifetime is not None:
            body["max_lifetime"] = max_lifetime
        status, value = t.call("POST", "/v1/sandboxes", json_body=body)
        return cls(t, value, status)

    @classmethod
    def connect(cls, sandbox_id: str, *, api_url: Optional[str] = None,
                api_key: Optional[str] = None,
                request_timeout: Optional[float] = None) -> "Sandbox":
        """The existing sandbox ``sandbox_id`` (NotFoundError when unknown).
        A stopped sandbox is returned too: see ``state``."""
        t = _transport(api_url, api_key, request_timeout)
        status, value = t.call("GET", sandbox_path(sandbox_id))
        return cls(t, value, status)

    @classmethod
    def list(cls, *, api_url: Optional[str] = None, api_key: Optional[str] = None,
             request_timeout: Optional[float] = None) -> List["Sandbox"]:
        """Every sandbox the API knows, newest first, stopped ones included."""
        t = _transport(api_url, api_key, request_timeout)
        status, value = t.call("GET", "/v1/sandboxes")
        items = d.obj(value, status).get("sandboxes")
        if not isinstance(items, list):
            raise d.bad(status, "member 'sandboxes' is missing or not a list")
        return [cls(t, item, status) for item in items]

    def refresh(self) -> "Sandbox":
        """Reads the sandbox's fields again from the API; returns self."""
        status, value = self._transport.call("GET", sandbox_path(self.id))
        self._update(value, status)
        return self

    def kill(self) -> None:
        """Stops the sandbox and everything in it (killing a stopped one is
        no error). The fields are updated: ``state`` becomes ``"stopped"``."""
        status, value = self._transport.call("DELETE", sandbox_path(self.id))
        self._update(value, status)

    def create_ssh_access(self, public_key: str, expires_in_minutes: Optional[int] = None,
                          permit_port_forwarding: Optional[bool] = None,
                          permit_agent_forwarding: Optional[bool] = None) -> SshAccess:
        """Mints an OpenSSH user certificate for ``public_key`` (one OpenSSH
        public key line; the caller holds its private half), valid for
        ``expires_in_minutes`` (1 to 60, default 10). The certificate permits
        a PTY and port forwarding (``permit_port_forwarding=False`` leaves
        it out) and, only with ``permit_agent_forwarding=True``, agent
        forwarding. Raises ConflictError when the sandbox is stopped. The
        result is a credential."""
        body: Dict[str, Any] = {"public_key": public_key.strip()}
        if expires_in_minutes is not None:
            body["expires_in_minutes"] = expires_in_minutes
        if permit_port_forwarding is not None:
            body["permit_port_forwarding"] = bool(permit_port_forwarding)
        if permit_agent_forwarding is not None:
            body["permit_agent_forwarding"] = bool(permit_agent_forwarding)
        status, value = self._transport.call("POST", sandbox_path(self.id, "/ssh-access"),
                                             json_body=body)
        return SshAccess.from_json(value, status)
