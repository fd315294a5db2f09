"""``kaiwa web`` in a real browser: Debian's chromium, driven by Playwright, with a fake
microphone playing recorded speech (a file from when the page opens it, or, for words that
must come at a moment of the conversation, a stream the test speaks into), against ``kaiwa
web`` running on the offline engine.

Screenshots of each step go to ``.artifacts/web/`` (look at them: they are what a person sees).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import websockets

from kaiwa.audio.codecs import resample
from kaiwa.engine.text import is_japanese

from ..speech import piper, silence

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".artifacts" / "web"
CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kaiwa web`` on a free port, its engine loaded."""
    log = tmp_path_factory.mktemp("web") / "kaiwa-web.log"
    with open(log, "w") as err:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen(
            [sys.executable, "-m", "kaiwa.cli", "web", "--port", "0"],
            stderr=err,
            env={**os.environ, "OPENAI_API_KEY": "", "KAIWA_REALTIME_URL": ""},
        )
    try:
        deadline = time.monotonic() + 300
        while not (found := re.search(r"open (http://\S+/)", log.read_text())):
            assert process.poll() is None, f"kaiwa web stopped: {log.read_text()}"
            assert time.monotonic() < deadline, "kaiwa web did not start"
            time.sleep(0.1)
        url = found.group(1)
        while True:
            with urllib.request.urlopen(url + "status") as response:
                engine = json.load(response)["engine"]
            assert engine["state"] != "error", engine
            if engine["state"] == "ready":
                break
            assert time.monotonic() < deadline, "the engine did not load in 5 minutes"
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wav(path: Path, *parts: str | int) -> Path:
    """A 48 kHz WAV for the fake microphone: strings are spoken (piper), ints are silence (ms)."""
    audio = np.concatenate([silence(p) if isinstance(p, int) else piper(p) for p in parts])
    audio = resample(audio, 16000, 48000)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def quiet_mic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A microphone in a quiet room (chromium's own fake microphone beeps)."""
    return _wav(tmp_path_factory.mktemp("mic") / "quiet.wav", 60_000)


class Tab:
    """A browser tab on the page, with helpers to read what it shows."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name
        self.shots = 0
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def shot(self, step: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.shots}-{step}.png"))

    def entries(self, kind: str | None = None) -> list[dict[str, Any]]:
        found = self.page.evaluate("[...kaiwa.entries.values()]")
        return [e for e in found if kind is None or e["kind"] == kind]

    def state(self, key: str) -> Any:
        return self.page.evaluate(f"kaiwa.{key}")

    def poll(self, condition: Any, timeout: float) -> Any:
        """``condition()``'s first true result, asked every 0.25 s for ``timeout`` seconds (the
        page changes on its own: there is no event to await from here); None if none came."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.25)
        return None

    def wait(self, what: str, condition: Any, timeout: float = 90) -> Any:
        result = self.poll(condition, timeout)
        if result:
            return result
        self.shot("timeout")
        raise AssertionError(f"{what}: not seen in {timeout:.0f} s; entries: {self.entries()}")

    def connect(self) -> None:
        self.page.click("#connect")
        self.wait("connected", lambda: self.state("connected"), timeout=120)

    def type(self, text: str) -> None:
        self.page.fill("#message", text)
        self.page.press("#message", "Enter")

    def say(self, wav: Path) -> None:
        """Plays ``wav`` into the microphone of a tab opened with no ``mic`` file; returns
        once it has started playing."""
        data = base64.b64encode(wav.read_bytes()).decode()
        self.page.evaluate("(b64) => kaiwa_test_mic.say(b64)", data)

    def say_until_heard(self, wav: Path, word: str, tries: int = 3) -> dict[str, Any]:
        """Says ``wav`` (a tab opened with no ``mic`` file) until a finished turn of the user
        has ``word``; returns that turn. Said again, with a warning, only when the turn heard
        lacks it: the test's microphone runs through the browser's own audio clocks, which
        drop or stretch pieces of it when the machine is loaded (once heard as "What's the
        what"); a person's microphone is not this fixture."""
        for attempt in range(tries):
            before = len(self.entries("user"))
            self.say(wav)

            heard = self.poll(
                lambda: next(
                    (
                        e
                        for e in self.entries("user")[before:]  # noqa: B023 (called at once)
                        if e.get("final") and word in e["text"].lower()
                    ),
                    None,
                ),
                timeout=45,
            )
            if heard:
                return heard  # type: ignore[no-any-return]
            turns = [e["text"] for e in self.entries("user")[before:]]
            warnings.warn(
                f"the test microphone, try {attempt + 1}: heard {turns}, not {word!r}",
                stacklevel=2,
            )
        self.shot("not-heard")
        raise AssertionError(f"{word!r} not heard in {tries} tries; entries: {self.entries()}")

    def answer(self, after: int = 0) -> dict[str, Any]:
        """The first finished answer among the agent's entries after the first ``after``."""

        def done() -> dict[str, Any] | None:
            answers = [e for e in self.entries("agent") if e.get("final") and e["text"].strip()]
            return answers[after] if len(answers) > after else None

        found: dict[str, Any] = self.wait("an answer", done)
        return found


# A microphone the test speaks into when it chooses, for a test whose words must come at a
# moment of the conversation (over an answer that is playing), not at a time fixed in a file:
# the page's getUserMedia gets a WebAudio stream (silence until ``kaiwa_test_mic.say``), where
# chromium's fake device would play its file on its own clock.
_SCRIPTED_MIC = """
(() => {
  const ctx = new AudioContext({ sampleRate: 48000 });
  const out = ctx.createMediaStreamDestination();
  window.kaiwa_test_mic = {
    async say(b64) {
      await ctx.resume();
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const source = ctx.createBufferSource();
      source.buffer = await ctx.decodeAudioData(bytes.buffer);
      source.connect(out);
      source.start();
    },
  };
  navigator.mediaDevices.getUserMedia = async () => out.stream;
})();
"""


@contextmanager
def tab(url: str, name: str, mic: Path | None) -> Iterator[Tab]:
    """A tab on ``url`` whose microphone plays ``mic`` from when the page opens it, or, when
    ``mic`` is None, says what ``Tab.say`` is given."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                *([f"--use-file-for-fake-audio-capture={mic}%noloop"] if mic else []),
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            if mic is None:
                page.add_init_script(_SCRIPTED_MIC)
            page.goto(url)
            t = Tab(page, name)
            yield t
            assert not t.errors, t.errors
        finally:
            browser.close()


def test_a_spoken_question_is_answered_aloud(web_url: str, tmp_path: Path) -> None:
    question = _wav(tmp_path / "q.wav", 300, "What's the weather in Paris?", 300)
    with tab(web_url, "spoken", None) as t:
        t.shot("page")
        t.connect()
        t.wait("the microphone open", lambda: t.state("micOn"))
        # Any turn that has the question (a blip as the capture starts may be heard as a word
        # of its own first: Whisper's "you").
        asked = t.say_until_heard(question, "weather")

        def answered() -> list[dict[str, Any]]:
            entries = t.entries()
            at = next(i for i, e in enumerate(entries) if e["id"] == asked["id"])
            return [
                e
                for e in entries[at:]
                if e["kind"] == "agent" and e.get("final") and e["text"].strip()
            ]

        answer = t.wait("the answer to it", answered)[0]
        t.wait("the answer's audio played", lambda: t.state("msPlayed") >= 500)
        assert t.state("audioFramesReceived") > 0
        assert answer.get("latency_ms"), answer  # shown next to the answer
        assert t.page.locator(".entry.agent .latency").count() >= 1
        t.shot("answered")


def test_a_seat_change_is_handed_off_and_runs_once_approved(web_url: str, quiet_mic: Path) -> None:
    with tab(web_url, "approve", quiet_mic) as t:
        t.connect()
        t.type("Please change my seat to 14C. My confirmation number is ABC123.")
        t.wait("the typed message", lambda: t.entries("user"))
        handoff = t.wait("a handoff", lambda: t.entries("handoff"))
        assert handoff[0]["to"] == "Seat Booking Agent"
        t.wait(
            "the new agent shown",
            lambda: t.page.text_content("#agent") == "Seat Booking Agent",
        )
        t.page.wait_for_selector('[data-action="approve"]', timeout=90_000)
        assert not t.entries("tool"), "the tool ran before it was approved"
        t.shot("approval")
        t.page.click('[data-action="approve"]')
        tool = t.wait(
            "the tool's result",
            lambda: [e for e in t.entries("tool") if e.get("output")],
        )
        assert tool[0]["name"] == "update_seat"
        assert "14C" in tool[0]["output"] and "ABC123" in tool[0]["output"], tool
        assert t.page.locator(".entry.tool .result", has_text="14C").count() == 1
        t.answer()
        t.shot("approved")


def test_a_baggage_question_is_handed_to_the_faq_agent_and_looked_up(
    web_url: str, quiet_mic: Path
) -> None:
    # The triage agent answered it from its own ideas ("10 bags"): the FAQ agent and its
    # lookup were never reached (issue 16).
    with tab(web_url, "faq", quiet_mic) as t:
        t.connect()
        t.type("How many bags can I bring on the plane?")
        handoff = t.wait("a handoff", lambda: t.entries("handoff"))
        assert handoff[0]["to"] == "FAQ Agent"
        tool = t.wait(
            "the lookup's result",
            lambda: [e for e in t.entries("tool") if e.get("output")],
        )
        assert tool[0]["name"] == "faq_lookup_tool"
        assert "one bag" in tool[0]["output"], tool
        t.answer()
        t.shot("faq")


def test_a_rejected_tool_does_not_run(web_url: str, quiet_mic: Path) -> None:
    with tab(web_url, "reject", quiet_mic) as t:
        t.connect()
        t.type("Please change my seat to 14C. My confirmation number is ABC123.")
        t.page.wait_for_selector('[data-action="reject"]', timeout=120_000)
        t.page.click('[data-action="reject"]')
        t.wait(
            "the rejection shown",
            lambda: [e for e in t.entries("approval") if e["state"] == "rejected"],
        )
        t.answer()  # the agent is told, and answers
        assert not t.entries("tool"), t.entries("tool")
        t.shot("rejected")


def test_speaking_over_the_answer_stops_it(web_url: str, tmp_path: Path) -> None:
    # Spoken when the answer is heard playing, however long it took to come (a fixed time in a
    # file raced it: an answer late by seconds came after the second question).
    question = _wav(
        tmp_path / "question.wav", 300, "Hello! Can you tell me about your airline?", 300
    )
    over = _wav(tmp_path / "over.wav", "Sorry, one more thing, what is the weather in Rome?", 300)
    with tab(web_url, "barge-in", None) as t:
        t.connect()
        t.wait("the microphone open", lambda: t.state("micOn"))
        t.say(question)
        t.wait("the answer playing", lambda: t.state("msPlayed") > 0)
        t.say(over)
        t.wait("playback stopped", lambda: t.state("interruptions") > 0)
        cut = t.wait(
            "the cut answer marked",
            lambda: [e for e in t.entries("agent") if e.get("interrupted")],
        )
        assert cut[0]["id"] == t.entries("agent")[0]["id"]  # the answer to the first question
        t.wait(
            "the second question heard",
            lambda: [e for e in t.entries("user") if "rome" in e["text"].lower()],
        )
        t.shot("interrupted")


def test_a_dropped_socket_reconnects_with_the_conversation(web_url: str, quiet_mic: Path) -> None:
    with tab(web_url, "reconnect", quiet_mic) as t:
        t.connect()
        t.type("Hello! What can you do?")
        t.answer()
        before = [(e["kind"], e.get("text")) for e in t.entries()]
        t.page.evaluate("kaiwa.socket.close()")  # as a network drop would
        t.wait("reconnected", lambda: t.state("reconnects") == 1 and t.state("connected"))
        assert [(e["kind"], e.get("text")) for e in t.entries()] == before
        assert "Reconnected" in (t.page.text_content("#banner") or "")
        t.shot("reconnected")
        t.type("What's the weather in Madrid?")  # the same conversation goes on
        t.answer(after=1)
        t.shot("going-on")


@pytest.fixture(scope="module")
def japanese_question(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Japanese question, spoken by the packaged Japanese voice (Kokoro), after 4 s of quiet
    (time for the page's language switch to load the Japanese recognizer)."""
    from kaiwa.engine.tts import KokoroSynthesizer

    voice = KokoroSynthesizer()
    speech = np.concatenate(list(voice.synthesize("手荷物はいくつまで持ち込めますか？")))
    speech = resample(speech.astype(np.float32), voice.sample_rate, 16000)
    path = tmp_path_factory.mktemp("ja") / "question.wav"
    audio = np.concatenate([silence(4000), speech, silence(30_000)])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(
            (np.clip(resample(audio, 16000, 48000), -1, 1) * 32767).astype("<i2").tobytes()
        )
    return path


def test_a_spoken_japanese_question_gets_a_japanese_answer(
    web_url: str, japanese_question: Path
) -> None:
    with tab(web_url, "japanese", japanese_question) as t:
        t.page.select_option("#language", "ja")  # before connecting: the talk starts in it
        t.connect()
        t.wait("the switch", lambda: t.entries("notice"))
        heard = t.wait(
            "the question in the transcript",
            lambda: [e for e in t.entries("user") if e.get("final")],
        )
        assert is_japanese(heard[0]["text"]), heard
        # In Japanese, and spoken (what it says is the small model's: often the question again,
        # or rambling on; issue 16).
        # (Five characters under way, or a whole answer however short: once heard as
        # 毛に持つ..., the question got 「100件」, and a wait for five characters timed out.)
        answer = t.wait(
            "an answer begun",
            lambda: [
                e
                for e in t.entries("agent")
                if len(e["text"].strip()) >= 5 or (e.get("final") and e["text"].strip())
            ],
        )[0]
        assert is_japanese(answer["text"]), answer
        t.wait("the answer's audio played", lambda: t.state("msPlayed") >= 500)
        t.shot("japanese")


def test_a_refused_microphone_is_said_plainly_and_typing_still_works(
    web_url: str, quiet_mic: Path
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # No fake consent: headless chromium refuses the microphone, as a person may.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            t = Tab(browser.new_page(viewport={"width": 1200, "height": 800}), "no-mic")
            t.page.goto(web_url)
            t.connect()  # the microphone is asked for once the conversation is ready
            t.wait("the refusal said", lambda: t.page.is_visible("#banner"))
            banner = t.page.text_content("#banner") or ""
            assert "Microphone refused" in banner and "still type" in banner, banner
            assert not t.state("micOn")
            t.type("Hello!")
            t.answer()
            assert t.page.is_visible("#banner")  # still said after connecting
            t.shot("typing")
        finally:
            browser.close()


# -- what the server accepts from a page (no browser needed) ------------------------------------


def _token(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        html = response.read().decode()
    found = re.search(r'name="kaiwa-token" content="([^"]+)"', html)
    assert found
    return found.group(1)


def test_only_this_servers_pages_may_connect(web_url: str) -> None:
    ws_url = web_url.replace("http", "ws") + "ws?token="
    origin = web_url.rstrip("/")

    async def refused(url: str, origin: str | None) -> int:
        with pytest.raises(websockets.InvalidStatus) as refusal:
            async with websockets.connect(url, origin=origin):  # type: ignore[arg-type]
                pass
        return int(refusal.value.response.status_code)

    async def main() -> None:
        assert await refused(ws_url + _token(web_url), "http://evil.example") == 403
        assert await refused(ws_url + _token(web_url), None) == 403
        assert await refused(ws_url + "made-up", origin) == 403

    asyncio.run(main())
    # A page served under another name (DNS rebinding) gets no page, hence no token.
    request = urllib.request.Request(web_url, headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refusal:
        urllib.request.urlopen(request)
    assert refusal.value.code == 421
    refusal.value.close()


def test_a_second_socket_for_a_tab_takes_over(web_url: str) -> None:
    url = web_url.replace("http", "ws") + "ws?token=" + _token(web_url)
    origin = web_url.rstrip("/")

    async def hello(ws: Any) -> dict[str, Any]:
        while True:
            frame = await asyncio.wait_for(ws.recv(), 120)
            if isinstance(frame, str) and json.loads(frame)["type"] == "hello":
                return dict(json.loads(frame))

    async def main() -> None:
        async with websockets.connect(url, origin=origin) as first:  # type: ignore[arg-type]
            await hello(first)
            await first.send(json.dumps({"type": "text", "text": "Hello!"}))
            async with websockets.connect(url, origin=origin) as second:  # type: ignore[arg-type]
                resumed = await hello(second)
                assert resumed["resumed"]
                assert any(e["text"] == "Hello!" for e in resumed["entries"] if "text" in e)
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    while True:
                        await asyncio.wait_for(first.recv(), 30)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001
                await second.send(json.dumps({"type": "bye"}))  # the tab leaves
                with pytest.raises(websockets.ConnectionClosed) as ended:
                    while True:
                        await asyncio.wait_for(second.recv(), 30)
                assert ended.value.rcvd is not None and ended.value.rcvd.code == 4000
        with pytest.raises(websockets.InvalidStatus) as refusal:
            async with websockets.connect(url, origin=origin):  # type: ignore[arg-type]
                pass
        assert refusal.value.response.status_code in (403, 410)  # ended, or already reaped

    asyncio.run(main())


def test_bad_messages_get_clear_errors_and_the_page_goes_on(web_url: str) -> None:
    url = web_url.replace("http", "ws") + "ws?token=" + _token(web_url)

    async def main() -> None:
        async with websockets.connect(url, origin=web_url.rstrip("/")) as ws:  # type: ignore[arg-type]

            async def reply(kind: str) -> dict[str, Any]:
                while True:
                    frame = await asyncio.wait_for(ws.recv(), 120)
                    if isinstance(frame, str) and json.loads(frame)["type"] == kind:
                        return dict(json.loads(frame))

            await reply("hello")
            cases = [
                ("not json", "JSON"),
                (json.dumps([1, 2]), "JSON object"),
                (json.dumps({"type": "shout"}), "unknown message type"),
                (json.dumps({"type": "text", "text": "x" * 5000}), "at most 2000"),
                ("x" * 20_000, "at most 16384 bytes"),
                (json.dumps({"type": "approve", "call_id": "call_nope"}), "waits for approval"),
                (
                    json.dumps({"type": "played", "item_id": "i", "content_index": 0, "ms": -5}),
                    "ms",
                ),
                (json.dumps({"type": "language", "language": "fr"}), "en, ja"),
                (b"\x00\x01\x02", "even number of bytes"),
                (b"\x00" * 50_000, "at most 48000 bytes"),
            ]
            for frame, said in cases:
                await ws.send(frame)
                error = await reply("error")
                assert said in error["message"], (frame[:40], error)
            for _ in range(41):  # faster than a person: refused, said so
                await ws.send(json.dumps({"type": "language", "language": "en"}))
            assert "messages a second" in (await reply("error"))["message"]
            for _ in range(12):  # 12 s of audio at once: too fast
                await ws.send(b"\x00" * 48_000)
            errors = [(await reply("error"))["message"]]
            while "real time" not in errors[-1] and len(errors) < 50:  # the flood's come first
                errors.append((await reply("error"))["message"])
            assert "real time" in errors[-1], errors
            await asyncio.sleep(2.5)
            await ws.send(json.dumps({"type": "text", "text": "Hello!"}))
            added = await reply("entry")  # the page still works
            assert added["entry"]["kind"] == "user" and added["entry"]["text"] == "Hello!"

    asyncio.run(main())
