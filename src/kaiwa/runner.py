"""`RealtimeRunner`: starts sessions for an agent."""

from __future__ import annotations

import os
from typing import Any

from .agent import RealtimeAgent
from .config import RealtimeRunConfig
from .models.interface import RealtimeModel, RealtimeModelConfig
from .session import RealtimeSession

__all__ = ["RealtimeRunner"]


def default_model(model_config: RealtimeModelConfig | None = None) -> RealtimeModel:
    """The model used when the runner is given none.

    OpenAI's Realtime API over WebSocket when there is somewhere to connect to: an
    ``OPENAI_API_KEY`` or ``KAIWA_REALTIME_URL`` in the environment, or a ``url``, ``api_key``
    or ``headers`` in ``model_config`` (e.g. a ``kaiwa serve`` URL). Otherwise the offline
    engine in-process (`LocalRealtimeModel`): no key, no network.
    """
    config = model_config or {}
    remote = any(config.get(k) for k in ("url", "api_key", "headers", "call_id")) or any(
        os.environ.get(k) for k in ("OPENAI_API_KEY", "KAIWA_REALTIME_URL")
    )
    if remote:
        from .models.openai_ws import OpenAIRealtimeWebSocketModel

        return OpenAIRealtimeWebSocketModel()
    from .models.local import LocalRealtimeModel

    return LocalRealtimeModel()


class RealtimeRunner:
    """Runs realtime sessions, starting with ``starting_agent``.

    Args:
        starting_agent: the agent that speaks first.
        model: the model to use; default: OpenAI's when a key or URL is configured, else the
            offline engine (see `default_model`).
        config: settings for every session this runner starts.
    """

    def __init__(
        self,
        starting_agent: RealtimeAgent[Any],
        *,
        model: RealtimeModel | None = None,
        config: RealtimeRunConfig | None = None,
    ) -> None:
        self._starting_agent = starting_agent
        self._config = config
        self._model = model

    async def run(
        self, *, context: Any | None = None, model_config: RealtimeModelConfig | None = None
    ) -> RealtimeSession:
        """A new session (not yet connected: use it with ``async with``).

        Args:
            context: your object, handed to tools, guardrails and instructions functions.
            model_config: connection settings (url, api_key, headers, initial_model_settings,
                playback_tracker) for this session.
        """
        return RealtimeSession(
            model=self._model if self._model is not None else default_model(model_config),
            agent=self._starting_agent,
            context=context,
            model_config=model_config,
            run_config=self._config,
        )
