"""`kaiwa serve` at the edges: malformed input, auth, client secrets, the session limit, --help."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
import websockets

from .conftest import API_KEY, Served, start_server, stop_server
from .recorder import Recorder


def headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def raw(served: Served) -> AsyncIterator[tuple[Any, Recorder]]:
    async with websockets.connect(served.url, additional_headers=headers(API_KEY)) as ws:
        rec = Recorder(ws.recv)
        yield ws, rec
        await rec.close()


async def test_bad_frames_get_errors_and_the_connection_stays_usable(
    raw: tuple[Any, Recorder],
) -> None:
    ws, rec = raw
    await rec.wait("session.created")
    await ws.send("{not json")
    bad_json = await rec.wait("error")
    assert bad_json["error"]["type"] == "invalid_request_error"
    assert bad_json["error"]["code"] == "invalid_json"

    await ws.send(json.dumps({"type": "response.dance", "event_id": "evt_1"}))
    unknown = await rec.wait("error", count=2)
    assert unknown["error"]["event_id"] == "evt_1" and unknown["error"]["param"] == "type"

    await ws.send(b"\x00\x01binary")
    binary = await rec.wait("error", count=3)
    assert binary["error"]["code"] == "invalid_frame"

    voice = {"type": "realtime", "audio": {"output": {"voice": "gandalf"}}}
    await ws.send(json.dumps({"type": "session.update", "session": voice, "event_id": "evt_2"}))
    bad_voice = await rec.wait("error", count=4)
    assert bad_voice["error"]["param"] == "session.audio.output.voice"
    assert bad_voice["error"]["event_id"] == "evt_2"

    await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": "AAE"}))  # odd bytes
    bad_audio = await rec.wait("error", count=5)
    assert bad_audio["error"]["param"] == "audio"

    await ws.send(json.dumps({"type": "conversation.item.retrieve", "item_id": "item_nope"}))
    missing = await rec.wait("error", count=6)
    assert missing["error"]["code"] == "item_not_found"

    await ws.send(json.dumps({"type": "response.cancel"}))
    assert (await rec.wait("error", count=7))["error"]["code"] == "response_cancel_not_active"

    await ws.send(json.dumps({"event_id": "evt_3", "session": {}}))  # no "type" at all
    untyped = await rec.wait("error", count=8)
    assert untyped["error"]["event_id"] == "evt_3" and untyped["error"]["param"] == "type"
    assert untyped["error"]["code"] == "missing_required_parameter"

    # still usable, and the bad update changed nothing
    good = {"type": "realtime", "instructions": "Be brief.", "audio": {"output": {"speed": 1.1}}}
    await ws.send(json.dumps({"type": "session.update", "session": good}))
    updated = (await rec.wait("session.updated"))["session"]
    assert updated["instructions"] == "Be brief."
    assert updated["audio"]["output"]["voice"] == "alloy"  # a partial update merges
    assert updated["audio"]["output"]["speed"] == 1.1


async def test_a_second_response_while_one_is_active_is_refused(
    raw: tuple[Any, Recorder],
) -> None:
    ws, rec = raw
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi!"}]}
    await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
    await ws.send(json.dumps({"type": "response.create"}))
    await ws.send(json.dumps({"type": "response.create", "event_id": "evt_again"}))
    error = await rec.wait("error")
    assert error["error"]["code"] == "conversation_already_has_active_response"
    assert error["error"]["event_id"] == "evt_again"
    done = await rec.wait("response.done")
    assert done["response"]["status"] == "completed"
    assert len(rec.of("response.created")) == 1


async def test_a_wrong_key_is_refused_before_the_upgrade(served: Served) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(served.url, additional_headers=headers("wrong")):
            pass
    assert refused.value.response.status_code == 401
    assert b"invalid_api_key" in (refused.value.response.body or b"")
    with pytest.raises(websockets.InvalidStatus) as anonymous:
        async with websockets.connect(served.url):
            pass
    assert anonymous.value.response.status_code == 401


async def test_client_secrets_open_sessions_with_their_settings(served: Served) -> None:
    async with openai.AsyncOpenAI(api_key=API_KEY, base_url=served.http_base) as client:
        secret = await client.realtime.client_secrets.create(
            session={"type": "realtime", "instructions": "You are a pirate."},
            expires_after={"anchor": "created_at", "seconds": 60},
        )
    assert secret.value.startswith("ek_")
    assert secret.session.instructions == "You are a pirate."  # type: ignore[union-attr]
    # a browser passes it as a subprotocol (it cannot set headers)
    async with websockets.connect(
        served.url,
        subprotocols=["realtime", f"openai-insecure-api-key.{secret.value}"],  # type: ignore[list-item]
    ) as ws:
        assert ws.subprotocol == "realtime"
        created = json.loads(await ws.recv())
        assert created["session"]["instructions"] == "You are a pirate."
    # a client secret cannot mint more secrets, and a wrong key gets OpenAI's 401
    async with openai.AsyncOpenAI(api_key=secret.value, base_url=served.http_base) as bad:
        with pytest.raises(openai.AuthenticationError):
            await bad.realtime.client_secrets.create(session={"type": "realtime"})


async def test_the_session_limit_answers_with_a_clear_error() -> None:
    srv = start_server("--max-sessions", "1")
    try:
        async with websockets.connect(srv.url) as first:
            await first.recv()
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(srv.url):
                    pass
            assert refused.value.response.status_code == 429
            assert b"session_limit_reached" in (refused.value.response.body or b"")
            with urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/health") as response:
                health = json.loads(response.read())
            assert health["sessions"] == 1
        # the first one is still served after the refusal
    finally:
        stop_server(srv)
    assert b"loopback only" in srv.log.read_bytes()


def test_an_open_server_refuses_to_listen_beyond_loopback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kaiwa.cli", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    assert result.returncode == 1
    assert "--api-key" in result.stderr


def test_serve_help_explains_every_option() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kaiwa.cli", "serve", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    options = ("--host", "--port", "--api-key", "--max-sessions", "--llm-url", "--allow-origin")
    options += ("--stall-timeout",)
    for option in (*options, "--log-level"):
        assert option in result.stdout
    assert "client_secrets" in result.stdout


def test_client_secrets_need_the_key(served: Served) -> None:
    request = urllib.request.Request(
        f"{served.http_base}/realtime/client_secrets", data=b"{}", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 401
    refused.value.close()


async def test_a_client_that_never_reads_is_disconnected_not_buffered(served: Served) -> None:
    # Every "{}" frame earns an error event. A client that keeps sending and never reads
    # fills the socket, then the session's bounded queue: the server closes the connection
    # (1008) instead of holding events without limit. Its close frame waits behind what the
    # client did not read; the connection is dropped when it cannot be sent: the server's log
    # says why.
    said = b"closed a session: client is not reading its events"
    logged = served.log.read_bytes().count(said)
    async with websockets.connect(
        served.url, additional_headers=headers(API_KEY), max_queue=1, max_size=2**16
    ) as ws:
        with pytest.raises(websockets.ConnectionClosed):
            for _ in range(2_000_000):  # (the server closes long before)
                await ws.send("{}")
            for _ in range(2_000_000):  # (never reached when the server closes first)
                await ws.recv()
    assert served.log.read_bytes().count(said) == logged + 1


async def test_audio_sent_faster_than_real_time_is_all_heard(raw: tuple[Any, Recorder]) -> None:
    # 20 s of audio in one burst: the VAD works through it (appends wait when it falls 2 s
    # behind, holding back the socket) and places the speech by the audio's clock.
    import base64

    import numpy as np

    from kaiwa.audio.codecs import float_to_pcm16, resample
    from tests.speech import piper, silence

    ws, rec = raw
    update = {
        "type": "realtime",
        "audio": {"input": {"turn_detection": {"type": "server_vad", "create_response": False}}},
    }
    await ws.send(json.dumps({"type": "session.update", "session": update}))
    await rec.wait("session.updated")
    speech = piper("Hello there.")
    audio = np.concatenate([silence(18_000), speech, silence(1500)])
    pcm = float_to_pcm16(resample(audio, 16000, 24000))
    for i in range(0, len(pcm), 4800):  # 100 ms a frame, no pacing
        chunk = base64.b64encode(pcm[i : i + 4800]).decode()
        await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": chunk}))
    loud = np.nonzero(np.abs(speech) > 0.02)[0]
    started = await rec.wait("input_audio_buffer.speech_started")
    assert abs(started["audio_start_ms"] - (18_000 + loud[0] // 16)) < 150
    stopped = await rec.wait("input_audio_buffer.speech_stopped")
    assert abs(stopped["audio_end_ms"] - (18_000 + loud[-1] // 16)) < 300
    committed = await rec.wait("input_audio_buffer.committed")
    assert committed["item_id"] == started["item_id"]
    done = await rec.wait("conversation.item.done", lambda e: e["item"]["id"] == started["item_id"])
    assert "hello" in done["item"]["content"][0]["transcript"].lower()
    assert not rec.of("error")


async def test_an_open_server_serves_only_pages_on_this_machine_and_logs_no_keys() -> None:
    # No key: any web page the user visits could otherwise drive the server through their
    # browser (a cross-site WebSocket). Programs send no Origin and are served.
    srv = start_server("--allow-origin", "http://myapp.test:3000", "--log-level", "debug")
    try:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(srv.url, origin="https://evil.example.com"):  # type: ignore[arg-type]
                pass
        assert refused.value.response.status_code == 403
        assert b"--allow-origin" in (refused.value.response.body or b"")
        request = urllib.request.Request(
            f"{srv.http_base}/realtime/client_secrets",
            data=b"{}",
            method="POST",
            headers={"Origin": "https://evil.example.com"},
        )
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(request)
        denied.value.close()  # its socket: left open, a later test sees a ResourceWarning
        assert denied.value.code == 403
        for origin in ("http://localhost:5173", "http://127.0.0.1:8080", "http://myapp.test:3000"):
            async with websockets.connect(srv.url, origin=origin) as ws:  # type: ignore[arg-type]
                assert json.loads(await ws.recv())["type"] == "session.created"
        # Credentials sent anyway (the server is open) are in the debug header dump, masked.
        async with websockets.connect(
            srv.url,
            additional_headers=headers("sk-leak-one"),
            subprotocols=["realtime", "openai-insecure-api-key.sk-leak-two"],  # type: ignore[list-item]
        ) as ws:
            assert json.loads(await ws.recv())["type"] == "session.created"
    finally:
        stop_server(srv)
    log = srv.log.read_text()
    assert "authorization: bearer [redacted]" in log.lower()  # the dump happened, masked
    assert "sk-leak" not in log
    assert "refused a WebSocket from origin https://evil.example.com" in log


@pytest.mark.parametrize(
    ("session", "param"),
    [
        ({"audio": {"output": {"speed": 10}}}, "session.audio.output.speed"),
        (
            {"audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 7.5}}}},
            "session.audio.input.turn_detection.threshold",
        ),
        (
            {
                "audio": {
                    "input": {"turn_detection": {"type": "server_vad", "silence_duration_ms": -500}}
                }
            },
            "session.audio.input.turn_detection.silence_duration_ms",
        ),
        ({"temperature": 5.0}, "session.temperature"),  # not a field of the GA session
        (
            {"tools": [{"type": "function", "name": "f", "parameters": {"type": "objekt"}}]},
            "session.tools[0].parameters",
        ),
        (
            {
                "tools": [
                    {"type": "function", "name": f"f{i}", "parameters": {}} for i in range(129)
                ]
            },
            "session.tools",
        ),
        ({"instructions": "Be nice. " * 120_000}, "session.instructions"),  # ~1 MB
    ],
)
async def test_settings_no_response_could_use_are_refused_naming_the_field(
    raw: tuple[Any, Recorder], session: dict[str, Any], param: str
) -> None:
    ws, rec = raw
    await rec.wait("session.created")
    update = {"type": "session.update", "event_id": "evt_bad", "session": {"type": "realtime"}}
    update["session"].update(session)  # type: ignore[attr-defined]
    await ws.send(json.dumps(update))
    error = (await rec.wait("error"))["error"]
    assert error["param"] == param and error["event_id"] == "evt_bad", error
    # the session is as it was, and answers
    await ws.send(
        json.dumps(
            {"type": "session.update", "session": {"type": "realtime", "instructions": "Be brief."}}
        )
    )
    assert (await rec.wait("session.updated"))["session"]["audio"]["output"]["speed"] == 1.0
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi!"}]}
    await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
    await ws.send(
        json.dumps({"type": "response.create", "response": {"output_modalities": ["text"]}})
    )
    done = await rec.wait("response.done")
    assert done["response"]["status"] == "completed", done


@pytest.mark.parametrize(
    ("request_text", "grace", "finished"),
    [
        ("Say hello in one short sentence.", "30", True),  # the answer ends within the grace
        # Cut after it: a story of ten sentences takes the 0.5B model ~6 s to write (a plain
        # "long story" was sometimes written within the grace period).
        (
            "Tell me a long story about a dragon and a knight, in ten sentences or more.",
            "2",
            False,
        ),
    ],
)
async def test_sigterm_finishes_answers_then_closes_every_session_cleanly(
    request_text: str, grace: str, finished: bool
) -> None:
    srv = start_server("--grace-period", grace)
    try:
        async with websockets.connect(srv.url) as ws:
            rec = Recorder(ws.recv)
            await rec.wait("session.created")
            text = {"type": "input_text", "text": request_text}
            item = {"type": "message", "role": "user", "content": [text]}
            await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
            await ws.send(json.dumps({"type": "response.create"}))
            await rec.wait("response.output_audio.delta")  # mid-answer
            srv.process.send_signal(signal.SIGTERM)
            if not finished:  # while the long answer has its grace, newcomers are turned away
                with pytest.raises(websockets.InvalidStatus) as refused:
                    async with websockets.connect(srv.url):
                        pass
                assert refused.value.response.status_code == 503
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await rec.wait("never.sent", timeout=90)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
            statuses = [e["response"]["status"] for e in rec.of("response.done")]
            assert statuses == (["completed"] if finished else []), statuses
        assert srv.process.wait(60) == 0
    finally:
        stop_server(srv)
    assert b"shutting down" in srv.log.read_bytes()


async def test_a_flood_of_events_is_refused_past_the_budget_and_the_session_goes_on(
    raw: tuple[Any, Recorder],
) -> None:
    from kaiwa.core.limits import EVENTS_BURST

    ws, rec = raw
    await rec.wait("session.created")

    def answered() -> int:
        return len(rec.of("input_audio_buffer.cleared")) + len(rec.of("error"))

    async def answers(count: int) -> None:
        for _ in range(3000):  # (up to 30 s)
            if answered() >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{answered()} answers of {count}")

    # Far faster than 100 a second, reading the answers as they come (a client that does not
    # read is cut off by another rule).
    sent = 0
    while not rec.of("error") and sent < 4 * EVENTS_BURST:
        for _ in range(100):
            await ws.send(json.dumps({"type": "input_audio_buffer.clear", "event_id": f"e{sent}"}))
            sent += 1
        await answers(sent - 100)
    await answers(sent)
    refused = rec.of("error")
    assert refused and answered() == sent  # every event answered: done, or refused by name
    assert {e["error"]["code"] for e in refused} == {"rate_limit_exceeded"}
    assert all(e["error"]["event_id"].startswith("e") for e in refused)
    assert len(rec.of("input_audio_buffer.cleared")) >= EVENTS_BURST
    await asyncio.sleep(1.0)  # the budget refills: the session is usable again
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi!"}]}
    await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
    await ws.send(json.dumps({"type": "response.create"}))
    done = await rec.wait("response.done")
    assert done["response"]["status"] == "completed"


async def test_a_frame_over_the_size_limit_closes_with_1009(served: Served) -> None:
    async with websockets.connect(
        served.url, additional_headers=headers(API_KEY), max_size=None
    ) as ws:
        audio = "A" * (17 * 1024 * 1024)  # past the 16 MiB frame limit
        await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": audio}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            for _ in range(1000):
                await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_a_client_gone_mid_answer_leaves_nothing_behind(served: Served) -> None:
    def sessions() -> int:
        port = served.url.split(":")[2].split("/")[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as response:
            return int(json.loads(response.read())["sessions"])

    before = sessions()
    ws = await websockets.connect(served.url, additional_headers=headers(API_KEY))
    rec = Recorder(ws.recv)
    text = {"type": "input_text", "text": "Tell me a long story about a dragon."}
    item = {"type": "message", "role": "user", "content": [text]}
    await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
    await ws.send(json.dumps({"type": "response.create"}))
    await rec.wait("response.output_audio.delta")
    ws.transport.abort()  # gone, no close frame
    await rec.close()
    for _ in range(100):
        if sessions() == before:
            break
        await asyncio.sleep(0.1)
    assert sessions() == before
    # The next client is answered at once (nothing holds the model for the one that left).
    async with websockets.connect(served.url, additional_headers=headers(API_KEY)) as ws2:
        rec2 = Recorder(ws2.recv)
        item["content"] = [{"type": "input_text", "text": "Say hello."}]
        await ws2.send(json.dumps({"type": "conversation.item.create", "item": item}))
        await ws2.send(json.dumps({"type": "response.create"}))
        assert (await rec2.wait("response.done"))["response"]["status"] == "completed"
        await rec2.close()
