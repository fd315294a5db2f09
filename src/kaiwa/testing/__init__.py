"""Test doubles for kaiwa and for applications built on it.

Nothing here is a model: `ScriptedRealtimeServer` answers from a fixed script so tests and
benchmarks can exercise the real client over a real socket, deterministically;
`SimulatedRoom` stands in for the sound devices, feeding the played audio back into the
microphone through a simulated room; `FakeStages` are scripted stand-ins for the engine's
stages (LLM, voice, recognizer, VAD), so the real protocol runs in tests with no model.
"""

from .room import SimulatedRoom, room_impulse_response
from .scripted_server import ScriptedRealtimeServer
from .stages import EnergyListener, FakeStages, ScriptedLLM, ScriptedRecognizer, ToneVoice

__all__ = [
    "EnergyListener",
    "FakeStages",
    "ScriptedLLM",
    "ScriptedRealtimeServer",
    "ScriptedRecognizer",
    "SimulatedRoom",
    "ToneVoice",
    "room_impulse_response",
]
