"""Configuration as the CLI finds it (api/config.c, api/sdk.c): argument,
then environment, then NULLSPACE_HOME/config; the file's format and errors."""


import pytest

from nullspace import ConfigurationError, resolve_config
from nullspace.config import CONFIG_MAX, load_config, nullspace_home, parse_config

KEY = "nsk_" + "a" * 43


def write_config(folder, text):
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / "config"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_parse_format_of_nullspace_up():
    text = b"# nullspace client configuration (holds an API key: keep it private)\n" \
           b"api_url = http://127.0.0.1:8780\napi_key = " + KEY.encode() + b"\n"
    assert parse_config(text) == ("http://127.0.0.1:8780", KEY)


def test_parse_blanks_comments_unknown_keys_crlf():
    text = b"\n  # comment\n\tapi_url=http://h:1 \r\nother = x\napi_key\t=  k1\r\n\n"
    assert parse_config(text) == ("http://h:1", "k1")


def test_parse_last_value_wins():
    assert parse_config(b"api_key = a\napi_key = b\n") == (None, "b")


@pytest.mark.parametrize("line,number", [
    (b"api_url http://x", 2), (b"= value", 2), (b"api_key = a\0b", 2), (b"\0", 2),
])
def test_parse_bad_line_names_file_and_line(line, number):
    with pytest.raises(ConfigurationError) as e:
        parse_config(b"# ok\n" + line + b"\n", "/x/config")
    assert str(e.value) == f"/x/config:{number}: not a 'key = value' line, or a value too long"


def test_parse_value_length_limits():
    assert parse_config(b"api_url = " + b"u" * 511)[0] == "u" * 511
    assert parse_config(b"api_key = " + b"k" * 127)[1] == "k" * 127
    with pytest.raises(ConfigurationError):
        parse_config(b"api_url = " + b"u" * 512)
    with pytest.raises(ConfigurationError):
        parse_config(b"api_key = " + b"k" * 128)
    # an unknown key's value is not limited: it is ignored
    assert parse_config(b"other = " + b"x" * 4000) == (None, None)


def test_load_missing_file_and_too_big(tmp_path):
    assert load_config(str(tmp_path / "none")) == (None, None)
    write_config(tmp_path, b"#" * (CONFIG_MAX + 1))
    with pytest.raises(ConfigurationError, match="larger than 16 KiB"):
        load_config(str(tmp_path))
    write_config(tmp_path, b"#" * CONFIG_MAX)
    assert load_config(str(tmp_path)) == (None, None)


def test_home(monkeypatch, clean_env):
    assert nullspace_home() == str(clean_env) + "/.nullspace"
    monkeypatch.setenv("NULLSPACE_HOME", "/nh")
    assert nullspace_home() == "/nh"
    monkeypatch.setenv("NULLSPACE_HOME", "")
    assert nullspace_home() == str(clean_env) + "/.nullspace"


def test_default_config_file_under_home(clean_env):
    write_config(clean_env / ".nullspace", f"api_url = http://h:2/\napi_key = {KEY}\n")
    c = resolve_config()
    assert (c.url, c.key) == ("http://h:2", KEY)


def test_precedence_argument_env_file(monkeypatch, tmp_path):
    write_config(tmp_path / "ns", "api_url = http://file:1\napi_key = file_key\n")
    monkeypatch.setenv("NULLSPACE_HOME", str(tmp_path / "ns"))
    c = resolve_config()
    assert (c.url, c.key) == ("http://file:1", "file_key")
    monkeypatch.setenv("NULLSPACE_API_URL", "http://env:1")
    c = resolve_config()
    assert (c.url, c.key) == ("http://env:1", "file_key")  # each value on its own
    monkeypatch.setenv("NULLSPACE_API_KEY", "env_key")
    c = resolve_config()
    assert (c.url, c.key) == ("http://env:1", "env_key")
    c = resolve_config(api_url="https://arg:1", api_key="arg_key")
    assert (c.url, c.key) == ("https://arg:1", "arg_key")
    monkeypatch.setenv("NULLSPACE_API_KEY", "")  # empty counts as unset
    assert resolve_config().key == "file_key"


def test_file_not_read_when_env_has_both(monkeypatch, tmp_path):
    write_config(tmp_path, b"broken line\n")
    monkeypatch.setenv("NULLSPACE_HOME", str(tmp_path))
    with pytest.raises(ConfigurationError, match=":1: not a 'key = value' line"):
        resolve_config()
    monkeypatch.setenv("NULLSPACE_API_URL", "http://env:1")
    monkeypatch.setenv("NULLSPACE_API_KEY", "k")
    assert resolve_config().url == "http://env:1"


def test_nothing_configured():
    with pytest.raises(ConfigurationError) as e:
        resolve_config()
    assert "no API configured (no API URL)" in str(e.value)
    assert "nullspace up" in str(e.value)
    with pytest.raises(ConfigurationError, match=r"no API key"):
        resolve_config(api_url="http://x:1")


@pytest.mark.parametrize("url", ["ftp://x", "http://a b", "127.0.0.1:8780", "http://x/" + "p" * 600],
                         ids=["ftp", "blank", "no-scheme", "too-long"])
def test_bad_url(url):
    with pytest.raises(ConfigurationError, match="not an http:// or https:// API URL"):
        resolve_config(api_url=url, api_key="k")


@pytest.mark.parametrize("key", ["", "a b", "k\n", "k" * 128, "clé"],
                         ids=["empty", "blank", "newline", "too-long", "non-ascii"])
def test_bad_key_never_echoed(key):
    with pytest.raises(ConfigurationError) as e:
        resolve_config(api_url="http://x:1", api_key=key)
    assert str(e.value) == "the API key is malformed (printable characters, no blanks)"


def test_repr_hides_key():
    c = resolve_config(api_url="http://x:1", api_key=KEY)
    assert KEY not in repr(c)
