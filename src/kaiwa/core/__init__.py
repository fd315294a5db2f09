"""The realtime protocol's server side over the offline engine, with no I/O inside.

`RealtimeConnection` takes client events and produces server events; ``kaiwa serve`` carries
them over WebSocket and `kaiwa.models.local.LocalRealtimeModel` hands them over in-process.
"""

from .config import ConfigError
from .connection import RealtimeConnection
from .conversation import Conversation

__all__ = ["ConfigError", "Conversation", "RealtimeConnection"]
