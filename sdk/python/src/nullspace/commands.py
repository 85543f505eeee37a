"""``sandbox.commands``: run a command in a sandbox through the API's
commands route (``POST /v1/sandboxes/{id}/commands``), whole or streamed."""

import base64
import binascii
import json
import math
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional, Union

from . import _decode as d
from ._http import Response, sandbox_path
from .errors import APIConnectionError, APIError, error_for_status

if TYPE_CHECKING:
    from ._http import Transport

#: Largest answer of a whole (not streamed) run read. The API cuts each of
#: stdout and stderr at 16 MiB (stdout_truncated/stderr_truncated); JSON can
#: escape a byte into six ("\u0001"), so both at their worst fit in 192 MiB.
RUN_RESPONSE_MAX = 256 * 1024 * 1024
#: Longest line of a streamed run read (one base64 chunk of output).
STREAM_LINE_MAX = 4 * 1024 * 1024
#: Seconds the request may wait beyond the command's own timeout (start-up,
#: the answer's way back).
COMMAND_SLACK = 30.0
#: The API's timeout of a command sent without one (docs/api.md).
COMMAND_TIMEOUT_DEFAULT = 60

Cmd = Union[str, List[str]]


@dataclass(frozen=True)
class CommandResult:
    """What a finished command gave: its exit code (``None`` when it did not
    exit by itself: killed at its timeout, ``timed_out`` then, or by a
    signal, named in ``signal`` as ``"KILL"``, ``"TERM"``...), its output as
    text (bytes that are not UTF-8 replaced by U+FFFD), and whether either
    stream was cut at the API's limit."""

    exit_code: Optional[int]
    stdout: str
    stderr: str
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    timed_out: bool = False
    signal: Optional[str] = None


@dataclass(frozen=True)
class OutputChunk:
    """A piece of a streamed command's output: ``stream`` is ``"stdout"`` or
    ``"stderr"``, ``data`` the raw bytes."""

    stream: str
    data: bytes


class CommandStream:
    """Iterates over a running command's output as :class:`OutputChunk` s.
    Once the iteration ends, ``exit_code`` (``None`` when the command did not
    exit by itself), ``timed_out`` and ``signal`` are set. Close it (or use
    ``with``) to stop reading early."""

    def __init__(self, resp: Response) -> None:
        self._resp = resp
        self.exit_code: Optional[int] = None
        self.timed_out: bool = False
        self.signal: Optional[str] = None
        self.finished = False

    def __iter__(self) -> Iterator[OutputChunk]:
        if self.finished:
            return  # read to the end already
        try:
            while True:
                line = self._resp.readline(STREAM_LINE_MAX + 1)
                if not line:
                    raise APIConnectionError("the command's output ended before its exit code")
                if len(line) > STREAM_LINE_MAX and not line.endswith(b"\n"):
                    raise APIError(f"a line of the command's output is over {STREAM_LINE_MAX} bytes", 200)
                if not line.strip():
                    continue
                chunk = self._event(line)
                if chunk is None:
                    return
                yield chunk
        finally:
            self.close()

    def _event(self, line: bytes) -> Optional[OutputChunk]:
        """One NDJSON line: a chunk, or None for the final exit line."""
        try:
            o = d.obj(json.loads(line), 200, "a line of the command's output")
        except ValueError:
            raise d.bad(200, "a line of the command's output is not JSON") from None
        for name in ("stdout", "stderr"):
            if name in o:
                try:
                    return OutputChunk(name, base64.b64decode(d.member(o, name, str, 200), validate=True))
                except binascii.Error:
                    raise d.bad(200, f"{name} is not base64") from None
        if isinstance(o.get("error"), str):
            raise error_for_status(502, o["error"])  # the sandbox failed mid-way
        if "exit_code" not in o:
            raise d.bad(200, "a line of the command's output has no exit_code")
        self.exit_code = d.optional(o, "exit_code", int, 200)
        self.timed_out = bool(o.get("timed_out", False))
        self.signal = d.optional(o, "signal", str, 200)
        self.finished = True
        return None

    def wait(self) -> Optional[int]:
        """Reads (and drops) the rest of the output; returns the exit code."""
        for _ in self:
            pass
        return self.exit_code

    def close(self) -> None:
        self._resp.close()

    def __enter__(self) -> "CommandStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Commands:
    """Runs commands in one sandbox (``sandbox.commands``)."""

    def __init__(self, transport: "Transport", sandbox_id: str) -> None:
        self._transport = transport
        self._path = sandbox_path(sandbox_id, "/commands")

    def _body(self, cmd: Cmd, env: Optional[Mapping[str, str]], cwd: Optional[str],
              timeout: Optional[float]) -> Dict[str, Any]:
        if not isinstance(cmd, str):
            cmd = shlex.join(list(cmd))
        body: Dict[str, Any] = {"cmd": cmd}
        if env is not None:
            body["env"] = dict(env)
        if cwd is not None:
            body["cwd"] = cwd
        if timeout is not None:
            body["timeout"] = math.ceil(timeout)  # whole seconds
        return body

    def _timeout(self, timeout: Optional[float]) -> float:
        """The socket timeout of the request: the transport's, or long enough
        for a silent command to reach its own timeout."""
        limit = COMMAND_TIMEOUT_DEFAULT if timeout is None else math.ceil(timeout)
        return max(self._transport.timeout, limit + COMMAND_SLACK)

    def run(self, cmd: Cmd, env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None,
            timeout: Optional[float] = None) -> CommandResult:
        """Runs ``cmd`` (a shell command line, or a list of arguments quoted
        into one) and waits for it. ``env`` adds environment variables,
        ``cwd`` is the working folder, ``timeout`` the seconds (rounded up to
        whole ones) after which the command is killed (``timed_out`` then).
        A non-zero exit is not an exception: look at ``exit_code``."""
        resp = self._transport.open("POST", self._path, json_body=self._body(cmd, env, cwd, timeout),
                                    timeout=self._timeout(timeout))
        with resp:
            o = d.obj(resp.json(RUN_RESPONSE_MAX), resp.status)
        s = resp.status
        if "exit_code" not in o:
            raise d.bad(s, "member 'exit_code' is missing")
        return CommandResult(
            exit_code=d.optional(o, "exit_code", int, s),
            stdout=d.member(o, "stdout", str, s),
            stderr=d.member(o, "stderr", str, s),
            stdout_truncated=bool(o.get("stdout_truncated", False)),
            stderr_truncated=bool(o.get("stderr_truncated", False)),
            timed_out=bool(o.get("timed_out", False)),
            signal=d.optional(o, "signal", str, s),
        )

    def stream(self, cmd: Cmd, env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None,
               timeout: Optional[float] = None) -> CommandStream:
        """Starts ``cmd`` and returns a :class:`CommandStream` yielding its
        output as it comes (for long or large output)::

            with sandbox.commands.stream("make") as s:
                for chunk in s:
                    sys.stdout.buffer.write(chunk.data)
            print(s.exit_code)
        """
        resp = self._transport.open("POST", self._path, query={"stream": 1},
                                    json_body=self._body(cmd, env, cwd, timeout),
                                    timeout=self._timeout(timeout))
        return CommandStream(resp)

