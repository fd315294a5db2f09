"""What ``kaiwa serve`` tells about its turns: a log line each, and Prometheus metrics.

Every session's connection gets an observer (`SessionMetrics`) with a `TurnClock`: each
response's `TurnMetrics` is logged (``kaiwa.metrics``, at INFO: ``--log-level info``) and, with
``kaiwa serve --metrics``, recorded in a Prometheus registry served at ``/metrics``:

- ``kaiwa_turn_stage_seconds{stage}``: each stage of a turn (end of speech -> end of turn ->
  transcript -> response created -> first audio -> done), one after the other;
- ``kaiwa_first_audio_seconds{spoken}``: end of speech (or the request) -> first audio;
- ``kaiwa_llm_first_token_seconds``: end of speech (or the request) -> the LLM's first token;
- ``kaiwa_tool_seconds``, ``kaiwa_barge_in_seconds`` (speech started -> the response stopped);
- ``kaiwa_responses_total{status}``, ``kaiwa_errors_total{code}``,
  ``kaiwa_tokens_total{kind}``, ``kaiwa_early_replies_total{kept}``;
- ``kaiwa_sessions_active``, ``kaiwa_stage_queue_depth{stage}`` (what waits for each shared
  stage: ``vad``, ``asr``, ``llm``, ``tts``), ``kaiwa_model_load_seconds``.

Labels take only values the server chose (a status, an error code it sends): a client cannot
grow the number of series.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping, Sized
from typing import Any

from ..core.connection import Observation
from ..core.metrics import TurnClock, TurnMetrics
from ..core.tracing import TurnTracer

__all__ = ["ServerMetrics", "SessionMetrics", "turn_line"]

logger = logging.getLogger("kaiwa.metrics")

STAGE_BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0)
STATUSES = frozenset({"completed", "cancelled", "failed", "incomplete"})
MAX_ERROR_CODES = 64
"""Distinct error codes counted by name; any more are counted as ``other``."""
_CODE = re.compile(r"[a-z0-9_.]{1,64}")


def _depth(depths: Callable[[], Mapping[str, int]], stage: str) -> float:
    return float(depths().get(stage, 0))


class ServerMetrics:
    """The Prometheus metrics of one server (its own registry: two servers in one process, or
    a server mounted in an app with metrics of its own, do not collide).

    Args:
        sessions: the server's open sessions (their count is read at each scrape).
        stages: the engine; if it has a ``queue_depths()`` method (a mapping from stage name
            to what waits for it, as `kaiwa.engine.Engine` has), it is read at each scrape.
    """

    def __init__(self, sessions: Sized, stages: object = None) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.stage = Histogram(
            "kaiwa_turn_stage_seconds",
            "Each stage of a turn, from the end of the previous one.",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.first_audio = Histogram(
            "kaiwa_first_audio_seconds",
            "End of the user's speech (or the request, for a typed turn) to the first audio.",
            ["spoken"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.llm_first_token = Histogram(
            "kaiwa_llm_first_token_seconds",
            "End of the user's speech (or the request) to the LLM's first token.",
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.tool = Histogram(
            "kaiwa_tool_seconds",
            "A tool call: its arguments sent to its output received.",
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.barge_in = Histogram(
            "kaiwa_barge_in_seconds",
            "The user started speaking to the response they cut off being stopped.",
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.responses = Counter(
            "kaiwa_responses", "Responses, by their final status.", ["status"], registry=r
        )
        self.errors = Counter(
            "kaiwa_errors", "Error events sent to clients, by code.", ["code"], registry=r
        )
        self.tokens = Counter(
            "kaiwa_tokens", "LLM tokens: input, cached (of input), output.", ["kind"], registry=r
        )
        self.early = Counter(
            "kaiwa_early_replies",
            "Replies started on a pause: kept (the turn said the same) or dropped.",
            ["kept"],
            registry=r,
        )
        self.load = Gauge(
            "kaiwa_model_load_seconds", "How long loading the engine's models took.", registry=r
        )
        active = Gauge("kaiwa_sessions_active", "Sessions open now.", registry=r)
        active.set_function(lambda: len(sessions))
        depths = getattr(stages, "queue_depths", None)
        if callable(depths):
            queue = Gauge(
                "kaiwa_stage_queue_depth",
                "What waits for a shared stage now (besides what it is doing).",
                ["stage"],
                registry=r,
            )
            for stage in depths():
                if _CODE.fullmatch(stage):
                    queue.labels(stage).set_function(functools.partial(_depth, depths, stage))
        self._codes: set[str] = set()

    def turn(self, turn: TurnMetrics) -> None:
        """Record one response's metrics."""
        for stage, seconds in turn.stages().items():
            self.stage.labels(stage).observe(seconds)
        if turn.first_audio is not None:
            self.first_audio.labels("true" if turn.spoken else "false").observe(turn.first_audio)
        if turn.llm_first_token is not None:
            self.llm_first_token.observe(max(0.0, turn.llm_first_token))
        for tool in turn.tools:
            self.tool.observe(tool.seconds)
        if turn.barge_in is not None:
            self.barge_in.observe(turn.barge_in)
        self.responses.labels(turn.status if turn.status in STATUSES else "other").inc()
        for kind, n in (
            ("input", turn.input_tokens),
            ("cached", turn.cached_tokens),
            ("output", turn.output_tokens),
        ):
            if n:
                self.tokens.labels(kind).inc(n)
        if turn.early_reply_kept is not None:
            self.early.labels("true" if turn.early_reply_kept else "false").inc()

    def error(self, code: object) -> None:
        """Count one error event sent to a client."""
        name = code if isinstance(code, str) and _CODE.fullmatch(code) else "other"
        if name not in self._codes:
            if len(self._codes) >= MAX_ERROR_CODES:
                name = "other"
            self._codes.add(name)
        self.errors.labels(name).inc()

    def exposition(self) -> tuple[bytes, str]:
        """The metrics in Prometheus' text format, and its content type."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class SessionMetrics:
    """The observer of one session's connection: its turns logged, traced (OpenTelemetry,
    `kaiwa.core.tracing`: a no-op unless the application configures it), and recorded in
    ``metrics`` if given. `close` it when the session ends.

    Args:
        session_id: named in the log lines.
        metrics: the server's registry (None: log only).
        on_turn: also called with each turn (e.g. a test, or an app's own dashboard).
        tracer: the OpenTelemetry tracer (default: the global provider's ``kaiwa``).
    """

    def __init__(
        self,
        session_id: str,
        metrics: ServerMetrics | None = None,
        on_turn: Callable[[TurnMetrics], None] | None = None,
        *,
        tracer: Any = None,
    ) -> None:
        self.session_id = session_id
        self._metrics = metrics
        self._on_turn = on_turn
        self._clock = TurnClock(self._turn)
        self._tracer = TurnTracer(tracer, session_id=session_id)

    def __call__(self, seen: Observation) -> None:
        self._clock(seen)
        if (
            self._metrics is not None
            and seen.kind == "server_event"
            and seen.name == "error"
            and isinstance(seen.data, dict)
        ):
            error: Any = seen.data.get("error")
            self._metrics.error(error.get("code") if isinstance(error, dict) else None)

    def _turn(self, turn: TurnMetrics) -> None:
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s %s", self.session_id, turn_line(turn))
        if self._metrics is not None:
            self._metrics.turn(turn)
        self._tracer.turn(turn)
        if self._on_turn is not None:
            self._on_turn(turn)

    def close(self) -> None:
        """The session has ended (its trace's session span ends)."""
        self._tracer.close()


def turn_line(turn: TurnMetrics) -> str:
    """One line for a log: the response, its stages in ms, tokens, tools."""
    stages = " ".join(f"{name}={seconds * 1000:.0f}ms" for name, seconds in turn.stages().items())
    parts = [
        f"{turn.response_id} {turn.status or '?'}",
        "spoken" if turn.spoken else "typed",
        stages,
    ]
    if turn.llm_first_token is not None:
        parts.append(f"llm_first_token_after={turn.llm_first_token * 1000:.0f}ms")
    if turn.first_audio is not None:
        parts.append(f"first_audio_after={turn.first_audio * 1000:.0f}ms")
    if turn.input_tokens or turn.output_tokens:
        parts.append(
            f"tokens in={turn.input_tokens} cached={turn.cached_tokens} out={turn.output_tokens}"
        )
    if turn.early_reply_kept is not None:
        parts.append(f"early_reply={'kept' if turn.early_reply_kept else 'dropped'}")
    if turn.tools:
        parts.append("tools " + " ".join(f"{t.name}={t.seconds * 1000:.0f}ms" for t in turn.tools))
    if turn.barge_in is not None:
        parts.append(f"barge_in={turn.barge_in * 1000:.0f}ms")
    return " ".join(parts)
