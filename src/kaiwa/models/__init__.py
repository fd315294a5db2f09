"""Realtime models: the interface, its events, the WebSocket client and the local engine."""

from .interface import RealtimeModel, RealtimeModelConfig, RealtimeModelListener
from .local import LocalRealtimeModel
from .openai_ws import OpenAIRealtimeWebSocketModel, TransportConfig, get_api_key

__all__ = [
    "LocalRealtimeModel",
    "OpenAIRealtimeWebSocketModel",
    "RealtimeModel",
    "RealtimeModelConfig",
    "RealtimeModelListener",
    "TransportConfig",
    "get_api_key",
]
