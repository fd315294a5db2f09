"""Credentials never reach the logs.

At ``--log-level debug`` the WebSocket library prints every handshake header, the
``Authorization: Bearer`` key and a browser's ``openai-insecure-api-key.<key>`` subprotocol
included. `SecretsFilter`, on the log handlers, masks them (and client secrets, ``ek_...``)
in every record, whichever logger it came from.
"""

from __future__ import annotations

import logging
import re

__all__ = ["SecretsFilter", "hide_secrets"]

_SECRET = re.compile(
    r"(?i)((?:bearer|basic)\s+|openai-insecure-api-key\.|api[_-]?key[\"'=:\s]+)[^\s,;&\"']+"
    r"|\bek_[\w-]+"
)
MASK = "[redacted]"


def redact(text: str) -> str:
    """``text`` with keys and client secrets masked."""
    return _SECRET.sub(lambda m: (m.group(1) or "") + MASK, text)


class SecretsFilter(logging.Filter):
    """Masks credentials in a record's message (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def hide_secrets(*loggers: str) -> None:
    """Put a `SecretsFilter` on every handler of the root logger and of ``loggers`` (handler
    filters see records from child loggers too, which logger filters do not)."""
    names = ("", *loggers)
    for name in names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, SecretsFilter) for f in handler.filters):
                handler.addFilter(SecretsFilter())
