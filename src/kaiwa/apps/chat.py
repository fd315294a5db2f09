"""``kaiwa chat``: talk with an agent through the microphone and speaker, or type.

Voice first: models load (with a progress bar) and warm up before "listening", then the
conversation shows as it happens: what the user said, the agent's words as it speaks them,
tool calls with their arguments and results, handoffs, guardrail trips, errors, and how long
each answer took to start. Typed lines are sent too (and answer tool approvals). With no
sound device it says so and falls back to text.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import threading
import time
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from ..agent import RealtimeAgent
from ..exceptions import AudioDeviceError, KaiwaError
from ..models.interface import RealtimeModelListener
from ..models.model_events import RealtimeModelEvent
from .agents import default_agent, load_agent

__all__ = ["run_chat"]


class ChatView(RealtimeModelListener):
    """Prints the conversation (see the module docstring); a live status line on a terminal."""

    def __init__(self, console: Console, *, voice: bool) -> None:
        self.console = console
        self.voice = voice
        self._agent_line = ""
        self._status = "listening" if voice else ""
        self._live: Live | None = None
        self._speech_stopped_at: float | None = None
        self._latency_shown = False
        self._latency_ms: float | None = None
        self.audio: Any = None
        """The `AudioIO` in use: it measures latency at the speaker."""
        self.approvals: list[Any] = []

    # -- drawing -------------------------------------------------------------------------------

    def __enter__(self) -> ChatView:
        if self.console.is_terminal:
            self._live = Live(
                self._render(), console=self.console, refresh_per_second=12, transient=True
            )
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._flush_agent()
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None

    def _render(self) -> Text:
        text = Text()
        if self._agent_line:
            text.append("agent  ", style="bold green").append(self._agent_line + "\n")
        if self._status:
            text.append(f"  {_STATUS.get(self._status, '')} {self._status}", style="dim")
        return text

    def _refresh(self) -> None:
        if self._live is not None:
            self._live.update(self._render())

    def line(self, label: str, body: str, style: str = "") -> None:
        """A finished line of the conversation."""
        text = Text()
        text.append(f"{label:<6} ", style=f"bold {style}".strip())
        text.append(body)
        self.console.print(text)
        self._refresh()

    def status(self, status: str) -> None:
        self._status = status
        self._refresh()

    def _flush_agent(self) -> None:
        if self._agent_line.strip():
            line, self._agent_line = self._agent_line.strip(), ""
            self.line("agent", line, "green")
        self._agent_line = ""

    # -- model events (as they arrive: the user's speech, latency) -----------------------------

    async def on_event(self, event: RealtimeModelEvent) -> None:
        if event.type != "raw_server_event":
            return
        kind = event.data.get("type")
        if kind == "input_audio_buffer.speech_started":
            self.status("hearing you")
        elif kind == "input_audio_buffer.speech_stopped":
            self._speech_stopped_at = time.monotonic()
            self._latency_shown = False
            self.status("thinking")
        elif kind == "response.output_audio.delta" and not self._latency_shown:
            self._latency_shown = True
            if self._speech_stopped_at is not None:
                self._latency_ms = (time.monotonic() - self._speech_stopped_at) * 1000
            self.status("speaking")

    # -- session events ------------------------------------------------------------------------

    def show(self, event: Any) -> None:
        kind = event.type
        if kind == "raw_model_event":
            data = event.data
            if data.type in ("transcript_delta", "output_text_delta"):
                self._agent_line += data.delta
                self._refresh()
            elif data.type == "input_audio_transcription_completed" and data.transcript.strip():
                self.line("you", data.transcript.strip(), "cyan")
        elif kind == "agent_end":
            measured = self.audio.latency_ms() if self.audio is not None else None
            latency = measured if measured is not None else self._latency_ms
            if latency is not None and self._agent_line.strip():
                self._agent_line += f"  ({latency / 1000:.2f} s)"
            self._latency_ms = None
            self._flush_agent()
            self.status("listening" if self.voice else "")
        elif kind == "tool_start":
            self._flush_agent()
            self.line("tool", f"{event.tool.name}({event.arguments})", "magenta")
        elif kind == "tool_end":
            self.line("", f"→ {event.output}", "magenta")
        elif kind == "tool_approval_required":
            self.approvals.append(event)
            self.line(
                "ask",
                f"{event.agent.name} wants to run {event.tool.name}({event.arguments}): "
                "type y to approve, n to refuse",
                "yellow",
            )
        elif kind == "handoff":
            self._flush_agent()
            self.line("hand", f"{event.from_agent.name} → {event.to_agent.name}", "blue")
        elif kind == "guardrail_tripped":
            names = ", ".join(r.guardrail.get_name() for r in event.guardrail_results)
            self.line("guard", f"tripped: {names}", "red")
        elif kind == "error":
            self.line("error", str(event.error), "red")
        elif kind == "audio_interrupted":
            self._agent_line += " …"
            self._flush_agent()

    def barge_in(self, action: Any) -> None:
        """What `AudioIO` decided about the user speaking over the answer."""
        if action.kind == "hold":
            self.status("paused: hearing you")
        elif action.kind == "resume":
            heard = f" ({action.transcript.strip()})" if action.transcript else ""
            self.line("", f"[not an interruption{heard}: going on]", "dim")
            self.status("speaking")
        elif action.kind == "interrupt":
            self.line("", "[interrupted]", "dim")


_STATUS = {"listening": "●", "hearing you": "◉", "thinking": "…", "speaking": "▶"}


def _model_settings(args: argparse.Namespace, voice: bool) -> dict[str, Any]:
    transcription: dict[str, Any] = {"model": "gpt-4o-mini-transcribe"}
    if args.language:
        transcription["language"] = args.language
    settings: dict[str, Any] = {
        "model_name": args.model,
        "modalities": ["audio"] if voice else ["text"],
        "input_audio_transcription": transcription,
    }
    if args.voice:
        settings["voice"] = args.voice
    if voice:
        settings["turn_detection"] = {"type": args.turn_detection, "interrupt_response": True}
    else:
        settings["turn_detection"] = None
    return settings


def _agent(args: argparse.Namespace) -> RealtimeAgent[Any]:
    if args.agent:
        return load_agent(args.agent)
    return default_agent(args.language or "en", args.instructions)


async def run_chat(args: argparse.Namespace) -> int:
    """``kaiwa chat`` (see `kaiwa.cli` for the options)."""
    console = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False)
    voice = not args.text
    if voice:
        voice = _devices_ok(args, err)
    api_key = args.api_key or os.environ.get("OPENAI_API_KEY")
    # An LLM named (--llm) is the offline engine's: it means offline.
    offline = args.offline or args.llm is not None or (not api_key and not args.url)
    try:
        agent = _agent(args)
    except KaiwaError as exc:
        err.print(f"kaiwa chat: {exc}")
        return 2
    from ..runner import RealtimeRunner

    model = None
    config: dict[str, Any] = {}
    if offline:
        from ..models.local import LocalRealtimeModel

        err.print("kaiwa chat: offline engine (in-process, no key, no network)")
        model = LocalRealtimeModel(llm=args.llm)
    else:
        config["api_key"] = api_key or "none"
        if args.url:
            config["url"] = args.url if "?" in args.url else f"{args.url}?model={args.model}"
        err.print(f"kaiwa chat: {args.url or 'OpenAI Realtime API'}")
    runner = RealtimeRunner(
        agent,
        model=model,
        config={"model_settings": _model_settings(args, voice)},  # type: ignore[arg-type]
    )
    try:
        async with await runner.run(model_config=config) as session:  # type: ignore[arg-type]
            warmed = getattr(session.model, "warmed", None)
            if warmed is not None:
                with err.status("warming up the engine…"):
                    await warmed()
            if voice:
                return await _voice_loop(session, args, console, err)
            return await _text_loop(session, console)
    except AudioDeviceError as exc:
        err.print(f"kaiwa chat: {exc}")
        return 1
    except KaiwaError as exc:
        err.print(f"kaiwa chat: {exc}")
        return 1


def _devices_ok(args: argparse.Namespace, err: Console) -> bool:
    """Whether the sound devices can be found; if not, say why and fall back to text."""
    from ..audio.devices import find_device

    try:
        find_device(args.input_device, "input")
        find_device(args.output_device, "output")
    except AudioDeviceError as exc:
        if args.input_device is not None or args.output_device is not None:
            raise SystemExit(f"kaiwa chat: {exc}") from None
        err.print(f"kaiwa chat: no sound device ({exc}); chatting in text instead")
        return False
    return True


async def _voice_loop(
    session: Any, args: argparse.Namespace, console: Console, err: Console
) -> int:
    from ..audio.converse import AudioIO

    view = ChatView(console, voice=True)
    audio = AudioIO(
        session,
        input_device=args.input_device,
        output_device=args.output_device,
        echo_cancellation=not args.headset,
        noise_suppression=args.noise_suppression,
        interruptions=args.interruptions,
        on_action=view.barge_in,
    )
    session.model.add_listener(view)
    view.audio = audio
    async with audio:
        stream: Any = audio.stream
        where = (
            f" on {stream.input.name!r} / {stream.output.name!r}"
            if hasattr(stream, "input") and hasattr(stream, "output")
            else ""
        )
        err.print(
            f"kaiwa chat: listening{where}"
            f"{'' if args.headset else ', echo cancelled'}. Speak, or type; Ctrl-C quits."
        )
        # Typed lines only from a terminal (a test or a service has none to type into).
        typed = asyncio.create_task(_typed_lines(session, view)) if _from_terminal() else None
        try:
            with view:
                async for event in audio.events():
                    view.show(event)
        finally:
            if typed is not None:
                typed.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await typed
            session.model.remove_listener(view)
    console.print("[the session ended]")
    return 0


def _from_terminal() -> bool:
    """Whether standard input is a terminal (someone may type into the voice chat)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed
        return False


async def _read_line() -> str:
    """A line from standard input ('' at its end), read on a daemon thread: Ctrl-C must not
    wait for a line (the loop's default executor would, at exit)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def deliver(line: str) -> None:
        if not future.done():
            future.set_result(line)

    def read() -> None:
        line = sys.stdin.readline()
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(deliver, line)

    threading.Thread(target=read, name="kaiwa-stdin", daemon=True).start()
    return await future


async def _typed_lines(session: Any, view: ChatView) -> None:
    """Typed lines: answers to tool approvals, else messages to the agent."""
    while True:
        raw = await _read_line()
        if not raw:
            return  # no terminal input (closed, or not a terminal): voice only
        line = raw.strip()
        if not line:
            continue
        if view.approvals:
            ask = view.approvals.pop(0)
            if line.lower() in ("y", "yes"):
                await session.approve_tool_call(ask.call_id)
            else:
                await session.reject_tool_call(ask.call_id)
            continue
        view.line("you", line, "cyan")
        await session.send_message(line)


async def _ask() -> str | None:
    """Prompt for a line; None on an empty line or end of input. Prints the answer's prompt."""
    print("you> ", end="", flush=True)
    raw = await _read_line()
    line = raw.strip()
    if not line:
        print()
        return None
    print("agent> ", end="", flush=True)
    return line


async def _text_loop(session: Any, console: Console) -> int:
    while (line := await _ask()) is not None:
        await session.send_message(line)
        called = False  # the response calls a function: its output starts another response
        async for event in session:
            if event.type == "raw_model_event" and event.data.type in (
                "transcript_delta",
                "output_text_delta",
            ):
                print(event.data.delta, end="", flush=True)
            elif event.type == "raw_model_event" and event.data.type == "function_call":
                called = True
            elif event.type == "tool_start":
                print(f"\n[tool] {event.tool.name}({event.arguments})", flush=True)
            elif event.type == "tool_end":
                print(f"[tool] -> {event.output}", flush=True)
            elif event.type == "tool_approval_required":
                print(f"\napprove {event.tool.name}({event.arguments})? [y/N] ", end="", flush=True)
                raw = await _read_line()
                if raw.strip().lower() in ("y", "yes"):
                    await session.approve_tool_call(event.call_id)
                else:
                    await session.reject_tool_call(event.call_id)
            elif event.type == "handoff":
                print(f"\n[handoff] {event.from_agent.name} -> {event.to_agent.name}", flush=True)
            elif event.type == "error":
                print(f"\n[error] {event.error}", flush=True)
            elif event.type == "agent_end":
                # A response that called a tool is followed by the answer from its output,
                # though the tool may have finished before this response's end came ("What
                # time is it?": the answer was left unshown, then lost at the next prompt).
                if called:
                    called = False
                elif not session._tasks:  # a tool's answer is still to come otherwise
                    print(flush=True)
                    break
        else:
            print("\n[the server closed the session]")
            return 1
    return 0
