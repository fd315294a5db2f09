"""Audio: formats and playback tracking, and a microphone and speaker for sessions.

::

    async with await runner.run() as session:
        await kaiwa.audio.converse(session)      # talk until the session ends

`converse` / `AudioIO` wire the sound devices (`DeviceStream`), the echo canceller
(`WebRTCEchoCanceller`), the playback buffer (`AudioPlayer`, the session's playback tracker)
and the barge-in rules (`BargeIn`) to a session. ``kaiwa devices`` lists the devices.
The device parts load on first use (PortAudio and the canceller are optional extras).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .formats import audio_duration_ms, to_ga_format
from .playback import RealtimePlaybackState, RealtimePlaybackTracker

if TYPE_CHECKING:
    from .converse import AudioIO, AudioIOStats, converse
    from .devices import AudioDevice, AudioStream, DeviceStream, find_device, list_devices
    from .echo import EchoCanceller, PassThrough, WebRTCEchoCanceller
    from .interruptions import BargeIn, InterruptionSettings, is_backchannel
    from .player import AudioPlayer

__all__ = [
    "AudioDevice",
    "AudioIO",
    "AudioIOStats",
    "AudioPlayer",
    "AudioStream",
    "BargeIn",
    "DeviceStream",
    "EchoCanceller",
    "InterruptionSettings",
    "PassThrough",
    "RealtimePlaybackState",
    "RealtimePlaybackTracker",
    "WebRTCEchoCanceller",
    "audio_duration_ms",
    "converse",
    "find_device",
    "is_backchannel",
    "list_devices",
    "to_ga_format",
]

_LAZY = {
    "AudioIO": "converse",
    "AudioIOStats": "converse",
    "converse": "converse",
    "AudioDevice": "devices",
    "AudioStream": "devices",
    "DeviceStream": "devices",
    "find_device": "devices",
    "list_devices": "devices",
    "EchoCanceller": "echo",
    "PassThrough": "echo",
    "WebRTCEchoCanceller": "echo",
    "BargeIn": "interruptions",
    "InterruptionSettings": "interruptions",
    "is_backchannel": "interruptions",
    "AudioPlayer": "player",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kaiwa.audio' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
