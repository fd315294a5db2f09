"""The ``kaiwa`` command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from . import __version__

EPILOG = """\
examples:
  kaiwa chat                                   chat offline with the packaged LLM, or with
                                               OpenAI when OPENAI_API_KEY is set
  kaiwa chat --offline                         chat offline even when a key is set
  kaiwa chat --url ws://127.0.0.1:8000/v1/realtime --api-key k
                                               chat with any OpenAI Realtime server

environment:
  OPENAI_API_KEY       key for OpenAI's Realtime API (or any server that checks it)
  KAIWA_REALTIME_URL   Realtime WebSocket URL to use instead of OpenAI's
  KAIWA_CACHE          where joined model files are kept (default ~/.cache/kaiwa)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kaiwa",
        description="kaiwa: realtime voice agents, with the openai-agents realtime API.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kaiwa {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    chat = commands.add_parser(
        "chat",
        help="text chat in the terminal with a realtime model",
        description="Chat in the terminal: type a line, read the agent's answer as it streams. "
        "Ctrl-D or an empty line quits.",
    )
    chat.add_argument(
        "--url",
        default=os.environ.get("KAIWA_REALTIME_URL"),
        help="Realtime WebSocket URL, e.g. ws://127.0.0.1:8000/v1/realtime "
        "(default: $KAIWA_REALTIME_URL, else OpenAI's)",
    )
    chat.add_argument("--api-key", default=None, help="API key (default: $OPENAI_API_KEY)")
    chat.add_argument("--model", default="gpt-realtime", help="model name (default: %(default)s)")
    chat.add_argument(
        "--instructions",
        default="You are a helpful assistant. Answer briefly.",
        help="the agent's instructions",
    )
    chat.add_argument(
        "--offline",
        action="store_true",
        help="use the offline engine's LLM even if a key or URL is configured",
    )
    chat.add_argument(
        "--audio",
        action="store_true",
        help="ask for spoken answers and print their transcript (default: text)",
    )
    return parser


async def _chat(args: argparse.Namespace) -> int:
    from .agent import RealtimeAgent
    from .exceptions import KaiwaError
    from .runner import RealtimeRunner

    api_key = args.api_key or os.environ.get("OPENAI_API_KEY")
    if args.offline or (not api_key and not args.url):
        return await _offline_chat(args.instructions)
    agent = RealtimeAgent(name="Assistant", instructions=args.instructions)
    runner = RealtimeRunner(
        agent,
        config={
            "model_settings": {
                "model_name": args.model,
                "modalities": ["audio"] if args.audio else ["text"],
                "turn_detection": None,
            }
        },
    )
    config: dict[str, Any] = {"api_key": api_key or "none"}
    if args.url:
        config["url"] = args.url if "?" in args.url else f"{args.url}?model={args.model}"
    try:
        async with await runner.run(model_config=config) as session:  # type: ignore[arg-type]
            return await _chat_loop(session)
    except KaiwaError as exc:
        print(f"kaiwa chat: {exc}", file=sys.stderr)
        return 1


async def _offline_chat(instructions: str) -> int:
    """Text chat with the offline engine's LLM, in-process: no key, no network."""
    from .engine._threads import stream_in_thread
    from .engine.llm import ChatMessage, LocalLLM
    from .exceptions import KaiwaError

    print(
        "kaiwa chat: offline (the packaged Qwen2.5 0.5B on llama.cpp); loading...",
        file=sys.stderr,
        flush=True,
    )
    try:
        llm = await asyncio.to_thread(LocalLLM)
    except KaiwaError as exc:
        print(f"kaiwa chat: {exc}", file=sys.stderr)
        return 1
    messages = [ChatMessage("system", instructions)]
    while (line := await _ask()) is not None:
        messages.append(ChatMessage("user", line))
        reply = ""
        async for delta in stream_in_thread(
            lambda cancel: llm.stream(messages, max_tokens=200, cancel=cancel)
        ):
            reply += delta.text
            print(delta.text, end="", flush=True)
        print(flush=True)
        messages.append(ChatMessage("assistant", reply))
    return 0


async def _ask() -> str | None:
    """Prompt for a line; None on an empty line or end of input. Prints the answer's prompt."""
    print("you> ", end="", flush=True)
    raw: str = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    line = raw.strip()
    if not line:
        print()
        return None
    print("agent> ", end="", flush=True)
    return line


async def _chat_loop(session: Any) -> int:
    while (line := await _ask()) is not None:
        await session.send_message(line)
        async for event in session:
            if event.type == "raw_model_event" and event.data.type in (
                "transcript_delta",
                "output_text_delta",
            ):
                print(event.data.delta, end="", flush=True)
            elif event.type == "error":
                print(f"\n[error] {event.error}", flush=True)
            elif event.type == "agent_end":
                print(flush=True)
                break
        else:
            print("\n[the server closed the session]")
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kaiwa`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "chat":
        try:
            return asyncio.run(_chat(args))
        except KeyboardInterrupt:
            return 130
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
