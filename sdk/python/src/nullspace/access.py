"""The SSH access object: a short-lived OpenSSH user certificate for a
caller's public key, the relay to present it to, and the ssh command line."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from . import _decode as d


@dataclass(frozen=True, repr=False)
class SshAccess:
    """What ``Sandbox.create_ssh_access`` returns.

    ``certificate``, ``command`` and ``websocket_url`` are credentials until
    ``expires_at``: do not log them (``repr`` leaves them out).

    ``command`` is meant to run in a folder holding the private key as
    ``id_ed25519``, ``certificate`` as ``id_ed25519-cert.pub`` and
    ``relay_known_hosts`` as ``known_hosts`` (see docs/api.md).
    """

    access_id: str
    sandbox_id: str
    #: The SSH login name (the sandbox id).
    user: str
    #: The OpenSSH certificate line ("ssh-ed25519-cert-v01@openssh.com AAAA...").
    certificate: str
    #: When the certificate stops being valid (UTC).
    expires_at: datetime
    relay_host: str
    relay_port: int
    #: The relay's host key ("ssh-ed25519 AAAA..."), to pin.
    relay_host_key: str
    #: The known_hosts line for the relay ("[host]:port ssh-ed25519 AAAA...").
    relay_known_hosts: str
    #: The ssh command line.
    command: str
    #: The legacy signed WebSocket URL (a bearer credential), or None when the
    #: deployment has no WebSocket listener.
    websocket_url: Optional[str] = None
    #: SHA-256 pin (hex) of the WebSocket listener's TLS certificate, if any.
    websocket_tls_sha256: Optional[str] = None

    @property
    def known_hosts(self) -> str:
        """The same as ``relay_known_hosts``."""
        return self.relay_known_hosts

    def __repr__(self) -> str:
        return (
            f"SshAccess(access_id={self.access_id!r}, sandbox_id={self.sandbox_id!r}, "
            f"expires_at={self.expires_at.isoformat()!r}, relay={self.relay_host}:{self.relay_port})"
        )

    @classmethod
    def from_json(cls, value: Any, status: int = 201) -> "SshAccess":
        """Decode the API's access object (strict: a missing member is an APIError)."""
        o = d.obj(value, status)
        relay = d.obj(o.get("relay"), status, "member 'relay'")
        return cls(
            access_id=d.member(o, "access_id", str, status),
            sandbox_id=d.member(o, "sandbox_id", str, status),
            user=d.member(o, "user", str, status),
            certificate=d.member(o, "certificate", str, status),
            expires_at=d.time_member(o, "expires_at", status),
            relay_host=d.member(relay, "host", str, status),
            relay_port=d.member(relay, "port", int, status),
            relay_host_key=d.member(relay, "host_key", str, status),
            relay_known_hosts=d.member(relay, "known_hosts", str, status),
            command=d.member(o, "command", str, status),
            websocket_url=d.optional(o, "websocket_url", str, status),
            websocket_tls_sha256=d.optional(o, "websocket_tls_sha256", str, status),
        )
