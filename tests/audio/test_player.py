"""AudioPlayer: the jitter buffer, fades, hold and resume, and playback tracking."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from kaiwa.audio.codecs import float_to_pcm16
from kaiwa.audio.player import AudioPlayer

RATE = 24000  # the session's rate: no resampling, so sample counts are exact


def tone(ms: float, level: float = 0.5) -> bytes:
    n = int(RATE * ms / 1000)
    return float_to_pcm16(level * np.sin(2 * np.pi * 440 * np.arange(n) / RATE))


def pull_ms(player: AudioPlayer, ms: float, block: int = 240) -> np.ndarray:
    out = [player.pull(block) for _ in range(int(RATE * ms / 1000) // block)]
    return np.concatenate(out)


async def put(player: AudioPlayer, data: bytes, item: str = "a", response: str = "r1") -> None:
    await player.put(data, item_id=item, content_index=0, response_id=response)


class TestPrebuffer:
    async def test_an_item_waits_for_the_prebuffer(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=60)
        await put(player, tone(40))
        assert not np.any(pull_ms(player, 20))  # 40 ms < 60 ms: still silent
        await put(player, tone(40))
        assert np.any(pull_ms(player, 20))

    async def test_an_ended_item_starts_without_a_full_prebuffer(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=200)
        await put(player, tone(50))
        player.end("a", 0, "r1")
        assert np.any(pull_ms(player, 20))

    async def test_an_underrun_is_counted_and_silent(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=20)
        await put(player, tone(30))
        played = pull_ms(player, 60)
        assert np.any(played[:240]) and not np.any(played[-480:])
        assert player.stats.underruns == 1

    async def test_the_end_of_an_item_is_no_underrun(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=20)
        await put(player, tone(30))
        player.end("a", 0, "r1")
        pull_ms(player, 60)
        assert player.stats.underruns == 0

    async def test_the_whole_item_is_played_sample_for_sample(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0)
        data = tone(100)
        await put(player, data)
        player.end("a", 0, "r1")
        played = pull_ms(player, 100)
        assert np.allclose(played, np.frombuffer(data, "<i2") / 32768, atol=1e-6)


class TestTracking:
    async def test_state_counts_what_was_pulled(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0)
        assert player.get_state()["current_item_id"] is None
        await put(player, tone(500))
        pull_ms(player, 120)
        state = player.get_state()
        assert state["current_item_id"] == "a"
        assert state["current_item_content_index"] == 0
        assert state["elapsed_ms"] == pytest.approx(120)

    async def test_a_new_item_starts_its_own_count(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0)
        await put(player, tone(40), item="a")
        player.end("a", 0, "r1")
        await put(player, tone(400), item="b", response="r2")
        pull_ms(player, 100)
        assert player.get_state()["current_item_id"] == "b"
        assert player.get_state()["elapsed_ms"] == pytest.approx(60)


class TestInterrupt:
    async def test_interrupt_fades_out_then_drops_what_was_queued(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0, fade_ms=10)
        await put(player, tone(1000))
        pull_ms(player, 100)
        player.interrupt()
        out = pull_ms(player, 50)
        fade = int(RATE * 0.010)
        assert np.any(out[: fade // 2])  # still sounding at the start of the fade
        assert not np.any(out[fade + 1 :])  # silent after it
        assert not player.has_audio()
        assert player.stats.dropped_ms > 800

    async def test_the_time_to_silence_is_measured(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0, fade_ms=10)
        await put(player, tone(1000))
        pull_ms(player, 100)
        player.interrupt()
        pull_ms(player, 50)
        assert len(player.stats.to_silence_ms) == 1
        assert 10 <= player.stats.to_silence_ms[0] < 100

    async def test_the_fade_has_no_click(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0, fade_ms=10)
        await put(player, tone(1000, level=0.9))
        before = pull_ms(player, 100)
        player.interrupt()
        after = pull_ms(player, 30)
        joined = np.concatenate([before, after])
        # The largest step between samples stays that of the tone itself (no jump to 0).
        tone_step = np.abs(np.diff(before)).max()
        assert np.abs(np.diff(joined)).max() <= tone_step * 1.01

    async def test_interrupting_an_item_keeps_later_answers(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0)
        await put(player, tone(500), item="a", response="r1")
        await put(player, tone(300), item="b", response="r2")
        pull_ms(player, 50)
        player.interrupt("a")
        pull_ms(player, 40)  # 10 ms of fade, then the next answer
        assert player.buffered_ms() == pytest.approx(270)
        assert player.response_at_playhead() == "r2"

    async def test_audio_after_an_interrupt_plays_and_fades_in(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0, fade_ms=10)
        await put(player, tone(500), item="a")
        pull_ms(player, 50)
        player.interrupt()
        pull_ms(player, 20)
        await put(player, tone(200, level=0.9), item="b", response="r2")
        out = pull_ms(player, 100)
        assert abs(out[0]) < 0.01 and np.abs(out[-240:]).max() > 0.8


class TestHold:
    async def test_hold_pauses_where_the_fade_ends_and_resume_goes_on_from_there(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0, fade_ms=10)
        data = tone(1000)
        await put(player, data)
        pull_ms(player, 100)
        player.hold()
        pull_ms(player, 200)  # the fade, then silence; the playhead stops with the fade
        held_at = player.get_state()["elapsed_ms"]
        assert held_at == pytest.approx(110, abs=0.1)
        assert not np.any(pull_ms(player, 50))
        assert player.get_state()["elapsed_ms"] == held_at
        player.resume()
        out = pull_ms(player, 100)
        source = np.frombuffer(data, "<i2") / 32768
        start = int(RATE * held_at / 1000)
        # After its fade-in, the audio is the source from where it paused.
        assert np.allclose(out[240:2400], source[start + 240 : start + 2400], atol=1e-6)

    async def test_interrupt_while_held_drops_and_unholds(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0)
        await put(player, tone(1000), item="a")
        pull_ms(player, 50)
        player.hold()
        pull_ms(player, 20)
        player.interrupt("a")
        await put(player, tone(100), item="b", response="r2")
        assert np.any(pull_ms(player, 60))
        assert not player.held

    async def test_drop_response_removes_a_queued_answer(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0)
        await put(player, tone(300), item="a", response="r1")
        await put(player, tone(300), item="b", response="r2")
        player.drop_response("r2")
        assert player.buffered_ms() == pytest.approx(300)


class TestBound:
    async def test_put_waits_for_room_and_loses_nothing(self) -> None:
        player = AudioPlayer(RATE, prebuffer_ms=0, max_buffer_s=0.5)
        await put(player, tone(400))
        waiting = asyncio.ensure_future(put(player, tone(400)))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await asyncio.to_thread(pull_ms, player, 300)
        await asyncio.wait_for(waiting, 2)
        assert player.buffered_ms() == pytest.approx(500)

    async def test_resampling_to_the_device_rate_keeps_the_duration(self) -> None:
        player = AudioPlayer(48000, prebuffer_ms=0)
        await put(player, tone(500))
        player.end("a", 0, "r1")
        assert player.buffered_ms() == pytest.approx(500, abs=1)
