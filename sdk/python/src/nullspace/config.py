"""Where the API is and which key to use, found the way the CLI finds them.

Each of the URL and the key comes from, in order: the argument given to the
SDK, the environment (``NULLSPACE_API_URL``, ``NULLSPACE_API_KEY``; an empty
variable counts as unset), then the config file ``NULLSPACE_HOME/config``
(``NULLSPACE_HOME`` defaults to ``~/.nullspace``), which ``nullspace up``
writes. The file holds ``key = value`` lines (``api_url``, ``api_key``) and
``#`` comments; unknown keys are ignored, and a line that is not
``key = value`` or a value too long is an error naming the file and line
(the same rules as the C code in api/config.c).
"""

import os
import pwd
from dataclasses import dataclass, field
from typing import Mapping, Optional, Tuple

from .errors import ConfigurationError

#: Largest config file read (api/config.c: NS_API_CONFIG_MAX).
CONFIG_MAX = 16384
#: Longest api_url value, in bytes (NS_API_URL_MAX minus the C string's NUL).
URL_MAX = 511
#: Longest api_key value, in bytes (NS_API_KEY_MAX minus the NUL).
KEY_MAX = 127

_NO_API_HINT = "run 'nullspace up' or set NULLSPACE_API_URL and NULLSPACE_API_KEY"
_BLANKS = b" \t\r"


@dataclass(frozen=True)
class ApiConfig:
    """A resolved API location: ``url`` without a trailing ``/``, and the key
    (never shown by ``repr``)."""

    url: str
    key: str = field(repr=False)


def parse_config(text: bytes, path: str = "config") -> Tuple[Optional[str], Optional[str]]:
    """Parse a config file's bytes into ``(api_url, api_key)``, each ``None``
    when absent. Raises :class:`ConfigurationError` naming ``path`` and the
    line for a bad line."""
    if len(text) > CONFIG_MAX:
        raise ConfigurationError(f"cannot read {path}: larger than 16 KiB")
    values = {}
    for number, line in enumerate(text.split(b"\n"), start=1):
        line = line.strip(_BLANKS)
        if not line or line.startswith(b"#"):
            continue
        key, eq, value = line.partition(b"=")
        key, value = key.strip(_BLANKS), value.strip(_BLANKS)
        if b"\0" in line or not eq or not key:
            raise _bad_line(path, number)
        limit = {b"api_url": URL_MAX, b"api_key": KEY_MAX}.get(key)
        if limit is None:
            continue  # unknown keys are ignored
        if len(value) > limit:
            raise _bad_line(path, number)
        values[key] = value.decode("utf-8", "surrogateescape")
    return values.get(b"api_url"), values.get(b"api_key")


def _bad_line(path: str, number: int) -> ConfigurationError:
    return ConfigurationError(f"{path}:{number}: not a 'key = value' line, or a value too long")


def nullspace_home(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """``NULLSPACE_HOME``, else ``$HOME/.nullspace``, else the user's home
    folder from the password database plus ``/.nullspace``; ``None`` when
    there is none."""
    env = os.environ if environ is None else environ
    if env.get("NULLSPACE_HOME"):
        return env["NULLSPACE_HOME"]
    if env.get("HOME"):
        return env["HOME"] + "/.nullspace"
    try:
        home = pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:
        return None
    return home + "/.nullspace" if home else None


def load_config(home: str) -> Tuple[Optional[str], Optional[str]]:
    """``(api_url, api_key)`` from ``home/config``; ``(None, None)`` when the
    file does not exist."""
    path = home + "/config"
    try:
        with open(path, "rb") as f:
            text = f.read(CONFIG_MAX + 1)  # one byte more tells "too big"
    except FileNotFoundError:
        return None, None
    except OSError as e:
        raise ConfigurationError(f"cannot open {path}: {e.strerror}") from None
    return parse_config(text, path)


def _printable(value: str) -> bool:
    return all(0x20 < ord(c) < 0x7F for c in value)


def resolve_config(
    api_url: Optional[str] = None,
    api_key: Optional[str] = None,
    environ: Optional[Mapping[str, str]] = None,
) -> ApiConfig:
    """The URL and key by precedence: argument, environment, config file.
    Raises :class:`ConfigurationError` when either is missing or malformed."""
    env = os.environ if environ is None else environ
    url = api_url if api_url is not None else (env.get("NULLSPACE_API_URL") or None)
    key = api_key if api_key is not None else (env.get("NULLSPACE_API_KEY") or None)
    if url is None or key is None:
        home = nullspace_home(env)
        file_url, file_key = load_config(home) if home is not None else (None, None)
        url = url if url is not None else file_url
        key = key if key is not None else file_key
    if url is None or key is None:
        what = "URL" if url is None else "key"
        raise ConfigurationError(f"no API configured (no API {what}): {_NO_API_HINT}")
    if (
        len(url.encode("utf-8", "surrogateescape")) > URL_MAX
        or not url.lower().startswith(("http://", "https://"))
        or not _printable(url)
    ):
        raise ConfigurationError("not an http:// or https:// API URL (or too long)")
    if not key or len(key) > KEY_MAX or not _printable(key):
        raise ConfigurationError("the API key is malformed (printable characters, no blanks)")
    return ApiConfig(url=url.rstrip("/"), key=key)
