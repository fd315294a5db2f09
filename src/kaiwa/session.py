"""`RealtimeSession`: one live conversation with a realtime model.

Use it as an async context manager and iterate it for events; send audio, text and interrupts
into it. It keeps the history, runs tools in the background (bounded), performs handoffs, and
runs output guardrails on the transcript as it streams.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from . import _history
from ._event_queue import EventQueue
from ._guardrails import GuardrailCheck, GuardrailMonitor
from ._tool_calls import DEFAULT_REJECTION_MESSAGE, ApprovalGate, find_target, run_tool
from .agent import RealtimeAgent
from .config import RealtimeRunConfig, RealtimeSessionModelSettings, RealtimeUserInput
from .context import RunContextWrapper
from .core.metrics import TurnClock, TurnMetrics
from .core.tracing import TurnTracer
from .events import (
    RealtimeAgentEndEvent,
    RealtimeAgentStartEvent,
    RealtimeAudio,
    RealtimeAudioEnd,
    RealtimeAudioInterrupted,
    RealtimeError,
    RealtimeEventInfo,
    RealtimeGuardrailTripped,
    RealtimeHandoffEvent,
    RealtimeHistoryAdded,
    RealtimeHistoryUpdated,
    RealtimeInputAudioTimeoutTriggered,
    RealtimeRawModelEvent,
    RealtimeSessionEvent,
    RealtimeToolApprovalRequired,
    RealtimeToolEnd,
    RealtimeToolStart,
)
from .exceptions import InvalidState, ToolError, UserError
from .guardrail import OutputGuardrail, OutputGuardrailResult
from .handoff import Handoff
from .items import RealtimeItem
from .models._protocol_model import ProtocolModel
from .models.interface import RealtimeModel, RealtimeModelConfig, RealtimeModelListener
from .models.model_events import (
    RealtimeModelAudioEvent,
    RealtimeModelEvent,
    RealtimeModelToolCallEvent,
)
from .models.model_inputs import (
    RealtimeModelSendAudio,
    RealtimeModelSendEvent,
    RealtimeModelSendInterrupt,
    RealtimeModelSendSessionUpdate,
    RealtimeModelSendToolOutput,
    RealtimeModelSendUserInput,
)
from .settings import check_settings, merge_settings

__all__ = ["RealtimeSession"]

logger = logging.getLogger("kaiwa.session")

MAX_TURN_METRICS = 100
"""Responses whose metrics `RealtimeSession.turn_metrics` keeps."""

# Set while the application itself calls into the model, so the events that call causes are
# queued without waiting on the application's own reading (which would deadlock).
_in_app_call: contextvars.ContextVar[bool] = contextvars.ContextVar("in_app_call", default=False)


class RealtimeSession(RealtimeModelListener):
    """A conversation with a realtime model; made by `RealtimeRunner.run()`.

    ::

        async with await runner.run() as session:
            await session.send_message("Hello")
            async for event in session:
                ...

    Iteration ends when the session is closed or the server ends the stream; it raises
    `ModelConnectionError` if the connection drops.
    """

    def __init__(
        self,
        model: RealtimeModel,
        agent: RealtimeAgent[Any],
        context: Any | None,
        model_config: RealtimeModelConfig | None = None,
        run_config: RealtimeRunConfig | None = None,
    ) -> None:
        self._model = model
        self._current_agent = agent
        self._context_wrapper: RunContextWrapper[Any] = RunContextWrapper(context)
        self._event_info = RealtimeEventInfo(context=self._context_wrapper)
        self._model_config: RealtimeModelConfig = dict(model_config or {})  # type: ignore[assignment]
        self._run_config: RealtimeRunConfig = dict(run_config or {})  # type: ignore[assignment]
        check_settings(self._run_config.get("model_settings") or {}, "run_config.model_settings")
        check_settings(
            self._model_config.get("initial_model_settings") or {}, "initial_model_settings"
        )
        self._history: list[RealtimeItem] = []
        self._queue: EventQueue[RealtimeSessionEvent] = EventQueue()
        self._stored_exception: BaseException | None = None
        self._connected = False
        self._closed = False
        tool_cfg = self._run_config.get("tool_execution") or {}
        self._tool_slots = asyncio.Semaphore(tool_cfg.get("max_concurrent_tools", 8))
        self._tool_timeout = tool_cfg.get("default_timeout_seconds")
        self._async_tools = self._run_config.get("async_tool_calls", True)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._approvals = ApprovalGate()
        self._guardrails = GuardrailMonitor(
            (self._run_config.get("guardrails_settings") or {}).get("debounce_text_length", 100)
        )
        self._response_agent: dict[str, RealtimeAgent[Any]] = {}
        self._turn_metrics: collections.deque[TurnMetrics] = collections.deque(
            maxlen=MAX_TURN_METRICS
        )
        self._turn_callbacks: list[Callable[[TurnMetrics], None]] = []
        self._tracer: TurnTracer | None = None
        self._clock: TurnClock | None = None
        self._unprepared: RealtimeAgent[Any] | None = None
        """An agent whose handoffs' agents the model is to prepare for once its first
        response ends (`_prepare_handoffs`)."""
        self._handlers: dict[str, Callable[[Any], Any]] = {
            "error": self._on_error,
            "function_call": self._on_function_call,
            "audio": self._on_audio,
            "audio_interrupted": self._on_audio_interrupted,
            "audio_done": self._on_audio_done,
            "input_audio_transcription_completed": self._on_transcription,
            "input_audio_timeout_triggered": self._on_input_timeout,
            "transcript_delta": self._on_output_delta,
            "output_text_delta": self._on_output_delta,
            "item_updated": self._on_item_updated,
            "item_deleted": self._on_item_deleted,
            "end_of_stream": self._on_end_of_stream,
            "turn_started": self._on_turn_started,
            "turn_ended": self._on_turn_ended,
            "usage": self._on_usage,
            "exception": self._on_exception,
        }

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def model(self) -> RealtimeModel:
        """The model, e.g. to ``session.model.add_listener(...)`` for raw events."""
        return self._model

    @property
    def history(self) -> list[RealtimeItem]:
        """The conversation so far."""
        return list(self._history)

    @property
    def current_agent(self) -> RealtimeAgent[Any]:
        """The agent speaking now (changes on handoffs)."""
        return self._current_agent

    @property
    def turn_metrics(self) -> list[TurnMetrics]:
        """The latest responses' times (up to `MAX_TURN_METRICS`), as this client measured
        them: from the end of the user's speech (when its last audio was sent) or from the
        request, to the turn's commit, the transcript, the first audio and the end; tool
        time, tokens, barge-in (`kaiwa.core.TurnMetrics`). The same for every model that
        speaks the protocol: the offline engine, ``kaiwa serve``, OpenAI."""
        return list(self._turn_metrics)

    def on_turn_metrics(self, callback: Callable[[TurnMetrics], None]) -> Callable[[], None]:
        """Call ``callback`` with each response's `TurnMetrics` when it is done (on the
        event loop: it must not block). Returns a function that stops the calls."""
        self._turn_callbacks.append(callback)

        def stop() -> None:
            with contextlib.suppress(ValueError):
                self._turn_callbacks.remove(callback)

        return stop

    def _stop_measuring(self) -> None:
        if self._clock is not None and getattr(self._model, "observer", None) is self._clock:
            self._model.observer = None  # type: ignore[attr-defined]
        self._clock = None

    def _measured(self, turn: TurnMetrics) -> None:
        self._turn_metrics.append(turn)
        if self._tracer is not None:
            self._tracer.turn(turn)
        for callback in list(self._turn_callbacks):
            try:
                callback(turn)
            except Exception:
                logger.exception("a turn-metrics callback failed")

    async def __aenter__(self) -> RealtimeSession:
        """Connect to the model and send the starting agent's settings."""
        if self._connected or self._closed:
            raise InvalidState("a session can be entered once")
        settings = await self._settings_for(
            self._current_agent, self._model_config.get("initial_model_settings")
        )
        config: RealtimeModelConfig = dict(self._model_config)  # type: ignore[assignment]
        config["initial_model_settings"] = settings
        self._model.add_listener(self)
        if isinstance(self._model, ProtocolModel):  # (a model reused by a new session: ours now)
            self._clock = TurnClock(self._measured, client=True)
            self._model.observer = self._clock
        try:
            await self._model.connect(config)
        except BaseException:
            self._model.remove_listener(self)
            self._stop_measuring()
            raise
        self._connected = True
        if isinstance(self._model, ProtocolModel):  # spans for its measured turns
            self._tracer = TurnTracer(system=_system_of(self._model, config))
        await self._put(RealtimeHistoryUpdated(history=[], info=self._event_info))
        self._spawn(self._prepare_handoffs(self._current_agent))
        return self

    async def enter(self) -> RealtimeSession:
        """Like ``async with``, for code that cannot use it; call `close()` yourself."""
        return await self.__aenter__()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def __aiter__(self) -> AsyncIterator[RealtimeSessionEvent]:
        """The session's events, until it is closed or the stream ends."""
        while True:
            event = await self._queue.get()
            if event is None:
                if self._stored_exception is not None:
                    exc, self._stored_exception = self._stored_exception, None
                    await self.close()
                    raise exc
                return
            yield event

    async def close(self) -> None:
        """End the session: cancel running tools, close the connection. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._queue.close()
        self._approvals.cancel_all()
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._model.remove_listener(self)
        await self._model.close()
        self._stop_measuring()
        if self._tracer is not None:
            self._tracer.close()

    # -- what the application sends ----------------------------------------------------------

    async def send_message(self, message: RealtimeUserInput) -> None:
        """Send a user message (text, or ``{"type": "message", "role": "user", "content": [...]}``
        with ``input_text`` and ``input_image`` parts) and ask for a response."""
        await self._send(RealtimeModelSendUserInput(user_input=message))

    async def send_audio(self, audio: bytes, *, commit: bool = False) -> None:
        """Send input audio in the session's input format; ``commit`` ends the user's turn."""
        if not isinstance(audio, bytes | bytearray | memoryview):
            raise UserError(f"send_audio takes bytes, got {type(audio).__name__}")
        await self._send(RealtimeModelSendAudio(audio=bytes(audio), commit=commit))

    async def interrupt(self) -> None:
        """Stop the agent now: cancel its response and cut its audio where playback is."""
        await self._send(RealtimeModelSendInterrupt(force_response_cancel=True))

    async def update_agent(self, agent: RealtimeAgent[Any]) -> None:
        """Switch to ``agent`` and send its instructions, tools and voice."""
        settings = await self._settings_for(agent, None)
        self._current_agent = agent
        await self._send(RealtimeModelSendSessionUpdate(session_settings=settings))
        self._spawn(self._prepare_handoffs(agent))

    async def approve_tool_call(self, call_id: str, *, always: bool = False) -> None:
        """Let a call that waits for approval run (``always``: this tool, for the session)."""
        self._approvals.decide(call_id, True, None, always)

    async def reject_tool_call(
        self, call_id: str, *, always: bool = False, rejection_message: str | None = None
    ) -> None:
        """Refuse a waiting call; the model is told ``rejection_message``."""
        self._approvals.decide(call_id, False, rejection_message, always)

    async def _send(self, event: RealtimeModelSendEvent) -> None:
        if not self._connected:
            raise InvalidState("the session is not connected: use `async with session:` first")
        token = _in_app_call.set(True)
        try:
            await self._model.send_event(event)
        finally:
            _in_app_call.reset(token)

    # -- what the model sends ----------------------------------------------------------------

    async def on_event(self, event: RealtimeModelEvent) -> None:
        """Take one model event (the model calls this)."""
        if self._closed:
            return
        if event.type != "raw_server_event":
            await self._put(RealtimeRawModelEvent(data=event, info=self._event_info))
        handler = self._handlers.get(event.type)
        if handler is not None:
            await handler(event)

    async def _put(self, event: RealtimeSessionEvent) -> None:
        if _in_app_call.get():
            self._queue.put_nowait(event)
        else:
            await self._queue.put(event)

    async def _on_error(self, event: Any) -> None:
        await self._put(RealtimeError(error=event.error, info=self._event_info))

    async def _on_audio(self, event: RealtimeModelAudioEvent) -> None:
        if self._guardrails.tripped(event.response_id):
            return
        await self._put(RealtimeAudio(event, event.item_id, event.content_index, self._event_info))

    async def _on_audio_interrupted(self, event: Any) -> None:
        await self._put(
            RealtimeAudioInterrupted(self._event_info, event.item_id, event.content_index)
        )

    async def _on_audio_done(self, event: Any) -> None:
        await self._put(RealtimeAudioEnd(self._event_info, event.item_id, event.content_index))

    async def _on_input_timeout(self, event: Any) -> None:
        await self._put(RealtimeInputAudioTimeoutTriggered(info=self._event_info))

    async def _on_transcription(self, event: Any) -> None:
        self._history, is_new = _history.apply_transcript(
            self._history, event.item_id, event.transcript
        )
        await self._announce(event.item_id, is_new)

    async def _on_item_updated(self, event: Any) -> None:
        self._history, is_new = _history.apply_item(self._history, event.item)
        await self._announce(event.item.item_id, is_new)

    async def _announce(self, item_id: str, is_new: bool) -> None:
        if is_new:
            item = next(i for i in self._history if i.item_id == item_id)
            await self._put(RealtimeHistoryAdded(item=item, info=self._event_info))
        else:
            await self._put(
                RealtimeHistoryUpdated(history=list(self._history), info=self._event_info)
            )

    async def _on_item_deleted(self, event: Any) -> None:
        self._history = _history.delete_item(self._history, event.item_id)
        await self._put(RealtimeHistoryUpdated(history=list(self._history), info=self._event_info))

    async def _on_end_of_stream(self, event: Any) -> None:
        self._queue.close()

    async def _on_exception(self, event: Any) -> None:
        self._stored_exception = event.exception
        self._queue.close()

    async def _on_usage(self, event: Any) -> None:
        self._context_wrapper.usage.add(event.usage)

    async def _on_turn_started(self, event: Any) -> None:
        if event.response_id:
            self._response_agent[event.response_id] = self._current_agent
        await self._hook("on_start", self._current_agent)
        await self._put(RealtimeAgentStartEvent(agent=self._current_agent, info=self._event_info))

    async def _on_turn_ended(self, event: Any) -> None:
        response_id = event.response_id
        agent = self._response_agent.pop(response_id, self._current_agent)
        if agent is self._unprepared and agent is self._current_agent:
            # (not before: the new agent's first reply would wait behind the preparing)
            self._unprepared = None
            self._spawn(self._prepare_handoffs(agent))
        for check in self._guardrails.on_turn_end(response_id):
            self._start_guardrails(check, agent)
        await self._hook("on_end", agent, None)
        await self._put(RealtimeAgentEndEvent(agent=agent, info=self._event_info))

    async def _hook(self, name: str, agent: RealtimeAgent[Any], *args: Any) -> None:
        if agent.hooks is None:
            return
        try:
            await getattr(agent.hooks, name)(self._context_wrapper, agent, *args)
        except Exception:
            logger.exception("agent hook %s failed", name)

    # -- guardrails --------------------------------------------------------------------------

    def _guardrails_of(self, agent: RealtimeAgent[Any]) -> list[OutputGuardrail[Any]]:
        found: dict[int, OutputGuardrail[Any]] = {}
        for g in [*agent.output_guardrails, *(self._run_config.get("output_guardrails") or [])]:
            found.setdefault(id(g), g)
        return list(found.values())

    async def _on_output_delta(self, event: Any) -> None:
        check = self._guardrails.on_delta(event.item_id, event.response_id, event.delta)
        if event.type == "transcript_delta":
            text = self._guardrails.text(event.item_id)
            self._history = _history.set_assistant_transcript(self._history, event.item_id, text)
        if check is not None:
            agent = self._response_agent.get(event.response_id, self._current_agent)
            self._start_guardrails(check, agent)

    def _start_guardrails(self, check: GuardrailCheck, agent: RealtimeAgent[Any]) -> None:
        guardrails = self._guardrails_of(agent)
        if guardrails:
            self._spawn(self._run_guardrails(guardrails, agent, check.text, check.response_id))

    async def _run_guardrails(
        self,
        guardrails: list[OutputGuardrail[Any]],
        agent: RealtimeAgent[Any],
        text: str,
        response_id: str,
    ) -> None:
        results: list[OutputGuardrailResult] = []
        for guardrail in guardrails:
            try:
                result = await guardrail.run(self._context_wrapper, agent, text)
            except Exception as exc:
                await self._put(RealtimeError(error=exc, info=self._event_info))
                continue
            if result.output.tripwire_triggered:
                results.append(result)
        if not results or self._closed or not self._guardrails.trip(response_id):
            return
        # Stop what is already queued for playback, not only what is still to come.
        self._queue.discard(lambda e: _audio_of(e) == response_id)
        await self._put(RealtimeGuardrailTripped(results, text, self._event_info))
        names = ", ".join(r.guardrail.get_name() for r in results)
        await self._send(
            RealtimeModelSendInterrupt(force_response_cancel=True, response_id=response_id)
        )
        await self._send(RealtimeModelSendUserInput(user_input=f"guardrail triggered: {names}"))

    # -- tools and handoffs ------------------------------------------------------------------

    async def _on_function_call(self, event: RealtimeModelToolCallEvent) -> None:
        if self._async_tools:
            self._spawn(self._handle_call(event, self._current_agent))
        else:
            await self._handle_call(event, self._current_agent)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle_call(
        self, call: RealtimeModelToolCallEvent, agent: RealtimeAgent[Any]
    ) -> None:
        try:
            async with self._tool_slots:
                output = await self._dispatch_call(call, agent)
        except ToolError as exc:
            await self._put(RealtimeError(error=exc, info=self._event_info))
            output = f"Error: {exc}"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a handoff callback or hook failed
            logger.exception("tool call %s failed", call.name)
            await self._put(RealtimeError(error=exc, info=self._event_info))
            output = f"Error: {exc}"
        if self._closed:
            return
        try:
            await self._model.send_event(
                RealtimeModelSendToolOutput(tool_call=call, output=output, start_response=True)
            )
        except Exception as exc:
            await self._put(RealtimeError(error=exc, info=self._event_info))

    async def _dispatch_call(
        self, call: RealtimeModelToolCallEvent, agent: RealtimeAgent[Any]
    ) -> str:
        target = await find_target(agent, self._context_wrapper, call)
        if isinstance(target, Handoff):
            return await self._handoff(target, call, agent)
        tool = target
        approved, message = await self._approval(tool, call, agent)
        if not approved:
            return message or DEFAULT_REJECTION_MESSAGE
        await self._hook("on_tool_start", agent, tool)
        await self._put(RealtimeToolStart(agent, tool, call.arguments, self._event_info))
        outcome = await run_tool(
            tool,
            call,
            self._context_wrapper,
            default_timeout=self._tool_timeout,
            error_formatter=self._run_config.get("tool_error_formatter"),
        )
        if outcome.error is not None:
            await self._put(RealtimeError(error=outcome.error, info=self._event_info))
        await self._hook("on_tool_end", agent, tool, outcome.raw)
        await self._put(RealtimeToolEnd(agent, tool, call.arguments, outcome.raw, self._event_info))
        return outcome.output

    async def _approval(
        self, tool: Any, call: RealtimeModelToolCallEvent, agent: RealtimeAgent[Any]
    ) -> tuple[bool, str | None]:
        remembered = self._approvals.remembered(tool)
        if remembered is not None:
            return remembered, None
        if not await self._approvals.needs_approval(tool, call, self._context_wrapper):
            return True, None
        decision = self._approvals.wait(tool, call.call_id)
        await self._put(
            RealtimeToolApprovalRequired(
                agent, tool, call.call_id, call.arguments, self._event_info
            )
        )
        return await decision

    async def _handoff(
        self, handoff: Handoff[Any], call: RealtimeModelToolCallEvent, agent: RealtimeAgent[Any]
    ) -> str:
        new_agent = await handoff.on_invoke_handoff(self._context_wrapper, call.arguments)
        settings = await self._settings_for(new_agent, None)
        self._current_agent = new_agent
        await self._hook("on_handoff", new_agent, agent)
        await self._put(RealtimeHandoffEvent(agent, new_agent, self._event_info))
        await self._model.send_event(RealtimeModelSendSessionUpdate(session_settings=settings))
        self._unprepared = new_agent
        return f'{{"assistant": "{new_agent.name}"}}'

    async def _prepare_handoffs(self, agent: RealtimeAgent[Any]) -> None:
        """Have the model prepare for the settings of each agent ``agent`` can hand off to
        (`RealtimeModel.prepare`: the offline engine evaluates their instructions and tools
        while idle), so that a handoff's first reply does not wait for them. Best effort:
        a failure is logged, never raised."""
        if type(self._model).prepare is RealtimeModel.prepare:
            return  # (a model that ignores it: no instructions to work out for nothing)
        try:
            handoffs = await agent.get_handoffs(self._context_wrapper)
        except Exception:
            logger.warning("preparing for %s's handoffs failed", agent.name, exc_info=True)
            return
        for handoff in handoffs:
            if self._closed or agent is not self._current_agent:
                return  # (after a handoff, the agent before's targets no longer matter)
            target = handoff.agent
            if target is None or target is agent:
                continue
            try:
                await self._model.prepare(await self._settings_for(target, None))
            except Exception:
                logger.warning("preparing for %s failed", target.name, exc_info=True)

    # -- settings ----------------------------------------------------------------------------

    async def _settings_for(
        self, agent: RealtimeAgent[Any], starting: RealtimeSessionModelSettings | None
    ) -> RealtimeSessionModelSettings:
        """Settings for ``agent``: run config < agent < the session's initial settings."""
        ctx = self._context_wrapper
        agent_layer: dict[str, Any] = {
            "instructions": await agent.get_system_prompt(ctx) or "",
            "tools": await agent.get_all_tools(ctx),
            "handoffs": await agent.get_handoffs(ctx),
        }
        if agent.prompt is not None:
            agent_layer["prompt"] = agent.prompt
        if agent.voice is not None:
            agent_layer["voice"] = agent.voice
        settings = merge_settings(self._run_config.get("model_settings"), agent_layer, starting)
        if self._run_config.get("tracing_disabled"):
            settings["tracing"] = None
        return settings


def _audio_of(event: RealtimeSessionEvent) -> str | None:
    """The response id of an audio event (plain or raw), else None."""
    if isinstance(event, RealtimeAudio):
        return event.audio.response_id
    if isinstance(event, RealtimeRawModelEvent) and isinstance(event.data, RealtimeModelAudioEvent):
        return event.data.response_id
    return None


def _system_of(model: RealtimeModel, config: RealtimeModelConfig) -> str:
    """The ``gen_ai.system`` of a session's spans: ``openai`` for OpenAI's servers, else
    ``kaiwa`` (the offline engine, in-process or behind ``kaiwa serve``)."""
    url = str(config.get("url") or getattr(model, "_url", "") or "")
    return "openai" if "api.openai.com" in url else "kaiwa"
