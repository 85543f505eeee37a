"""sandbox.commands and sandbox.files against the in-process stub: request
shapes (JSON bodies, queries, chunked or sized uploads), NDJSON streaming,
downloads in pieces, signed URLs, and an early error during an upload."""

import base64
import io
import json
import os
from datetime import datetime, timezone

import pytest

from stub import json_answer
from test_http import KEY, SB, sandbox

from nullspace import APIConnectionError, APIError, ConflictError, NotFoundError

P = "/v1/sandboxes/" + SB["id"]


@pytest.fixture
def sb(monkeypatch, stub):
    monkeypatch.setenv("NULLSPACE_API_URL", stub.url)
    monkeypatch.setenv("NULLSPACE_API_KEY", KEY)
    return sandbox(stub)


def test_run(sb, stub):
    stub.route("POST", P + "/commands", json_answer(200, {
        "exit_code": 3, "stdout": "out\n", "stderr": "err\n", "stdout_truncated": False,
        "stderr_truncated": True, "timed_out": False}))
    r = sb.commands.run("echo out; echo err >&2; exit 3", env={"A": "1"}, cwd="/tmp", timeout=5)
    assert stub.last().json() == {"cmd": "echo out; echo err >&2; exit 3", "env": {"A": "1"},
                                  "cwd": "/tmp", "timeout": 5}
    assert (r.exit_code, r.stdout, r.stderr) == (3, "out\n", "err\n")
    assert r.stderr_truncated and not r.stdout_truncated and not r.timed_out and r.signal is None
    stub.route("POST", P + "/commands", json_answer(200, {
        "exit_code": None, "stdout": "", "stderr": "", "timed_out": False, "signal": "KILL"}))
    r = sb.commands.run("kill -9 $$")
    assert r.exit_code is None and r.signal == "KILL" and not r.timed_out
    sb.commands.run(["printf", "%s", "a b"], timeout=0.2)
    assert stub.last().json() == {"cmd": "printf %s 'a b'", "timeout": 1}
    stub.route("POST", P + "/commands", json_answer(200, {"stdout": "", "stderr": ""}))
    with pytest.raises(APIError, match="exit_code"):
        sb.commands.run("true")


def ndjson(*objs):
    return (200, {"Content-Type": "application/x-ndjson"},
            b"".join(json.dumps(o).encode() + b"\n" for o in objs))


def b64(data):
    return base64.b64encode(data).decode()


def test_stream(sb, stub):
    stub.route("POST", P + "/commands", ndjson({"stdout": b64(b"a\x00\xff")}, {"stderr": b64(b"e")},
                                              {"stdout": b64(b"b")}, {"exit_code": 7, "timed_out": True}))
    with sb.commands.stream("x", timeout=1) as s:
        chunks = [(c.stream, c.data) for c in s]
    assert stub.last().query == {"stream": ["1"]}
    assert chunks == [("stdout", b"a\x00\xff"), ("stderr", b"e"), ("stdout", b"b")]
    assert s.exit_code == 7 and s.timed_out
    assert s.wait() == 7 and list(s) == []  # read to the end already
    assert sb.commands.stream("x").wait() == 7
    stub.route("POST", P + "/commands", ndjson({"exit_code": None, "timed_out": True}))
    s = sb.commands.stream("sleep 9", timeout=1)
    assert s.wait() is None and s.timed_out
    stub.route("POST", P + "/commands", ndjson({"error": "the sandbox could not be reached"}))
    with pytest.raises(APIError, match="could not be reached") as e:
        sb.commands.stream("x").wait()
    assert e.value.status == 502


def test_stream_cut_before_exit_code(sb, stub):
    stub.route("POST", P + "/commands", ndjson({"stdout": b64(b"a")}))
    with pytest.raises(APIConnectionError, match="before its exit code"):
        list(sb.commands.stream("x"))
    stub.route("POST", P + "/commands", ndjson({"stdout": "!!not base64"}))
    with pytest.raises(APIError, match="base64"):
        list(sb.commands.stream("x"))


def test_commands_on_stopped_sandbox(sb, stub):
    stub.route("POST", P + "/commands", json_answer(409, {"error": "sandbox sb_x is stopped (killed)"}))
    with pytest.raises(ConflictError, match="is stopped"):
        sb.commands.run("true")


def test_upload_bytes_str_and_mode(sb, stub):
    stub.route("PUT", P + "/files", lambda r: json_answer(201, {"path": r.query["path"][0], "size": len(r.body)}))
    res = sb.files.upload("dir/a.bin", b"\x00\x01", mode=0o600)
    r = stub.last()
    assert r.query == {"path": ["dir/a.bin"], "mode": ["0600"]} and r.body == b"\x00\x01" and not r.chunked
    assert (res.path, res.size) == ("dir/a.bin", 2)
    sb.files.upload("t.txt", "héllo", mode="0644")
    assert stub.last().body == "héllo".encode() and stub.last().query["mode"] == ["0644"]


def test_upload_file_sized_and_chunked(sb, stub, tmp_path):
    stub.route("PUT", P + "/files", lambda r: json_answer(201, {"path": "p", "size": len(r.body)}))
    data = os.urandom(300 * 1024 + 5)
    f = tmp_path / "big"
    f.write_bytes(data)
    with open(f, "rb") as fh:
        fh.read(5)  # from the current position on
        assert sb.files.upload("p", fh).size == len(data) - 5
    r = stub.last()
    assert not r.chunked and r.headers["Content-Length"] == str(len(data) - 5) and r.body == data[5:]

    class Pipe(io.RawIOBase):  # not seekable: its size is unknown
        def __init__(self):
            self.src = io.BytesIO(data)

        def readable(self):
            return True

        def read(self, n=-1):
            return self.src.read(n)

    # the API needs Content-Length: a pipe goes through a temporary file first
    assert sb.files.upload("p", Pipe()).size == len(data)
    r = stub.last()
    assert not r.chunked and r.headers["Content-Length"] == str(len(data)) and r.body == data
    with pytest.raises(TypeError, match="binary"):
        sb.files.upload("p", io.StringIO("text"))


def test_upload_refused_early(sb, stub):
    stub.read_body = False  # answers from the headers, like the API's early 401/404/413
    stub.route("PUT", P + "/files", json_answer(404, {"error": "no such sandbox: sb_x"}))
    with pytest.raises(NotFoundError, match="no such sandbox"):
        sb.files.upload("p", io.BytesIO(os.urandom(8 * 1024 * 1024)))


def test_download(sb, stub, tmp_path):
    data = os.urandom(200 * 1024)
    stub.route("GET", P + "/files", (200, {"Content-Type": "application/octet-stream"}, data))
    assert sb.files.download("a") == data
    assert stub.last().query == {"path": ["a"]}
    buf = io.BytesIO()
    assert sb.files.download_to("a", buf) == len(data) and buf.getvalue() == data
    assert sb.files.download_to("a", str(tmp_path / "out")) == len(data)
    assert (tmp_path / "out").read_bytes() == data
    stub.route("GET", P + "/files", json_answer(404, {"error": "no such file: a"}))
    with pytest.raises(NotFoundError, match="no such file"):
        sb.files.download("a")


def test_list_remove(sb, stub):
    stub.route("GET", P + "/files/list", json_answer(200, {"entries": [
        {"name": "a", "type": "file", "size": 3, "mode": 420},
        {"name": "d", "type": "dir", "size": 0, "mode": "0755"}]}))
    e = sb.files.list("x")
    assert stub.last().query == {"path": ["x"]}
    assert [(x.name, x.type, x.size, x.mode) for x in e] == [("a", "file", 3, 0o644), ("d", "dir", 0, 0o755)]
    sb.files.list()
    assert stub.last().query == {}
    stub.route("DELETE", P + "/files", json_answer(200, {}))
    assert sb.files.remove("a") is None
    assert stub.last().method == "DELETE" and stub.last().query == {"path": ["a"]}


def test_signed_urls(sb, stub):
    stub.route("POST", P + "/files/url", lambda r: json_answer(201, {
        "url": "http://h/f?sig=x", "method": "PUT" if r.json()["upload"] else "GET",
        "expires_at": "2026-11-28T10:05:00Z"}))
    u = sb.files.download_url("a", expires_in_minutes=5)
    assert stub.last().json() == {"path": "a", "upload": False, "expires_in_minutes": 5}
    assert u == "http://h/f?sig=x" and u.url == "http://h/f?sig=x" and u.method == "GET"
    assert u.expires_at == datetime(2026, 11, 28, 10, 5, tzinfo=timezone.utc)
    u = sb.files.upload_url("b")
    assert stub.last().json() == {"path": "b", "upload": True} and u.method == "PUT"


def test_download_cut_short_is_an_error(sb, stub):
    # the server promises 1 MiB and hangs up after 300 KiB
    stub.route("GET", P + "/files", (200, {"Content-Length": str(1 << 20)}, [b"x" * (300 << 10)]))
    with pytest.raises(APIConnectionError, match=f"ended after {300 << 10} of {1 << 20} bytes"):
        sb.files.download("a")


MB = 1024 * 1024


def test_upload_file_streams_in_flat_memory(sb, stub, tmp_path):
    """A 48 MiB file goes out in pieces: the SDK's peak of Python memory stays
    a small fraction of it, from a regular file and from a pipe alike."""
    import hashlib
    import tracemalloc

    stub.keep_body = False
    stub.route("PUT", P + "/files", json_answer(201, {"path": "p", "size": 0}))
    src = tmp_path / "big"
    with open(src, "wb") as f:
        for _ in range(48):
            f.write(os.urandom(MB))
    want = (48 * MB, hashlib.sha256(src.read_bytes()).hexdigest())

    class Unsized(io.RawIOBase):
        def __init__(self, f):
            self.f = f

        def readable(self):
            return True

        def read(self, n=-1):
            return self.f.read(n)

    for wrap in (lambda f: f, Unsized):
        with open(src, "rb") as f:
            tracemalloc.start()
            sb.files.upload("p", wrap(f))
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert stub.digests[-1] == want
        assert peak < 4 * MB, f"peak {peak} bytes while uploading 48 MiB"


def test_download_to_streams_in_flat_memory(sb, stub, tmp_path):
    import hashlib
    import tracemalloc

    piece = os.urandom(MB)
    stub.route("GET", P + "/files", lambda r: (200, {"Content-Length": str(48 * MB)}, (piece for _ in range(48))))
    dst = tmp_path / "out"
    tracemalloc.start()
    assert sb.files.download_to("a", str(dst)) == 48 * MB
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * MB, f"peak {peak} bytes while downloading 48 MiB"
    assert hashlib.sha256(dst.read_bytes()).hexdigest() == hashlib.sha256(piece * 48).hexdigest()


def test_silent_command_outlives_the_request_timeout(sb, stub):
    """A command waits as long as its timeout (or the API's default of 60 s)
    whatever request_timeout says; other requests keep request_timeout."""
    import time

    from nullspace import APITimeoutError, Sandbox

    def slow(answer):
        def reply(r):
            time.sleep(1.5)
            return answer
        return reply

    quick = Sandbox.connect(SB["id"], request_timeout=0.5)
    stub.route("POST", P + "/commands", slow(json_answer(200, {"exit_code": 0, "stdout": "", "stderr": ""})))
    assert quick.commands.run("sleep 1").exit_code == 0
    assert quick.commands.run("sleep 1", timeout=1).exit_code == 0
    stub.route("POST", P + "/commands", slow(ndjson({"exit_code": 0, "timed_out": False})))
    assert quick.commands.stream("sleep 1").wait() == 0
    stub.route("GET", P + "/files/list", slow(json_answer(200, {"entries": []})))
    with pytest.raises(APITimeoutError):
        quick.files.list()
