"""Virtual sound devices for tests: a private PulseAudio server with two null sinks.

``spk`` is the speaker (what kaiwa plays can be recorded from ``spk.monitor``); ``mic`` is
where tests play the user's voice (kaiwa records ``mic.monitor``, the default source).
PortAudio reaches them through ALSA's pulse plugin, as on a desktop. scripts/install adds
the Debian packages (pulseaudio, pulseaudio-utils, libasound2-plugins).

A null sink renders ahead by its idle latency (2 s) when a stream starts; a low-latency
stream kept open on each sink (silence into ``mic``, the recorder on ``spk.monitor``) keeps
them at low latency, as real hardware would be.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kaiwa.audio.codecs import float_to_pcm16, pcm16_to_float

RATE = 24000


@dataclass
class Pulse:
    """A running private PulseAudio server (see the module docstring)."""

    directory: Path
    env: dict[str, str]
    _streams: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def play_into_mic(self, audio: np.ndarray, rate: int = RATE) -> float:
        """Play float ``audio`` into the microphone; returns its duration in seconds."""
        path = self.directory / f"say-{time.monotonic_ns()}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(float_to_pcm16(audio))
        subprocess.run(
            ["paplay", "--device=mic", "--latency-msec=10", str(path)],
            env=self.env,
            check=True,
            timeout=120,
        )
        return audio.size / rate

    def wait_for_listener(self, timeout: float = 120.0) -> None:
        """Wait until some program records the microphone (kaiwa has opened its devices)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = subprocess.run(
                ["pactl", "list", "short", "source-outputs"],
                env=self.env,
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if found.strip():
                return
            time.sleep(0.2)
        raise AssertionError("nothing opened the microphone")

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[np.ndarray]]:
        """Record the speaker while inside; the list gets the audio (24 kHz) at the end."""
        path = self.directory / f"rec-{time.monotonic_ns()}.wav"
        proc = subprocess.Popen(
            [
                "parecord",
                "--device=spk.monitor",
                "--latency-msec=10",
                f"--rate={RATE}",
                "--channels=1",
                "--file-format=wav",
                str(path),
            ],
            env=self.env,
        )
        out: list[np.ndarray] = []
        try:
            time.sleep(0.3)
            yield out
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            with wave.open(str(path), "rb") as w:
                out.append(pcm16_to_float(w.readframes(w.getnframes())))


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"{name} is missing: the test command installs it (scripts/install test adds "
            "pulseaudio, pulseaudio-utils and libasound2-plugins)"
        )
    return path


def _wait_until_the_microphone_flows(env: dict[str, str], timeout: float = 30.0) -> None:
    """Wait until ``mic.monitor`` delivers audio as it is played.

    Right after the server starts, the ``mic`` sink renders its first 2 s ahead and its monitor
    delivers nothing meanwhile (measured: a recorder's first audio came 1.7-2.0 s after it
    opened, and a voice played then was cut at its start). A recorder that gets 100 ms of
    audio within 300 ms of opening means the sink is running in real time.
    """
    deadline = time.monotonic() + timeout
    wanted = RATE // 10 * 2  # 100 ms of 16-bit mono
    while time.monotonic() < deadline:
        opened = time.monotonic()
        rec = subprocess.Popen(
            ["parec", "--device=mic.monitor", "--latency-msec=10", f"--rate={RATE}",
             "--channels=1", "--format=s16le", "--raw"],
            env=env,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        try:
            assert rec.stdout is not None
            got = 0
            while got < wanted and time.monotonic() < deadline:
                ready, _, _ = select.select([rec.stdout], [], [], 1.0)
                if not ready:
                    continue
                chunk = rec.stdout.read1(wanted - got)
                if not chunk:
                    break
                got += len(chunk)
        finally:
            rec.kill()
            rec.wait()
            if rec.stdout is not None:
                rec.stdout.close()
        if got >= wanted and time.monotonic() - opened < 0.3:
            return
    raise RuntimeError("the virtual microphone never delivered audio in real time")


@contextlib.contextmanager
def pulse_server() -> Iterator[Pulse]:
    """Start a private PulseAudio server; stop it and its streams at the end."""
    directory = Path(tempfile.mkdtemp(prefix="kaiwa-pulse-"))
    socket = directory / "native"
    env = {
        **os.environ,
        "PULSE_SERVER": f"unix:{socket}",
        "XDG_RUNTIME_DIR": str(directory),
        "HOME": str(directory),
    }
    daemon = subprocess.Popen(
        [
            _tool("pulseaudio"),
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
            "--load=module-null-sink sink_name=spk",
            "--load=module-null-sink sink_name=mic",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pulse = Pulse(directory, env)
    try:
        for _ in range(100):
            ok = subprocess.run([_tool("pactl"), "info"], env=env, capture_output=True, check=False)
            if ok.returncode == 0:
                break
            if daemon.poll() is not None:
                raise RuntimeError("pulseaudio exited at start")
            time.sleep(0.1)
        else:
            raise RuntimeError("pulseaudio did not start")
        subprocess.run(["pactl", "set-default-sink", "spk"], env=env, check=True)
        subprocess.run(["pactl", "set-default-source", "mic.monitor"], env=env, check=True)
        keep = [
            "pacat", "-p", "--device=mic", "--latency-msec=10", f"--rate={RATE}",
            "--channels=1", "--format=s16le", "/dev/zero",
        ]  # fmt: skip
        pulse._streams.append(subprocess.Popen(keep, env=env))
        _wait_until_the_microphone_flows(env)
        yield pulse
    finally:
        for proc in pulse._streams:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        daemon.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            daemon.wait(timeout=10)
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(directory, ignore_errors=True)
