"""The seed program (the reference quickstart, import changed) runs against the test double."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from kaiwa.testing import ScriptedRealtimeServer

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample.py"


def test_seed_program_differs_from_the_reference_only_by_its_import() -> None:
    text = SAMPLE.read_text()
    assert "from kaiwa import RealtimeAgent, RealtimeRunner" in text
    assert "agents" not in text.replace("agents.realtime import", "")


async def run_seed(env: dict[str, str], timeout: float) -> list[str]:
    """Run the seed program; its output lines, checked for what every run must print."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SAMPLE),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out_b, err_b = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode == 0, err_b.decode()
    lines = out_b.decode().splitlines()
    assert lines[0] == "Session started! The model will respond to audio in real time."
    assert "Agent started: Assistant" in lines
    assert "Audio ended" in lines
    assert lines[-1] == "Agent ended: Assistant"
    assert any(line.startswith("Raw model event: RealtimeModelAudioEvent") for line in lines)
    assert not any(line.startswith(("Error", "Unknown event")) for line in lines)
    return lines


async def test_seed_program_prints_the_session_events() -> None:
    async with ScriptedRealtimeServer(api_key="seed-key") as server:
        env = {**os.environ, "OPENAI_API_KEY": "seed-key", "KAIWA_REALTIME_URL": server.url}
        await run_seed(env, 60)
    session = server.received[0]["session"]
    assert session["model"] == "gpt-realtime"
    assert session["audio"]["input"]["turn_detection"]["type"] == "semantic_vad"


async def test_seed_program_runs_with_no_key_on_the_offline_engine() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "KAIWA_REALTIME_URL")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    await run_seed(env, 120)
