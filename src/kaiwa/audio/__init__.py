"""Audio helpers: formats, playback tracking."""

from .formats import audio_duration_ms, to_ga_format
from .playback import RealtimePlaybackState, RealtimePlaybackTracker

__all__ = ["RealtimePlaybackState", "RealtimePlaybackTracker", "audio_duration_ms", "to_ga_format"]
