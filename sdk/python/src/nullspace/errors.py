"""The exceptions the SDK raises.

Every exception is a :class:`NullspaceError`. An answer of the API that is an
error becomes an :class:`APIError` (or one of its subclasses, chosen by the
HTTP status) carrying the API's own ``error`` sentence and the status. No
message ever holds the API key.
"""

from typing import Optional


class NullspaceError(Exception):
    """Base class of every error of the nullspace SDK.

    ``message`` is a sentence for a human; ``status`` is the HTTP status of
    the answer that caused it, or ``None`` when no answer came.
    """

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class ConfigurationError(NullspaceError):
    """No API configured, or a bad configuration (URL, key or config file)."""


class APIConnectionError(NullspaceError):
    """The API could not be reached, or the connection broke mid-answer."""


class APITimeoutError(APIConnectionError):
    """The API did not answer within the request timeout."""


class APIError(NullspaceError):
    """The API answered with an error status (the classes below name the
    common ones; any other status, 400 and 500 among them, is an APIError),
    or sent an answer the SDK cannot read."""


class AuthenticationError(APIError):
    """401: the API key is missing or unknown."""


class NotFoundError(APIError):
    """404: no such sandbox (or file, or route)."""


class ConflictError(APIError):
    """409: the sandbox is stopped (access cannot be minted, commands not run)."""


class RateLimitError(APIError):
    """429: too many sandboxes running."""


_BY_STATUS = {
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_for_status(status: int, message: str) -> APIError:
    """The exception for an error answer of the API with this status."""
    return _BY_STATUS.get(status, APIError)(message, status)
