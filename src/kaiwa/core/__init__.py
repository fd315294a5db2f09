"""The realtime protocol's server side.

`ServerProtocol` is the protocol as a state machine with no I/O: client events and stage
reports in, server events and stage commands (`kaiwa.core.commands`) out. `RealtimeConnection`
drives it over the offline engine's stages, on an event loop; ``kaiwa serve`` carries its events
over WebSocket and `kaiwa.models.local.LocalRealtimeModel` hands them over in-process. An
`Observer` given to the connection sees every event and every stage's start and report;
`TurnClock` is one that measures every turn (`TurnMetrics`).
"""

from .config import ClientError, ConfigError
from .connection import Observation, Observer, RealtimeConnection
from .conversation import Conversation
from .metrics import ToolTime, TurnClock, TurnMetrics
from .protocol import ServerProtocol

__all__ = [
    "ClientError",
    "ConfigError",
    "Conversation",
    "Observation",
    "Observer",
    "RealtimeConnection",
    "ServerProtocol",
    "ToolTime",
    "TurnClock",
    "TurnMetrics",
]
