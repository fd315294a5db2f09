"""Who may connect: API keys and short-lived client secrets.

A browser must never hold the real key. As with OpenAI, the app's backend trades its key for
a client secret (``POST /v1/realtime/client_secrets``) that works for a few minutes, only to
open realtime sessions, optionally with the session settings fixed at creation.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ClientSecrets", "Secret", "bearer_token", "is_loopback"]

MAX_SECRETS = 10_000
DEFAULT_TTL_S = 600
MIN_TTL_S, MAX_TTL_S = 10, 7200  # OpenAI's bounds


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bearer_token(headers: Mapping[str, str], subprotocols: Sequence[str] = ()) -> str | None:
    """The credential a client presented: ``Authorization: Bearer <key>``, or (browsers, which
    cannot set headers on a WebSocket) the ``openai-insecure-api-key.<key>`` subprotocol."""
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    for proto in subprotocols:
        if proto.startswith("openai-insecure-api-key."):
            return proto.removeprefix("openai-insecure-api-key.") or None
    return None


@dataclass(frozen=True)
class Secret:
    value: str
    expires_at: int
    session: dict[str, Any] = field(default_factory=dict)


class ClientSecrets:
    """The secrets handed out, until they expire (bounded; expired ones are dropped)."""

    def __init__(self, api_keys: Sequence[str]) -> None:
        self.api_keys = tuple(api_keys)
        self._secrets: dict[str, Secret] = {}

    @property
    def open(self) -> bool:
        """No key configured: anyone who can reach the server may use it."""
        return not self.api_keys

    def is_api_key(self, token: str | None) -> bool:
        if token is None:
            return False
        return any(hmac.compare_digest(token.encode(), key.encode()) for key in self.api_keys)

    def lookup(self, token: str | None) -> Secret | None:
        """The live secret ``token`` names, if any."""
        secret = self._secrets.get(token or "")
        if secret is None:
            return None
        if secret.expires_at <= time.time():
            del self._secrets[secret.value]
            return None
        return secret

    def create(self, session: Mapping[str, Any], ttl_s: int = DEFAULT_TTL_S) -> Secret:
        """A new secret valid for ``ttl_s`` seconds.

        Raises:
            ValueError: ``ttl_s`` out of bounds.
            OverflowError: too many live secrets.
        """
        if not MIN_TTL_S <= ttl_s <= MAX_TTL_S:
            raise ValueError(f"expires_after.seconds must be between {MIN_TTL_S} and {MAX_TTL_S}")
        now = time.time()
        for value in [v for v, s in self._secrets.items() if s.expires_at <= now]:
            del self._secrets[value]
        if len(self._secrets) >= MAX_SECRETS:
            raise OverflowError(f"{MAX_SECRETS} client secrets are live; try again later")
        secret = Secret(f"ek_{secrets.token_urlsafe(24)}", int(now) + ttl_s, dict(session))
        self._secrets[secret.value] = secret
        return secret
