"""``sandbox.files``: the Files API of one sandbox. Uploads and downloads
are streamed: a file object is sent and received in pieces, never held whole
in memory."""

import io
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Union

from . import _decode as d
from ._http import CHUNK_SIZE, sandbox_path

if TYPE_CHECKING:
    from ._http import Transport

Data = Union[bytes, bytearray, memoryview, str, IO[bytes]]
PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class FileEntry:
    """One entry of a folder listing: ``type`` is what the API says
    (``"file"``, ``"dir"``, ``"symlink"``, ...), ``mode`` the permission bits."""

    name: str
    type: str
    size: int
    mode: int


@dataclass(frozen=True)
class UploadResult:
    """What an upload wrote: the path in the sandbox and its size in bytes."""

    path: str
    size: int


class SignedUrl(str):
    """A signed, expiring URL that needs no API key: a bearer credential
    until ``expires_at``. It is the URL string itself, with the HTTP
    ``method`` to use (``GET`` to download, ``PUT`` to upload) and
    ``expires_at`` as attributes."""

    method: str
    expires_at: datetime

    def __new__(cls, url: str, method: str, expires_at: datetime) -> "SignedUrl":
        self = super().__new__(cls, url)
        self.method = method
        self.expires_at = expires_at
        return self

    @property
    def url(self) -> str:
        return str.__str__(self)


def _mode(mode: Union[None, int, str]) -> Optional[str]:
    """A file mode for the query: an int (0o644) or an octal string ("0644")."""
    if mode is None:
        return None
    if isinstance(mode, str):
        mode = int(mode, 8)
    if not 0 <= mode <= 0o7777:
        raise ValueError(f"not a file mode: {oct(mode)}")
    return format(mode, "04o")


def _remaining(f: IO[bytes]) -> Optional[int]:
    """Bytes left to read in f when it can tell (a regular file), else None."""
    try:
        if not f.seekable():
            return None
        pos = f.tell()
        end = f.seek(0, io.SEEK_END)
        f.seek(pos)
        return max(0, end - pos)
    except (AttributeError, OSError, ValueError):
        return None


def _pieces(f: IO[bytes], limit: Optional[int]) -> Iterator[bytes]:
    """f read in pieces, at most limit bytes (all when None)."""
    left = limit
    while left is None or left > 0:
        data = f.read(CHUNK_SIZE if left is None else min(CHUNK_SIZE, left))
        if not data:
            if left:
                raise IOError(f"the file ended {left} bytes early (it shrank while uploading)")
            return
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("upload needs a binary file object (open it with 'rb')")
        if left is not None:
            left -= len(data)
        yield bytes(data)


class Files:
    """The files of one sandbox (``sandbox.files``). Paths are inside the
    sandbox; the API refuses ones that escape it."""

    def __init__(self, transport: "Transport", sandbox_id: str) -> None:
        self._transport = transport
        self._path = sandbox_path(sandbox_id, "/files")

    def upload(self, path: str, data: Data, mode: Union[None, int, str] = None) -> UploadResult:
        """Writes ``data`` to ``path`` (parent folders are created; the file
        appears only once complete). ``data`` is bytes, a str (sent as UTF-8)
        or a binary file object, which is streamed from where it stands, never
        held whole in memory. The API needs the size up front: a file object
        that cannot tell it (a pipe, a socket) is first copied to a temporary
        file. ``mode`` is the file's mode (``0o644`` or ``"0644"``)."""
        query = {"path": path, "mode": _mode(mode)}
        if isinstance(data, str):
            data = data.encode("utf-8")
        if isinstance(data, (bytes, bytearray, memoryview)):
            return self._put(query, bytes(data), len(data))
        if not hasattr(data, "read"):
            raise TypeError("upload takes bytes, str or a binary file object")
        size = _remaining(data)
        if size is not None:
            return self._put(query, _pieces(data, size), size)
        with tempfile.TemporaryFile() as spool:
            for piece in _pieces(data, None):
                spool.write(piece)
            size = spool.tell()
            spool.seek(0)
            return self._put(query, _pieces(spool, size), size)

    def _put(self, query: Dict[str, Any], body: Any, size: int) -> UploadResult:
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        with self._transport.open("PUT", self._path, query=query, body=body, headers=headers) as resp:
            o = d.obj(resp.json(), resp.status)
        return UploadResult(path=d.member(o, "path", str, resp.status),
                            size=d.member(o, "size", int, resp.status))

    def download(self, path: str) -> bytes:
        """The whole content of the file at ``path`` (use ``download_to`` for
        large files)."""
        buf = io.BytesIO()
        self.download_to(path, buf)
        return buf.getvalue()

    def download_to(self, path: str, dest: Union[IO[bytes], PathLike]) -> int:
        """Streams the file at ``path`` into ``dest``, a binary file object or
        a local path (created or truncated); returns the bytes written."""
        if isinstance(dest, (str, os.PathLike)):
            with open(dest, "wb") as f:
                return self.download_to(path, f)
        n = 0
        headers = {"Accept": "application/octet-stream"}
        with self._transport.open("GET", self._path, query={"path": path}, headers=headers) as resp:
            for data in resp.chunks():
                dest.write(data)
                n += len(data)
        return n

    def list(self, path: Optional[str] = None) -> List[FileEntry]:
        """The entries of the folder at ``path`` (the sandbox's own folder
        when None)."""
        status, value = self._transport.call("GET", self._path + "/list", query={"path": path})
        entries = d.obj(value, status).get("entries")
        if not isinstance(entries, list):
            raise d.bad(status, "member 'entries' is missing or not a list")
        out = []
        for e in entries:
            o = d.obj(e, status, "an entry")
            out.append(FileEntry(name=d.member(o, "name", str, status),
                                 type=d.member(o, "type", str, status),
                                 size=d.member(o, "size", int, status),
                                 mode=_entry_mode(o.get("mode"), status)))
        return out

    def remove(self, path: str) -> None:
        """Removes the file (or empty folder) at ``path``."""
        with self._transport.open("DELETE", self._path, query={"path": path}):
            pass

    def _url(self, path: str, upload: bool, expires_in_minutes: Optional[int]) -> SignedUrl:
        body: Dict[str, Any] = {"path": path, "upload": upload}
        if expires_in_minutes is not None:
            body["expires_in_minutes"] = expires_in_minutes
        status, value = self._transport.call("POST", self._path + "/url", json_body=body)
        o = d.obj(value, status)
        return SignedUrl(d.member(o, "url", str, status),
                         d.optional(o, "method", str, status) or ("PUT" if upload else "GET"),
                         d.time_member(o, "expires_at", status))

    def download_url(self, path: str, expires_in_minutes: Optional[int] = None) -> SignedUrl:
        """A signed URL that downloads ``path`` with a plain GET, no API key,
        until it expires. It is a bearer credential: do not log it."""
        return self._url(path, False, expires_in_minutes)

    def upload_url(self, path: str, expires_in_minutes: Optional[int] = None) -> SignedUrl:
        """A signed URL that uploads to ``path`` with a PUT of the raw bytes,
        no API key, until it expires. It is a bearer credential."""
        return self._url(path, True, expires_in_minutes)


def _entry_mode(value: Any, status: int) -> int:
    """The API may give a mode as a number or an octal string ("0644")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value, 8)
        except ValueError:
            pass
    raise d.bad(status, "an entry's mode is missing or not a number")
