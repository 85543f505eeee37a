"""nullspace: the Python SDK of the nullspace control plane.

    from nullspace import Sandbox

    sandbox = Sandbox.create(template="base", timeout=600)
    print(sandbox.id)

Pure standard library. See README.md for configuration, errors, commands and
files.
"""

from .access import SshAccess
from .commands import CommandResult, Commands, CommandStream, OutputChunk
from .config import ApiConfig, resolve_config
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    NullspaceError,
    RateLimitError,
)
from .files import FileEntry, Files, SignedUrl, UploadResult
from .sandbox import Sandbox

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ApiConfig",
    "AuthenticationError",
    "CommandResult",
    "CommandStream",
    "Commands",
    "ConfigurationError",
    "ConflictError",
    "FileEntry",
    "Files",
    "NotFoundError",
    "NullspaceError",
    "OutputChunk",
    "RateLimitError",
    "Sandbox",
    "SignedUrl",
    "SshAccess",
    "UploadResult",
    "resolve_config",
]
