"""Engine tests use the real packaged models, each loaded once for the whole run."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def vad_model() -> Any:
    from kaiwa.engine.vad import SileroVAD

    return SileroVAD()


@pytest.fixture(scope="session")
def asr() -> Any:
    from kaiwa.engine.asr import SpeechRecognizer

    return SpeechRecognizer()


@pytest.fixture(scope="session")
def tts() -> Any:
    from tests.speech import _piper

    return _piper()


@pytest.fixture(scope="session")
def llm() -> Any:
    from kaiwa.engine.llm import LocalLLM

    return LocalLLM()
