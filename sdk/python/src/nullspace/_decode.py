"""Strict reading of the API's JSON answers: a member missing or of the
wrong type is an APIError naming it, never a KeyError deep in user code."""

from datetime import datetime, timezone
from typing import Any, Mapping, Optional, Type, TypeVar

from .errors import APIError

T = TypeVar("T")


def bad(status: int, why: str) -> APIError:
    return APIError(f"the API sent a response we cannot read: {why}", status)


def obj(value: Any, status: int, what: str = "the answer") -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise bad(status, f"{what} is not a JSON object")
    return value


def member(o: Mapping[str, Any], name: str, kind: Type[T], status: int) -> T:
    """o[name], which must be present and of type kind (bool is no int)."""
    value = o.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise bad(status, f"member {name!r} is missing or not a {kind.__name__}")
    return value


def optional(o: Mapping[str, Any], name: str, kind: Type[T], status: int) -> Optional[T]:
    """o[name] when present and not null, else None; of type kind."""
    if o.get(name) is None:
        return None
    return member(o, name, kind, status)


def parse_time(text: str, status: int = 200) -> datetime:
    """An RFC 3339 timestamp of the API ("2026-11-28T10:00:00Z") as an aware
    datetime in UTC."""
    value = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise bad(status, f"not an RFC 3339 time: {text!r}") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc)


def time_member(o: Mapping[str, Any], name: str, status: int) -> datetime:
    return parse_time(member(o, name, str, status), status)
