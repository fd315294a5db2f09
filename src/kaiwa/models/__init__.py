"""Realtime models: the interface, its events, and the WebSocket implementation."""

from .interface import RealtimeModel, RealtimeModelConfig, RealtimeModelListener
from .openai_ws import OpenAIRealtimeWebSocketModel, TransportConfig, get_api_key

__all__ = [
    "OpenAIRealtimeWebSocketModel",
    "RealtimeModel",
    "RealtimeModelConfig",
    "RealtimeModelListener",
    "TransportConfig",
    "get_api_key",
]
