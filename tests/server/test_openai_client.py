"""`kaiwa serve`, driven by the official ``openai`` package's realtime client.

Every event the tests receive is validated against ``openai.types.realtime`` and checked for
nulls (`strict`). Speech is real (piper, espeak-ng), streamed at real time in 40 ms chunks.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import openai
import pytest

from kaiwa.audio.codecs import resample, ulaw_decode, ulaw_encode
from tests.speech import espeak, piper, silence, wer

from .conftest import API_KEY, Served
from .recorder import Recorder, audio_ms, stream_speech

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city name"}},
        "required": ["city"],
    },
}


@pytest.fixture
async def conn(served: Served) -> AsyncIterator[Any]:
    client = openai.AsyncOpenAI(api_key=API_KEY, websocket_base_url=served.ws_base)
    async with client.realtime.connect(model="gpt-realtime") as connection:
        yield connection


@pytest.fixture
async def rec(conn: Any) -> AsyncIterator[Recorder]:
    recorder = Recorder(conn.recv_bytes)
    yield recorder
    await recorder.close()


def user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


async def test_a_text_turn(conn: Any, rec: Recorder) -> None:
    created = await rec.wait("session.created")
    assert created["session"]["type"] == "realtime"
    await conn.session.update(session={"type": "realtime", "output_modalities": ["text"]})
    await rec.wait("session.updated")
    await conn.conversation.item.create(item=user_text("What is the capital of France?"))
    await conn.response.create()
    done = await rec.wait("response.done")
    assert done["response"]["status"] == "completed"
    assert done["response"]["usage"]["input_tokens"] > 0
    text = "".join(e["delta"] for e in rec.of("response.output_text.delta"))
    assert "paris" in text.lower()
    kinds = [e["type"] for e in rec.events]
    order = [
        "response.created",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.done",
    ]
    assert [k for k in kinds if k in order] == sorted(
        [k for k in kinds if k in order], key=order.index
    )
    for delta in rec.of("response.output_text.delta"):
        assert delta["response_id"] == done["response"]["id"]
        assert delta["output_index"] == 0 and delta["content_index"] == 0


async def test_a_spoken_turn_with_server_vad(conn: Any, rec: Recorder) -> None:
    await conn.session.update(
        session={
            "type": "realtime",
            "audio": {
                "input": {
                    "transcription": {"model": "whisper-1"},
                    "turn_detection": {"type": "server_vad"},
                }
            },
        }
    )
    await rec.wait("session.updated")
    # espeak-ng's voice; tiny.en hears this one right. (Its "capital of France" comes back as
    # "capital and friends" even from the whole clip: the model's limit, not the pipeline's.)
    said = "What is the capital city of Italy?"
    speech = espeak(said)
    lead = 400
    await stream_speech(
        lambda a: conn.input_audio_buffer.append(audio=a),
        np.concatenate([silence(lead), speech, silence(1500)]),
    )
    started = await rec.wait("input_audio_buffer.speech_started")
    stopped = await rec.wait("input_audio_buffer.speech_stopped")
    committed = await rec.wait("input_audio_buffer.committed")
    assert started["item_id"] == stopped["item_id"] == committed["item_id"]
    assert abs(started["audio_start_ms"] - lead) < 150
    speech_end = lead + len(speech) * 1000 // 16000
    assert abs(stopped["audio_end_ms"] - speech_end) < 300
    transcript = await rec.wait("conversation.item.input_audio_transcription.completed")
    assert transcript["item_id"] == committed["item_id"]
    assert wer(said, transcript["transcript"]) <= 0.2, transcript["transcript"]
    assert transcript["usage"]["type"] == "duration"
    done = await rec.wait("response.done")
    assert done["response"]["status"] == "completed"
    assert audio_ms(rec.events) > 500
    spoken = "".join(e["delta"] for e in rec.of("response.output_audio_transcript.delta"))
    assert "rome" in spoken.lower(), spoken
    # the user's item holds the transcript
    await conn.conversation.item.retrieve(item_id=committed["item_id"])
    item = (await rec.wait("conversation.item.retrieved"))["item"]
    assert item["content"][0]["transcript"] == transcript["transcript"]


async def test_manual_turns_in_g711(conn: Any, rec: Recorder) -> None:
    await conn.session.update(
        session={
            "type": "realtime",
            "audio": {
                "input": {
                    "format": {"type": "audio/pcmu"},
                    "transcription": {"model": "whisper-1"},
                    "turn_detection": None,
                },
                "output": {"format": {"type": "audio/pcmu"}},
            },
        }
    )
    updated = await rec.wait("session.updated")
    assert "turn_detection" not in updated["session"]["audio"]["input"]
    said = "Please tell me a fun fact about cats."
    mulaw = ulaw_encode(resample(piper(said), 16000, 8000))
    for i in range(0, len(mulaw), 4000):
        await conn.input_audio_buffer.append(audio=base64.b64encode(mulaw[i : i + 4000]).decode())
    await conn.input_audio_buffer.commit()
    await rec.wait("input_audio_buffer.committed")
    transcript = await rec.wait("conversation.item.input_audio_transcription.completed")
    assert wer(said, transcript["transcript"]) <= 0.25, transcript["transcript"]
    assert not rec.of("input_audio_buffer.speech_started")  # no VAD in manual mode
    assert not rec.of("response.created")  # and no automatic response
    await conn.response.create()
    await rec.wait("response.done")
    out = b"".join(base64.b64decode(e["delta"]) for e in rec.of("response.output_audio.delta"))
    assert len(out) > 8 * 500  # more than half a second at 8 kHz, one byte a sample
    assert np.abs(ulaw_decode(out)).max() > 0.05  # speech, not silence


async def test_a_tool_call_then_an_answer_using_its_result(conn: Any, rec: Recorder) -> None:
    await conn.session.update(
        session={"type": "realtime", "output_modalities": ["text"], "tools": [WEATHER_TOOL]}
    )
    await rec.wait("session.updated")
    await conn.conversation.item.create(item=user_text("What's the weather in Paris?"))
    await conn.response.create()
    done = await rec.wait("response.done")
    calls = [o for o in done["response"]["output"] if o["type"] == "function_call"]
    assert calls and calls[0]["name"] == "get_weather" and calls[0]["status"] == "completed"
    assert json.loads(calls[0]["arguments"])["city"].lower() == "paris"
    finished = await rec.wait(
        "response.output_item.done", lambda e: e["item"]["type"] == "function_call"
    )
    assert finished["item"]["status"] == "completed"
    args_done = rec.of("response.function_call_arguments.done")[0]
    assert args_done["call_id"] == calls[0]["call_id"]
    await conn.conversation.item.create(
        item={
            "type": "function_call_output",
            "call_id": calls[0]["call_id"],
            "output": json.dumps({"city": "Paris", "forecast": "sunny", "temperature_c": 22}),
        }
    )
    await conn.response.create()
    second = await rec.wait("response.done", count=2)
    text = " ".join(
        c.get("text", "") for o in second["response"]["output"] for c in o.get("content", [])
    )
    assert "sunny" in text.lower() or "22" in text, text


async def test_barge_in_cancels_the_answer_and_truncation_cuts_its_transcript(
    conn: Any, rec: Recorder
) -> None:
    await conn.session.update(
        session={
            "type": "realtime",
            "audio": {
                "input": {"turn_detection": {"type": "server_vad", "create_response": False}}
            },
        }
    )
    await rec.wait("session.updated")
    await conn.conversation.item.create(
        item=user_text("Tell me a long story about a dragon who learns to bake bread.")
    )
    await conn.response.create()
    first = await rec.wait("response.output_audio.delta")
    # Interrupt once two clauses are out, so there is a transcript for truncation to cut.
    await rec.wait("response.output_audio_transcript.delta", count=2)
    await stream_speech(
        lambda a: conn.input_audio_buffer.append(audio=a),
        np.concatenate([espeak("Stop, stop. Wait a moment."), silence(800)]),
    )
    done = await rec.wait("response.done")
    assert done["response"]["status"] == "cancelled"
    assert done["response"]["status_details"]["reason"] == "turn_detected"
    kinds = [e["type"] for e in rec.events]
    assert kinds.index("input_audio_buffer.speech_started") < kinds.index("response.done")
    message = next(o for o in done["response"]["output"] if o["type"] == "message")
    assert message["status"] == "incomplete"
    full = message["content"][0]["transcript"]
    assert len(full.split()) >= 4, full
    await conn.conversation.item.truncate(
        item_id=first["item_id"], content_index=0, audio_end_ms=400
    )
    truncated = await rec.wait("conversation.item.truncated")
    assert truncated["audio_end_ms"] == 400
    await conn.conversation.item.retrieve(item_id=first["item_id"])
    item = (await rec.wait("conversation.item.retrieved"))["item"]
    heard = item["content"][0]["transcript"]
    assert len(heard.split()) < len(full.split())
    assert full.startswith(heard)


async def test_a_silent_user_is_prompted_after_idle_timeout_ms(conn: Any, rec: Recorder) -> None:
    await conn.session.update(
        session={
            "type": "realtime",
            "instructions": "You are a friendly assistant. Answer in one short sentence.",
            "audio": {"input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 5000}}},
        }
    )
    await rec.wait("session.updated")
    await conn.conversation.item.create(item=user_text("Hello!"))
    await conn.response.create()
    first = await rec.wait("response.done")
    played = audio_ms(rec.events)
    # Silence, faster than real time: the timeout runs on the input audio's clock, after the
    # answer's audio has played (as OpenAI counts it).
    silent = base64.b64encode(b"\0" * 4800).decode()  # 100 ms
    for _ in range(int((played + 4600) / 100)):  # OpenAI's minimum is 5,000 ms
        await conn.input_audio_buffer.append(audio=silent)
    for _ in range(15):
        await conn.input_audio_buffer.append(audio=silent)
    timeout = await rec.wait("input_audio_buffer.timeout_triggered")
    # counted from when the answer's audio ends (no input audio came before it)...
    assert abs(timeout["audio_start_ms"] - played) < 50
    # ...and triggered once idle_timeout_ms of silence has passed, not before
    assert 5000 <= timeout["audio_end_ms"] - timeout["audio_start_ms"] < 5200
    committed = await rec.wait("input_audio_buffer.committed")
    assert committed["item_id"] == timeout["item_id"]
    second = await rec.wait("response.done", count=2)
    assert second["response"]["id"] != first["response"]["id"]
    assert second["response"]["status"] == "completed"
