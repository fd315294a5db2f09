"""`RealtimeConnection` driven directly (no socket), where event timing is in the test's hands."""

from __future__ import annotations

import asyncio

from kaiwa.core import RealtimeConnection
from kaiwa.engine.engine import Engine
from tests.checks import next_of


async def test_a_response_cancelled_before_it_starts_still_ends() -> None:
    # The in-process model hands events over back to back: response.create and
    # response.cancel arrive before the response's task has run at all.
    engine = await asyncio.to_thread(Engine.load)
    conn = RealtimeConnection(engine)
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi!"}]}
    await conn.receive({"type": "conversation.item.create", "item": item})
    await conn.receive({"type": "response.create"})
    await conn.receive({"type": "response.cancel"})
    first = await next_of(conn, "response.done")
    assert first["response"]["status"] == "cancelled"
    assert first["response"]["status_details"]["reason"] == "client_cancelled"
    await conn.receive({"type": "response.create", "response": {"output_modalities": ["text"]}})
    second = await next_of(conn, "response.done")
    assert second["response"]["status"] == "completed"
    await conn.close()


async def test_a_format_only_update_changes_how_input_audio_is_decoded() -> None:
    # Only the input format changes (turn detection stays as it was): appended audio must be
    # read in the new format from then on.
    import base64

    from kaiwa.audio.codecs import resample, ulaw_encode
    from tests.speech import piper, wer

    engine = await asyncio.to_thread(Engine.load)
    conn = RealtimeConnection(
        engine, session={"type": "realtime", "audio": {"input": {"turn_detection": None}}}
    )
    fmt = {"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcmu"}}}}
    await conn.receive({"type": "session.update", "session": fmt})
    said = "Please tell me a fun fact about cats."
    mulaw = ulaw_encode(resample(piper(said), 16000, 8000))
    await conn.receive(
        {"type": "input_audio_buffer.append", "audio": base64.b64encode(mulaw).decode()}
    )
    await conn.receive({"type": "input_audio_buffer.commit"})
    done = await next_of(conn, "conversation.item.done")
    heard = done["item"]["content"][0]["transcript"]
    assert wer(said, heard) <= 0.25, heard
    await conn.close()


async def _say(conn: RealtimeConnection, text: str) -> None:
    """Append ``text`` spoken by piper, then enough silence for server_vad to end the turn."""
    import base64

    import numpy as np

    from kaiwa.audio.codecs import float_to_pcm16, resample
    from tests.speech import piper

    audio = np.concatenate([piper(text), np.zeros(16000, np.float32)])
    pcm = float_to_pcm16(resample(audio, 16000, 24000))
    for i in range(0, len(pcm), 4800):
        chunk = base64.b64encode(pcm[i : i + 4800]).decode()
        await conn.receive({"type": "input_audio_buffer.append", "audio": chunk})
        await asyncio.sleep(0.01)


SERVER_VAD = {"type": "realtime", "audio": {"input": {"turn_detection": {"type": "server_vad"}}}}


async def test_deleting_a_turn_cancels_the_automatic_response_it_started() -> None:
    # kaiwa's AudioIO deletes a backchannel ("Okay.") it judged was no turn; the reply the
    # server had already started for it must go too, items and all.
    engine = await asyncio.to_thread(Engine.load)
    conn = RealtimeConnection(engine, session=SERVER_VAD)
    await _say(conn, "Okay.")
    turn = (await next_of(conn, "input_audio_buffer.committed"))["item_id"]
    created = await next_of(conn, "response.created")
    await conn.receive({"type": "conversation.item.delete", "item_id": turn})
    done = await next_of(conn, "response.done")
    assert done["response"]["id"] == created["response"]["id"]
    assert done["response"]["status"] == "cancelled"
    assert conn.conversation.items() == []  # the turn and whatever the reply had said
    await conn.close()
