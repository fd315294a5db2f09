"""``kaiwa chat`` by voice, as a person meets it: a real process, PortAudio, virtual devices.

A recorded question is played into the virtual microphone; the answer the process plays on
the virtual speaker is recorded and recognised back to words; the terminal shows the turn.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from kaiwa.audio.codecs import resample
from tests.speech import error_rate, espeak, words

pytestmark = pytest.mark.timeout(240)


def _wait_for(path: str, text: str, proc: subprocess.Popen[bytes], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path) as f:
            content = f.read()
        if text in content:
            return content
        if proc.poll() is not None:
            raise AssertionError(f"kaiwa chat exited ({proc.returncode}): {content}")
        time.sleep(0.2)
    with open(path) as f:
        raise AssertionError(f"{text!r} did not come; got: {f.read()}")


def _ctrl_c_works() -> None:
    """In the child: Ctrl-C (SIGINT) quits it, even when this run ignores the signal (as a
    shell does for a job started in the background with nohup or &, and its children
    inherit)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_a_spoken_question_is_answered_aloud(pulse: Any, tmp_path: Any) -> None:
    from kaiwa.engine.asr import SpeechRecognizer

    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    env = {**pulse.env, "OPENAI_API_KEY": "", "KAIWA_REALTIME_URL": "", "COLUMNS": "200"}
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kaiwa.cli", "chat", "--turn-detection", "server_vad"],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
            preexec_fn=_ctrl_c_works,
        )
    try:
        _wait_for(str(err), "listening", proc, 120)
        pulse.wait_for_listener()
        with pulse.recording() as recorded:
            pulse.play_into_mic(espeak("What is the capital of France?", 24000))
            _wait_for(str(out), "agent", proc, 60)
            time.sleep(10)  # the answer plays in real time after it is shown
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    shown = out.read_text()
    errors = err.read_text()
    assert "nanobind" not in errors, errors  # native objects freed before exit
    assert code in (0, 130), errors
    assert "Traceback" not in errors, errors
    you = next(line for line in shown.splitlines() if line.startswith("you"))
    agent = next(line for line in shown.splitlines() if line.startswith("agent"))
    assert "capital" in you.lower()
    answer = agent.removeprefix("agent").split("  (")[0].strip()
    assert answer
    speaker = recorded[0]
    voiced = speaker[abs(speaker) > 1e-4]
    heard = SpeechRecognizer().transcribe(resample(voiced, 24000, 16000)).text
    # What the speaker played is the answer shown (all of it, or its start if it was long).
    said = words(answer)[: max(len(words(heard)), 3)]
    assert len(words(heard)) >= 3 and error_rate(said, words(heard)) < 0.5, (answer, heard)


def test_the_voice_quickstart_talks(pulse: Any, tmp_path: Any) -> None:
    """examples/voice.py, the README's quickstart: about ten lines that talk."""
    from pathlib import Path

    from kaiwa.engine.asr import SpeechRecognizer

    example = Path(__file__).resolve().parents[2] / "examples" / "voice.py"
    out = tmp_path / "out.txt"
    env = {**pulse.env, "OPENAI_API_KEY": "", "KAIWA_REALTIME_URL": ""}
    with open(out, "w") as stdout:
        proc = subprocess.Popen(
            [sys.executable, str(example)],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=env,
            preexec_fn=_ctrl_c_works,
        )
    try:
        _wait_for(str(out), "Listening", proc, 120)
        pulse.wait_for_listener()  # the devices open once the engine is primed
        with pulse.recording() as recorded:
            pulse.play_into_mic(espeak("Hello. How are you today?", 24000))
            time.sleep(12)
        proc.send_signal(signal.SIGINT)
        _, errors = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, errors.decode()
    assert b"Traceback" not in errors, errors.decode()
    speaker = recorded[0]
    voiced = speaker[abs(speaker) > 1e-4]
    heard = SpeechRecognizer().transcribe(resample(voiced, 24000, 16000)).text
    assert len(heard.split()) >= 3, heard  # it answered aloud


def test_help_names_the_voice_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kaiwa.cli", "chat", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--text", "--agent", "--language", "--headset", "--interruptions"):
        assert option in result.stdout
