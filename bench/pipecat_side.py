"""The Pipecat side of ``bench/vs_pipecat.py``: run by it, in its own venv (``.venv-pipecat``).

A Pipecat pipeline built from kaiwa's models: Silero VAD (Pipecat's bundled copy: it cannot
load kaiwa's v6 file), faster-whisper with kaiwa's tiny.en weights, the same Qwen GGUF behind
``llama_cpp.server`` (OpenAI-compatible), piper with kaiwa's voice. No transport: the audio is
queued as ``InputAudioRawFrame``s at real time, as a microphone would, and pass-through
processors note when each stage's first frame goes by.

Protocol with the parent (one JSON object a line): it reads ``{"config": ...}`` once, then
``{"turn": i}`` per turn; it answers ``{"ready": true}`` once loaded, then per turn
``{"turn": i, "marks": {name: seconds after the end of speech}}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import (
    EndFrame,
    Frame,
    InputAudioRawFrame,
    LLMTextFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    UserStoppedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.openai.llm import OpenAILLMService
from pipecat.services.piper.tts import PiperTTSService
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.transcriptions.language import Language
from pipecat.turns.user_start.vad_user_turn_start_strategy import VADUserTurnStartStrategy
from pipecat.turns.user_stop.speech_timeout_user_turn_stop_strategy import (
    SpeechTimeoutUserTurnStopStrategy,
)
from pipecat.turns.user_turn_strategies import UserTurnStrategies
from pipecat.workers.runner import WorkerRunner

RATE = 16000
CHUNK = 320  # 20 ms at 16 kHz
MARKS: list[tuple[type, str]] = [
    (VADUserStoppedSpeakingFrame, "vad_stopped"),
    (UserStoppedSpeakingFrame, "turn_ended"),
    (TranscriptionFrame, "transcript"),
    (LLMTextFrame, "llm_first_token"),
    (TTSAudioRawFrame, "first_audio"),
]


class Marker(FrameProcessor):
    """Notes when the first frame of each kind in `MARKS` passes (a pass-through)."""

    def __init__(self, marks: dict[str, float]) -> None:
        super().__init__()
        self.marks = marks

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        now = time.perf_counter()
        for kind, name in MARKS:
            if isinstance(frame, kind):
                self.marks.setdefault(name, now)
        await self.push_frame(frame, direction)


class LocalWhisper(WhisperSTTService):
    """Whisper from a local directory, on the same threads as kaiwa's (2), no downloads."""

    def _load(self) -> None:  # type: ignore[override]
        from faster_whisper import WhisperModel

        self._model = WhisperModel(
            self._settings.model,
            device="cpu",
            compute_type="int8",
            cpu_threads=2,
            local_files_only=True,
        )


def send(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main() -> None:
    config = json.loads(sys.stdin.readline())["config"]
    clips = np.load(config["clips"], allow_pickle=False)  # (n, samples) float32, padded
    ends = config["speech_end_samples"]
    lengths = config["lengths"]
    marks: dict[str, float] = {}

    stt = LocalWhisper(
        settings=WhisperSTTService.Settings(model=config["whisper_dir"], language=Language.EN),
        device="cpu",
        compute_type="int8",
    )
    llm = OpenAILLMService(
        base_url=config["llm_url"],
        api_key="none",
        settings=OpenAILLMService.Settings(model="qwen", temperature=0.3, max_tokens=60),
    )
    tts = PiperTTSService(
        download_dir=Path(config["voice_dir"]),
        settings=PiperTTSService.Settings(voice=config["voice"]),
    )
    context = LLMContext([{"role": "system", "content": config["instructions"]}])
    if config.get("turn") == "model":
        # Pipecat's default: the VAD stops after 200 ms of silence, then Smart Turn v3 (the
        # ONNX model bundled in the wheel) judges whether the turn is complete.
        from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
        from pipecat.turns.user_stop import TurnAnalyzerUserTurnStopStrategy

        stop_secs = 0.2
        stop: list[Any] = [
            TurnAnalyzerUserTurnStopStrategy(turn_analyzer=LocalSmartTurnAnalyzerV3())
        ]
    else:
        stop_secs = 0.5
        stop = [SpeechTimeoutUserTurnStopStrategy(user_speech_timeout=0.0)]
    aggregators = LLMContextAggregatorPair(
        context,
        user_params=LLMUserAggregatorParams(
            vad_analyzer=SileroVADAnalyzer(params=VADParams(confidence=0.5, stop_secs=stop_secs)),
            user_turn_strategies=UserTurnStrategies(start=[VADUserTurnStartStrategy()], stop=stop),
        ),
    )
    pipeline = Pipeline(
        [
            Marker(marks),
            stt,
            Marker(marks),
            aggregators.user(),
            llm,
            Marker(marks),
            tts,
            Marker(marks),
            aggregators.assistant(),
        ]
    )
    worker = PipelineWorker(
        pipeline,
        cancel_on_idle_timeout=False,
        params=PipelineParams(audio_in_sample_rate=RATE, audio_out_sample_rate=24000),
    )
    started = asyncio.Event()

    @worker.event_handler("on_pipeline_started")
    async def _started(worker: Any, frame: Any) -> None:
        started.set()

    async def drive() -> None:
        await started.wait()
        send({"ready": True})
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            turn = json.loads(line)["turn"]
            clip = clips[turn % len(clips)][: lengths[turn % len(clips)]]
            end = ends[turn % len(clips)]
            pcm = (np.clip(clip, -1, 1) * 32767).astype("<i2")
            marks.clear()
            eos = None
            t0 = time.perf_counter()
            for i in range(0, pcm.size, CHUNK):  # all of it, even if an answer came early
                await asyncio.sleep(max(0.0, t0 + i / RATE - time.perf_counter()))
                frame = InputAudioRawFrame(pcm[i : i + CHUNK].tobytes(), RATE, 1)
                await worker.queue_frame(frame)
                if eos is None and i + CHUNK >= end:
                    eos = time.perf_counter()  # the chunk holding the last of the speech
            cut_off = "first_audio" in marks  # a turn ended in a pause and was answered
            if cut_off:
                marks.clear()  # what is measured is the answer to the rest
            silence = np.zeros(CHUNK, "<i2").tobytes()
            deadline = time.perf_counter() + 30
            while "first_audio" not in marks and time.perf_counter() < deadline:
                await worker.queue_frame(InputAudioRawFrame(silence, RATE, 1))
                await asyncio.sleep(CHUNK / RATE)
            assert eos is not None
            measured = {k: v - eos for k, v in marks.items()}
            if cut_off:
                measured["cut_off"] = 1.0
            send({"turn": turn, "marks": measured})
            # Let the answer finish (it is not measured) before the next turn.
            await asyncio.sleep(config.get("settle_s", 6.0))
        await worker.queue_frame(EndFrame())

    runner = WorkerRunner()
    await runner.add_workers(worker)
    await asyncio.gather(runner.run(), drive())


if __name__ == "__main__":
    asyncio.run(main())
