"""The SDK's HTTP transport over the standard library's http.client.

One connection per request (the API answers every request with
``Connection: close``), a timeout on every socket operation, the key only in
the Authorization header, bodies streamed both ways. Error answers become the
typed exceptions of errors.py with the API's ``error`` sentence.
"""

import http.client
import json
import socket
import ssl
from typing import Any, Dict, Iterable, Iterator, Mapping, Optional, Tuple, Union
from urllib.parse import quote, urlencode, urlsplit

from .config import ApiConfig
from .errors import APIConnectionError, APIError, APITimeoutError, error_for_status

#: Seconds each socket operation (connect, a send, a read) may take before
#: the request fails with APITimeoutError (the C SDK's NS_API_TIMEOUT_MS).
DEFAULT_TIMEOUT = 30.0
#: Largest JSON answer read (the C SDK's NS_API_RESPONSE_MAX).
RESPONSE_MAX = 1024 * 1024
#: Largest error answer read; the rest is ignored.
ERROR_BODY_MAX = 64 * 1024
#: Bytes read or sent at a time when streaming a body.
CHUNK_SIZE = 64 * 1024
USER_AGENT = "nullspace-python/0.1.0"

Body = Union[None, bytes, Iterable[bytes]]


def _id_ok(value: str) -> bool:
    return bool(value) and all(c.isascii() and (c.isalnum() or c in "_-") for c in value)


def sandbox_path(sandbox_id: str, suffix: str = "") -> str:
    """``/v1/sandboxes/{id}{suffix}``; ids go into URL paths, so only letters,
    digits, ``_`` and ``-`` are taken (ValueError otherwise)."""
    if not isinstance(sandbox_id, str) or not _id_ok(sandbox_id):
        raise ValueError(f"not a sandbox id (letters, digits, '_' and '-' only): {sandbox_id!r}")
    return f"/v1/sandboxes/{quote(sandbox_id)}{suffix}"


class Response:
    """An answer with a 2xx status whose body has not been read yet. Close it
    (or use it as a context manager) when done."""

    def __init__(self, conn: http.client.HTTPConnection, resp: http.client.HTTPResponse, url: str):
        self._conn = conn
        self._resp = resp
        self._url = url
        self.status = resp.status

    def read(self, n: int = -1) -> bytes:
        """Up to n bytes of the body (all that is left when n < 0)."""
        try:
            return self._resp.read(n) if n >= 0 else self._resp.read()
        except (OSError, http.client.HTTPException) as e:
            raise _transport_error(self._url, e) from None

    def readline(self, limit: int) -> bytes:
        """One line of the body, at most limit bytes."""
        try:
            return self._resp.readline(limit)
        except (OSError, http.client.HTTPException) as e:
            raise _transport_error(self._url, e) from None

    def chunks(self) -> Iterator[bytes]:
        """The body in pieces of at most CHUNK_SIZE bytes. A body cut short
        of its Content-Length is an APIConnectionError (http.client would
        end it quietly), as is a broken chunked body."""
        header = self._resp.getheader("Content-Length")
        chunked = "chunked" in (self._resp.getheader("Transfer-Encoding") or "").lower()
        expected = int(header) if header and header.isdigit() and not chunked else None
        n = 0
        while True:
            data = self.read(CHUNK_SIZE)
            if not data:
                break
            n += len(data)
            yield data
        if expected is not None and n != expected:
            raise APIConnectionError(
                f"the answer of the API at {self._url} ended after {n} of {expected} bytes")

    def json(self, limit: int = RESPONSE_MAX) -> Any:
        """The body as JSON, refused when over limit bytes."""
        data = self.read(limit + 1)
        if len(data) > limit:
            raise APIError(f"the API at {self._url} sent an answer over {limit} bytes", self.status)
        try:
            return json.loads(data)
        except ValueError:
            raise APIError(
                f"the API at {self._url} sent a response we cannot read: not JSON", self.status
            ) from None

    def close(self) -> None:
        self._resp.close()
        self._conn.close()

    def __enter__(self) -> "Response":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _transport_error(url: str, e: BaseException) -> APIConnectionError:
    if isinstance(e, (socket.timeout, TimeoutError)):
        return APITimeoutError(f"the API at {url} did not answer in time")
    why = getattr(e, "strerror", None) or str(e) or type(e).__name__
    return APIConnectionError(f"cannot reach the API at {url}: {why}")


def _error_message(resp: http.client.HTTPResponse) -> str:
    """The API's ``error`` sentence, or a description of the answer."""
    try:
        data = resp.read(ERROR_BODY_MAX)
        value = json.loads(data)
        if isinstance(value, dict) and isinstance(value.get("error"), str):
            return value["error"]
    except (OSError, http.client.HTTPException, ValueError):
        pass
    return f"the API answered {resp.status} {resp.reason}".rstrip()


class Transport:
    """Sends requests to one API with one key."""

    def __init__(self, config: ApiConfig, timeout: Optional[float] = None) -> None:
        self.config = config
        self.timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
        parts = urlsplit(config.url)
        self._tls = parts.scheme.lower() == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._tls:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout,
                context=ssl.create_default_context(), blocksize=CHUNK_SIZE,
            )
        return http.client.HTTPConnection(
            self._host, self._port, timeout=timeout, blocksize=CHUNK_SIZE
        )

    def url_for(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        """The path and query part of a request (what goes on the request line)."""
        target = self._prefix + path
        if query:
            target += "?" + urlencode({k: v for k, v in query.items() if v is not None})
        return target

    def open(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        body: Body = None,
        headers: Optional[Dict[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> Response:
        """Sends one request and returns its 2xx answer unread; raises the
        typed error of any other answer. ``body`` is bytes or an iterable of
        bytes; an iterable goes chunked unless ``headers`` names its
        Content-Length."""
        hdrs = {
            "Authorization": f"Bearer {self.config.key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        hdrs.update(headers or {})
        chunked = False
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        if isinstance(body, (bytes, bytearray, memoryview)):
            hdrs["Content-Length"] = str(len(body))
        elif body is not None and "Content-Length" not in hdrs:
            hdrs["Transfer-Encoding"] = "chunked"
            chunked = True
        elif body is None and method in ("POST", "PUT"):
            hdrs["Content-Length"] = "0"
        conn = self._connection(self.timeout if timeout is None else timeout)
        try:
            resp = self._exchange(conn, method, self.url_for(path, query), body, hdrs, chunked)
        except BaseException:
            conn.close()
            raise
        if 200 <= resp.status < 300:
            return Response(conn, resp, self.config.url)
        try:
            raise error_for_status(resp.status, _error_message(resp))
        finally:
            resp.close()
            conn.close()

    def _exchange(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        target: str,
        body: Body,
        hdrs: Dict[str, str],
        chunked: bool,
    ) -> http.client.HTTPResponse:
        url = self.config.url
        try:
            conn.request(method, target, body=body, headers=hdrs, encode_chunked=chunked)
        except (BrokenPipeError, ConnectionResetError) as e:
            # The server may answer early (401, 404, 413) and close while a
            # body is still going out: its answer is worth more than EPIPE.
            try:
                return conn.getresponse()
            except (OSError, http.client.HTTPException):
                raise _transport_error(url, e) from None
        except (OSError, http.client.HTTPException) as e:
            raise _transport_error(url, e) from None
        try:
            return conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            raise _transport_error(url, e) from None

    def call(self, method: str, path: str, **kwargs: Any) -> Tuple[int, Any]:
        """A request whose answer is JSON: ``(status, decoded body)``."""
        with self.open(method, path, **kwargs) as resp:
            return resp.status, resp.json()
