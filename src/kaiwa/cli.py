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
  kaiwa serve                                  serve the OpenAI Realtime protocol on
                                               ws://127.0.0.1:8000/v1/realtime, offline

environment:
  OPENAI_API_KEY       key for OpenAI's Realtime API (or any server that checks it)
  KAIWA_REALTIME_URL   Realtime WebSocket URL to use instead of OpenAI's
  KAIWA_API_KEY        the key `kaiwa serve` asks clients for
  KAIWA_LLM_URL        an OpenAI-compatible chat-completions URL for the engine's LLM stage
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
    serve = commands.add_parser(
        "serve",
        help="serve the OpenAI Realtime protocol over WebSocket, on the offline engine",
        description="Serve the OpenAI Realtime protocol (GA) at ws://HOST:PORT/v1/realtime, "
        "answered by the offline engine (VAD, Whisper, Qwen2.5 0.5B, piper). Any OpenAI "
        "Realtime client works unchanged: the openai package with "
        "websocket_base_url='ws://HOST:PORT/v1', openai-agents with "
        "model_config={'url': 'ws://HOST:PORT/v1/realtime?model=gpt-realtime'}, a browser. "
        "Browsers should use short-lived client secrets from "
        "POST /v1/realtime/client_secrets, never the key itself.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; anything but loopback needs an API key",
    )
    serve.add_argument("--port", type=int, default=8000, help="TCP port (0: pick a free one)")
    serve.add_argument(
        "--api-key",
        action="append",
        default=None,
        help="a key clients must send as 'Authorization: Bearer KEY' (repeat for several; "
        "default: $KAIWA_API_KEY; none: open, loopback only)",
    )
    serve.add_argument(
        "--max-sessions",
        type=int,
        default=200,
        help="concurrent sessions; more are refused with HTTP 429",
    )
    serve.add_argument(
        "--llm-url",
        default=os.environ.get("KAIWA_LLM_URL"),
        help="OpenAI-compatible chat-completions base URL for the LLM stage (vLLM, llama.cpp "
        "server...) instead of the packaged model (default: $KAIWA_LLM_URL)",
    )
    serve.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="server log level",
    )
    return parser


async def _serve(args: argparse.Namespace) -> int:
    from .exceptions import KaiwaError
    from .server import serve

    keys = args.api_key or [k for k in [os.environ.get("KAIWA_API_KEY")] if k]
    try:
        await serve(
            args.host,
            args.port,
            api_keys=keys,
            max_sessions=args.max_sessions,
            llm_url=args.llm_url,
            log_level=args.log_level,
        )
    except (KaiwaError, OSError) as exc:
        print(f"kaiwa serve: {exc}", file=sys.stderr)
        return 1
    return 0


async def _chat(args: argparse.Namespace) -> int:
    from .agent import RealtimeAgent
    from .exceptions import KaiwaError
    from .runner import RealtimeRunner

    api_key = args.api_key or os.environ.get("OPENAI_API_KEY")
    offline = args.offline or (not api_key and not args.url)
    agent = RealtimeAgent(name="Assistant", instructions=args.instructions)
    model = None
    config: dict[str, Any] = {}
    if offline:
        from .models.local import LocalRealtimeModel

        print(
            "kaiwa chat: offline (kaiwa's engine, in-process); loading...",
            file=sys.stderr,
            flush=True,
        )
        model = LocalRealtimeModel()
    else:
        config["api_key"] = api_key or "none"
        if args.url:
            config["url"] = args.url if "?" in args.url else f"{args.url}?model={args.model}"
    runner = RealtimeRunner(
        agent,
        model=model,
        config={
            "model_settings": {
                "model_name": args.model,
                "modalities": ["audio"] if args.audio else ["text"],
                "turn_detection": None,
            }
        },
    )
    try:
        async with await runner.run(model_config=config) as session:  # type: ignore[arg-type]
            return await _chat_loop(session)
    except KaiwaError as exc:
        print(f"kaiwa chat: {exc}", file=sys.stderr)
        return 1


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
    run = {"chat": _chat, "serve": _serve}.get(args.command)
    if run is not None:
        try:
            return asyncio.run(run(args))
        except KeyboardInterrupt:
            return 130
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
