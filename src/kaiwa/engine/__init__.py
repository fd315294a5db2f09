"""The offline realtime engine: VAD, end of turn, speech recognition, LLM, speech synthesis.

Every stage runs on the CPU with weights that come from installed packages (never a model hub),
streams its output, and can be cancelled mid-way. Heavy work runs in worker threads so the
event loop keeps moving audio.
"""
