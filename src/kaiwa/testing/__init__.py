"""Test doubles for kaiwa and for applications built on it.

Nothing here is a model: `ScriptedRealtimeServer` answers from a fixed script so tests and
benchmarks can exercise the real client over a real socket, deterministically;
`SimulatedRoom` stands in for the sound devices, feeding the played audio back into the
microphone through a simulated room.
"""

from .room import SimulatedRoom, room_impulse_response
from .scripted_server import ScriptedRealtimeServer

__all__ = ["ScriptedRealtimeServer", "SimulatedRoom", "room_impulse_response"]
