"""Test doubles for kaiwa and for applications built on it.

Nothing here is a model: `ScriptedRealtimeServer` answers from a fixed script so tests and
benchmarks can exercise the real client over a real socket, deterministically.
"""

from .scripted_server import ScriptedRealtimeServer

__all__ = ["ScriptedRealtimeServer"]
