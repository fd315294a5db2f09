"""The ``kaiwa`` command line."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from collections.abc import Callable

from . import __version__

EPILOG = """\
examples:
  kaiwa chat                                   talk with the offline engine through the
                                               microphone and speaker (no key, no network)
  kaiwa chat --text                            type instead of talking
  kaiwa chat --headset --language ja           a headset (no echo cancelling), in Japanese
  kaiwa chat --llm large                       the bigger offline LLM: better answers,
                                               slower to start them (kaiwa[large])
  kaiwa chat --agent my_agents:triage          your own agent (module:attribute)
  kaiwa chat --url ws://127.0.0.1:8000/v1/realtime --api-key k
                                               chat with any OpenAI Realtime server
  kaiwa web                                    the airline demo in your browser, offline:
                                               open http://localhost:8080/
  kaiwa web --agent my_agents:triage           your own agents on that page
  kaiwa devices                                list microphones and speakers
  kaiwa serve                                  serve the OpenAI Realtime protocol on
                                               ws://127.0.0.1:8000/v1/realtime, offline

environment:
  OPENAI_API_KEY       key for OpenAI's Realtime API (chat uses OpenAI when it is set)
  KAIWA_REALTIME_URL   Realtime WebSocket URL to use instead of OpenAI's
  KAIWA_API_KEY        the key `kaiwa serve` asks clients for
  KAIWA_LLM_URL        an OpenAI-compatible chat-completions URL for the engine's LLM stage
  KAIWA_LLM            the engine's packaged LLM: small (default), large, or a GGUF file
  KAIWA_CACHE          where joined model files are kept (default ~/.cache/kaiwa)
"""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default, unless it is None, False or already said in its help."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return super()._get_help_string(action) or text


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
        help="talk with an agent (microphone and speaker), or type with --text",
        description="Talk with an agent through the microphone and speaker: what you say, "
        "what it answers, its tool calls, handoffs and errors show as they happen. Echo "
        "from open speakers is cancelled, and a cough or an 'uh-huh' over the answer does "
        "not stop it. Offline (kaiwa's engine) unless OPENAI_API_KEY or --url is given. "
        "With no sound device it falls back to text. Ctrl-C quits.",
        formatter_class=_HelpFormatter,
    )
    chat.add_argument("--text", action="store_true", help="type instead of talking")
    chat.add_argument(
        "--agent",
        metavar="MODULE:ATTR",
        help="your agent: a RealtimeAgent (or a function returning one) in an importable "
        "module or a .py file, e.g. my_agents:triage (default: a brief assistant)",
    )
    chat.add_argument("--instructions", default=None, help="instructions for the default agent")
    chat.add_argument(
        "--language",
        choices=["en", "ja"],
        default=None,
        help="what you speak and the agent answers in (default: English)",
    )
    chat.add_argument(
        "--voice", default=None, help="the agent's voice (OpenAI's names; offline: one voice)"
    )
    chat.add_argument("--input-device", default=None, help="microphone: index or name part")
    chat.add_argument("--output-device", default=None, help="speaker: index or name part")
    chat.add_argument(
        "--headset",
        action="store_true",
        help="no echo cancellation (the microphone cannot hear the speaker)",
    )
    chat.add_argument(
        "--noise-suppression", action="store_true", help="suppress steady background noise"
    )
    chat.add_argument(
        "--interruptions",
        choices=["resume", "cancel"],
        default="resume",
        help="resume: a cough or backchannel over the answer pauses it, and it goes on; "
        "cancel: any speech stops it (as OpenAI's API does)",
    )
    chat.add_argument(
        "--turn-detection",
        choices=["semantic_vad", "server_vad"],
        default="semantic_vad",
        help="how the end of your turn is decided",
    )
    chat.add_argument(
        "--url",
        default=os.environ.get("KAIWA_REALTIME_URL"),
        help="Realtime WebSocket URL, e.g. ws://127.0.0.1:8000/v1/realtime "
        "(default: $KAIWA_REALTIME_URL, else OpenAI's when a key is set)",
    )
    chat.add_argument("--api-key", default=None, help="API key (default: $OPENAI_API_KEY)")
    chat.add_argument("--model", default="gpt-realtime", help="model name")
    chat.add_argument(
        "--offline",
        action="store_true",
        help="use the offline engine even if a key or URL is configured",
    )
    _llm_option(chat)
    commands.add_parser(
        "devices",
        help="list the microphones and speakers kaiwa can use",
        description="List sound devices (PortAudio): index, name, host API, what they do "
        "and their rate. Give an index or a part of a name to kaiwa chat's "
        "--input-device / --output-device.",
    )
    web = commands.add_parser(
        "web",
        help="a browser page to talk with agents (the airline demo by default)",
        description="Serve a page where you talk with agents in the browser: microphone "
        "and speaker (the browser's echo cancellation), live transcript, tool calls, "
        "handoffs, approvals, a typed-message box, English or Japanese, per-answer latency "
        "and an event inspector. The agents run here, in Python: the airline demo (triage, "
        "FAQ, seat booking with an approved tool) unless --agent names yours. Offline "
        "(kaiwa's engine) unless OPENAI_API_KEY or --url is given; the key never reaches "
        "the browser.",
        formatter_class=_HelpFormatter,
    )
    web.add_argument("--host", default="127.0.0.1", help="address to listen on")
    web.add_argument("--port", type=int, default=8080, help="TCP port (0: pick a free one)")
    web.add_argument(
        "--agent",
        metavar="MODULE:ATTR",
        help="your starting agent, e.g. my_agents:triage (default: the airline demo, "
        "kaiwa/apps/airline.py)",
    )
    web.add_argument(
        "--language", choices=["en", "ja"], default="en", help="the page's starting language"
    )
    web.add_argument(
        "--url",
        default=os.environ.get("KAIWA_REALTIME_URL"),
        help="Realtime WebSocket URL to use instead of the offline engine "
        "(default: $KAIWA_REALTIME_URL, else OpenAI's when a key is set)",
    )
    web.add_argument("--api-key", help="API key for --url or OpenAI (default: $OPENAI_API_KEY)")
    web.add_argument("--model", default="gpt-realtime", help="model name")
    web.add_argument(
        "--offline", action="store_true", help="use the offline engine even if a key is set"
    )
    _llm_option(web)
    web.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let pages from ORIGIN (e.g. https://demo.example.com) connect, besides this "
        "server's own; repeat for several",
    )
    web.add_argument(
        "--max-pages", type=int, default=16, help="conversations at once; more are refused"
    )
    web.add_argument("--open", action="store_true", help="open the page in a browser")
    web.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="server log level",
    )
    serve = commands.add_parser(
        "serve",
        help="serve the OpenAI Realtime protocol over WebSocket, on the offline engine",
        description="Serve the OpenAI Realtime protocol (GA) at ws://HOST:PORT/v1/realtime, "
        "answered by the offline engine (VAD, Whisper, Qwen2.5-Coder, piper). Any OpenAI "
        "Realtime client works unchanged: the openai package with "
        "websocket_base_url='ws://HOST:PORT/v1', openai-agents with "
        "model_config={'url': 'ws://HOST:PORT/v1/realtime?model=gpt-realtime'}, a browser. "
        "Browsers should use short-lived client secrets from "
        "POST /v1/realtime/client_secrets, never the key itself.",
        formatter_class=_HelpFormatter,
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
        default=None,
        help="OpenAI-compatible chat-completions base URL for the LLM stage (vLLM, llama.cpp "
        "server...) instead of the packaged model (default: $KAIWA_LLM_URL)",
    )
    _llm_option(serve)
    serve.add_argument(
        "--grace-period",
        type=_seconds(0.0),
        default=10.0,
        metavar="SECONDS",
        help="on SIGTERM or Ctrl-C, let answers under way finish for this long, then close "
        "every session (1001); a second signal stops at once",
    )
    serve.add_argument(
        "--stall-timeout",
        type=_seconds(1.0),
        default=20.0,
        metavar="SECONDS",
        help="disconnect (close code 1008) a client that reads no event for this long while "
        "events wait for it",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="with no API key, let web pages from ORIGIN (e.g. http://myapp.test:3000) connect, "
        "besides pages on this machine; repeat for several",
    )
    serve.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="server log level (keys and client secrets are masked); at info, a line per "
        "turn with its stages' times",
    )
    serve.add_argument(
        "--metrics",
        action="store_true",
        help="serve Prometheus metrics at /metrics: turn latency by stage, sessions, "
        "responses, errors, tokens, the LLM's queue (with --api-key, scrape with the key)",
    )
    return parser


def _llm_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--llm",
        type=_llm_choice,
        default=None,
        metavar="{small,large,PATH}",
        help="the offline engine's LLM: small (Qwen2.5-Coder 0.5B: quickest), large "
        "(Qwen2.5-Coder 1.5B: general questions answered right twice as often, codes and "
        "values copied better, but more calls nobody asked for; ~1.4x slower to start a "
        "spoken reply, 1.2 GB more memory; pip install 'kaiwa[large]') or a GGUF chat "
        "model's file; naming one means the offline engine (default: $KAIWA_LLM, else small)",
    )


def _llm_choice(text: str) -> str:
    """An argparse type: a packaged LLM's name, or an existing file (the engine checks the
    same, `kaiwa.engine.engine.LLM_SIZES`; not imported here: parsing loads no engine)."""
    from pathlib import Path

    if text in ("small", "large") or Path(text).expanduser().is_file():
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is neither small, large nor a file")


def _seconds(least: float) -> Callable[[str], float]:
    """An argparse type: a number of seconds, at least ``least``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not value >= least:  # also refuses nan
            raise argparse.ArgumentTypeError(f"must be at least {least:g} seconds, not {text}")
        return value

    return parse


async def _serve(args: argparse.Namespace) -> int:
    from .exceptions import KaiwaError
    from .server import serve

    keys = args.api_key or [k for k in [os.environ.get("KAIWA_API_KEY")] if k]
    # $KAIWA_LLM_URL unless an LLM is named: naming both on the command line is refused
    llm_url = args.llm_url or (None if args.llm else os.environ.get("KAIWA_LLM_URL"))
    if args.llm is not None and args.llm_url:
        print(
            "kaiwa serve: --llm names the packaged LLM, --llm-url a server to use instead: "
            "give one of them",
            file=sys.stderr,
        )
        return 2
    try:
        await serve(
            args.host,
            args.port,
            api_keys=keys,
            max_sessions=args.max_sessions,
            llm_url=llm_url,
            llm=args.llm,
            log_level=args.log_level,
            allowed_origins=args.allow_origin,
            stall_timeout_s=args.stall_timeout,
            grace_s=args.grace_period,
            metrics=args.metrics,
        )
    except (KaiwaError, OSError) as exc:
        print(f"kaiwa serve: {exc}", file=sys.stderr)
        return 1
    return 0


async def _web(args: argparse.Namespace) -> int:
    from .apps.agents import load_agent
    from .apps.web import WebConfig, run_web
    from .exceptions import KaiwaError

    api_key = args.api_key or os.environ.get("OPENAI_API_KEY")
    try:
        config = WebConfig(
            agent=load_agent(args.agent) if args.agent else None,
            url=args.url,
            api_key=api_key,
            model=args.model,
            offline=args.offline or args.llm is not None or (not api_key and not args.url),
            llm=args.llm,
            allowed_origins=tuple(args.allow_origin),
            max_pages=args.max_pages,
            language=args.language,
        )
        await run_web(
            config, args.host, args.port, log_level=args.log_level, open_browser=args.open
        )
    except KaiwaError as exc:
        print(f"kaiwa web: {exc}", file=sys.stderr)
        return 1
    return 0


async def _chat(args: argparse.Namespace) -> int:
    from .apps.chat import run_chat

    return await run_chat(args)


async def _devices(args: argparse.Namespace) -> int:
    from .audio.devices import list_devices
    from .exceptions import AudioDeviceError

    try:
        devices = list_devices()
    except AudioDeviceError as exc:
        print(f"kaiwa devices: {exc}", file=sys.stderr)
        return 1
    if not devices:
        print("no sound devices found")
    for device in devices:
        print(device.describe())
    return 0


_EXTRAS = {
    "starlette": "server",
    "uvicorn": "server",
    "soxr": "audio",
    "sounddevice": "audio",
    "livekit": "audio",
    "faster_whisper": "engine",
    "ctranslate2": "engine",
    "llama_cpp": "engine",
    "piper": "engine",
    "onnxruntime": "engine",
    "tqdm": "engine",
    "jinja2": "engine",
}
"""Modules that come with an extra, and its name."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kaiwa`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    run = {"chat": _chat, "devices": _devices, "serve": _serve, "web": _web}.get(args.command)
    if run is not None:
        try:
            return asyncio.run(run(args))
        except KeyboardInterrupt:
            return 130
        except ModuleNotFoundError as exc:  # an extra that is not installed
            extra = _EXTRAS.get((exc.name or "").split(".")[0])
            if extra == "audio" and args.command in ("serve", "web"):
                extra = "server"  # soxr: both extras bring it
            if extra is None:
                raise
            print(
                f"kaiwa {args.command}: {exc.name} is not installed; it comes with "
                f"pip install 'kaiwa[{extra}]' (scripts/install installs everything)",
                file=sys.stderr,
            )
            return 1
        finally:
            # Free the native resamplers and models while their libraries are still loaded
            # (left to interpreter exit, nanobind reports them as leaks on the terminal).
            gc.collect()
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
