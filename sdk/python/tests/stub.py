"""An in-process HTTP stub of the API for the unit tests: each test says what
each (method, path) answers; every request is recorded (body included, read
chunked or by Content-Length; with keep_body False only its size and SHA-256
are kept). An answer's body may be an iterable of bytes, sent as it comes,
with a Content-Length header of the test's choosing (to cut a body short)."""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qs, urlsplit

Answer = Tuple[int, Dict[str, str], bytes]


def json_answer(status: int, value: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(value).encode()


class Recorded:
    def __init__(self, method: str, path: str, query: Dict[str, List[str]],
                 headers: Dict[str, str], body: bytes, chunked: bool) -> None:
        self.method, self.path, self.query = method, path, query
        self.headers, self.body, self.chunked = headers, body, chunked

    def json(self) -> Any:
        return json.loads(self.body)


class Stub:
    """Routes: {(method, path): answer or callable(Recorded) -> answer}."""

    def __init__(self) -> None:
        self.routes: Dict[Tuple[str, str], Any] = {}
        self.requests: List[Recorded] = []
        self.digests: List[Tuple[int, str]] = []  # (size, sha256) of bodies not kept
        self.read_body = True
        self.keep_body = True
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _pieces(self) -> Any:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            return
                        yield self.rfile.read(size)
                        self.rfile.readline()
                n = int(self.headers.get("Content-Length") or 0)
                while n > 0:
                    data = self.rfile.read(min(n, 65536))
                    if not data:
                        return
                    n -= len(data)
                    yield data

            def _body(self) -> Tuple[bytes, bool]:
                chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
                if stub.keep_body:
                    return b"".join(self._pieces()), chunked
                h, n = hashlib.sha256(), 0
                for data in self._pieces():
                    h.update(data)
                    n += len(data)
                stub.digests.append((n, h.hexdigest()))
                return b"", chunked

            def _handle(self) -> None:
                u = urlsplit(self.path)
                body, chunked = self._body() if stub.read_body else (b"", False)
                rec = Recorded(self.command, u.path, parse_qs(u.query), dict(self.headers), body, chunked)
                stub.requests.append(rec)
                answer = stub.routes.get((self.command, u.path))
                if answer is None:
                    answer = json_answer(404, {"error": "no such route"})
                if callable(answer):
                    answer = answer(rec)
                status, headers, data = answer
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if isinstance(data, bytes):
                    self.send_header("Content-Length", str(len(data)))
                    data = [data]
                self.send_header("Connection", "close")
                self.end_headers()
                for piece in data:
                    self.wfile.write(piece)
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client gone mid-answer is what some tests do

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def route(self, method: str, path: str, answer: Any) -> None:
        self.routes[(method, path)] = answer

    def last(self) -> Recorded:
        return self.requests[-1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
