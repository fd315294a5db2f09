"""Exceptions raised by kaiwa.

The whole tree has one root::

    KaiwaError
    ├── UserError               misuse of the API (bad setting, wrong argument, unknown agent)
    │   └── InvalidState        a method called at the wrong time (send before connect, ...)
    ├── ModelConnectionError    the model could not be reached, refused us, or dropped the link
    ├── ProtocolError           the peer sent something that breaks the Realtime protocol
    ├── ModelNotFoundError      packaged weights are missing or corrupt (says what to reinstall)
    ├── EngineError             an offline engine stage failed (ASR, LLM, TTS...)
    ├── AudioDeviceError        a sound device is missing or cannot be opened (names it)
    └── ToolError               a function tool failed (raised, timed out, does not exist)
        ├── ToolTimeoutError
        └── UnknownToolError

A session never dies of a `ToolError`: it reports it as an ``error`` event and answers the model
with an error output. Connection errors end the session: iterating it raises them.
"""

from __future__ import annotations

__all__ = [
    "AudioDeviceError",
    "EngineError",
    "InvalidState",
    "KaiwaError",
    "ModelConnectionError",
    "ModelNotFoundError",
    "ProtocolError",
    "ToolError",
    "ToolTimeoutError",
    "UnknownToolError",
    "UserError",
]


class KaiwaError(Exception):
    """Root of every exception kaiwa raises on purpose."""


class UserError(KaiwaError, ValueError):
    """The API was used wrongly: a bad setting, a wrong argument type, a duplicate tool name."""


class InvalidState(UserError, RuntimeError):
    """A method was called when the object is not in a state to accept it."""


class ModelConnectionError(KaiwaError, ConnectionError):
    """The realtime model could not be reached, refused the connection, or dropped it.

    Attributes:
        status: the HTTP status of a refused upgrade (401 for a bad key), when there was one.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ModelNotFoundError(KaiwaError, FileNotFoundError):
    """Model weights that should come from an installed package are missing or corrupt.

    The message names the package to (re)install.
    """


class EngineError(KaiwaError):
    """An offline engine stage failed; raised from the backend's own exception.

    Attributes:
        is_permanent: True when retrying cannot help (a missing model, a bad argument).
    """

    def __init__(self, message: str, *, is_permanent: bool = False) -> None:
        super().__init__(message)
        self.is_permanent = is_permanent


class ProtocolError(KaiwaError):
    """The peer sent a frame that is not a valid Realtime event."""


class ToolError(KaiwaError):
    """A function tool could not produce a result.

    Attributes:
        tool_name: the name the model called.
        call_id: the model's call id, to match the error with the call.
    """

    def __init__(self, message: str, *, tool_name: str, call_id: str) -> None:
        super().__init__(message)
        self.tool_name = tool_name
        self.call_id = call_id


class ToolTimeoutError(ToolError):
    """A function tool ran longer than its ``timeout_seconds``."""


class UnknownToolError(ToolError):
    """The model called a tool that the current agent does not have."""


class AudioDeviceError(KaiwaError, OSError):
    """A microphone or speaker is missing, unknown, or cannot be opened; the message names the
    device and what to try (``kaiwa devices`` lists them)."""
