"""``kaiwa web``: a browser page to talk with agents (the reference SDK's web demo, offline).

The agents run here, in Python, in one `RealtimeSession` per browser tab; the browser is the
microphone, the speaker and the screen. See `create_web_app` for the routes and the page's
protocol, and ``kaiwa web --help``.
"""

from __future__ import annotations

from .app import WebConfig, create_web_app, run_web

__all__ = ["WebConfig", "create_web_app", "run_web"]
