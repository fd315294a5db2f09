"""The model store: chunked weights joined and verified, clear errors, no network."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kaiwa import ModelNotFoundError
from kaiwa.engine import store


def make_parts(root: Path, chunks: list[bytes]) -> store.ChunkedModel:
    parts = []
    for i, chunk in enumerate(chunks, 1):
        pkg = root / f"fakepart{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(chunk)
        parts.append((f"fakepart{i}", f"data/part{i:02d}.bin", f"fake-part{i}==1.0"))
    whole = b"".join(chunks)
    return store.ChunkedModel(
        "fake.gguf", tuple(parts), hashlib.sha256(whole).hexdigest(), len(whole)
    )


@pytest.fixture
def parts_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv("KAIWA_CACHE", str(tmp_path / "cache"))
    for name in [m for m in sys.modules if m.startswith("fakepart")]:
        del sys.modules[name]
    return tmp_path / "site"


def test_parts_are_joined_in_order_once(parts_dir: Path) -> None:
    model = make_parts(parts_dir, [b"abc" * 1000, b"def" * 1000, b"g"])
    path = store.materialize(model, progress=False)
    assert path.read_bytes() == b"abc" * 1000 + b"def" * 1000 + b"g"
    assert path.parent == Path(os.environ["KAIWA_CACHE"])
    mtime = path.stat().st_mtime_ns
    assert store.materialize(model, progress=False).stat().st_mtime_ns == mtime


def test_a_corrupt_part_names_the_packages_to_reinstall(parts_dir: Path) -> None:
    model = make_parts(parts_dir, [b"abc", b"def"])
    (parts_dir / "fakepart2" / "data" / "part02.bin").write_bytes(b"xyz")
    with pytest.raises(ModelNotFoundError, match=r"checksum.*fake-part1==1\.0 fake-part2==1\.0"):
        store.materialize(model, progress=False)
    assert not (Path(os.environ["KAIWA_CACHE"]) / "fake.gguf").exists()


def test_a_missing_part_names_its_package(parts_dir: Path) -> None:
    model = make_parts(parts_dir, [b"abc", b"def"])
    missing = store.ChunkedModel(
        model.filename,
        (*model.parts, ("fakepart_missing", "data/part03.bin", "fake-part3==1.0")),
        model.sha256,
        6,
    )
    with pytest.raises(ModelNotFoundError, match=r"pip install fake-part3==1\.0"):
        store.materialize(missing, progress=False)


def test_packaged_models_are_found() -> None:
    assert (store.whisper_tiny_en() / "model.bin").exists()
    assert store.silero_vad().suffix == ".onnx"
    model, config = store.piper_voice()
    assert model.exists() and config.exists()


NO_NETWORK = textwrap.dedent(
    """
    import socket
    attempts = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(address, tuple) and host not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(address)
            raise OSError("network is off in this test")
        return real_connect(self, address)

    socket.socket.connect = guarded
    import numpy as np
    from kaiwa.engine.vad import SileroVAD, VoiceActivityDetector
    from kaiwa.engine.asr import SpeechRecognizer
    from kaiwa.engine.tts import PiperSynthesizer
    from kaiwa.engine.llm import LocalLLM, ChatMessage
    VoiceActivityDetector(SileroVAD()).push(np.zeros(16000, np.float32))
    tts = PiperSynthesizer()
    audio = np.concatenate(list(tts.synthesize("Hello.")))
    SpeechRecognizer().transcribe(audio[::2].copy())
    list(LocalLLM(n_ctx=512).stream([ChatMessage("user", "Hi")], max_tokens=4))
    assert not attempts, attempts
    print("offline ok")
    """
)


def test_every_stage_loads_and_runs_with_the_network_off() -> None:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "offline ok" in result.stdout
