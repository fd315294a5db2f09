"""English words for what a Japanese request is about, from JMdict, to match tools' names.

Tools are named in English (``book_table``, ``get_weather``, ``request_refund``); a request in
English names what a tool does by saying a word of its name ("Book me a table.": see
`kaiwa.engine.tool_calls.asks_for_tool`). A Japanese request says 予約, 天気 or 返金. Each of
its content words (nouns, verbs and adjectives, as pyopenjtalk's dictionary cuts and tags
them, in their dictionary form) is looked up in JMdict, the Japanese-English dictionary
(`jamdict-data`, a package; EDRDG licence), and the English words of its first senses are what
the request is about: 予約 -> reservation, appointment, booking; 天気 -> weather; 電気 ->
electricity, light.

Without pyopenjtalk or jamdict-data, a request has no glosses (and a Japanese request names
no tool, as before this module).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import sqlite3
import threading
from pathlib import Path

from . import store

__all__ = ["JMDICT_SHA256", "english_words", "jmdict_path"]

logger = logging.getLogger(__name__)

JMDICT_SHA256 = "871fb170e94088f1b6edbf7cf1646c1bf5dc487212846f42b1b6051024b3e7a0"
"""The sha256 of ``jamdict_data/jamdict.db`` as ``jamdict-data==1.5`` installs it (JMdict,
KANJIDIC2 and JMnedict of 2021-04-17)."""
JMDICT_SIZE = 325390336

SENSES = 3
"""Senses read per entry: later ones stray from the word ("注文" is first an order, then a
request, a condition, an annotation)."""

_CONTENT = {
    ("名詞", "一般"),
    ("名詞", "サ変接続"),
    ("名詞", "形容動詞語幹"),
    ("名詞", "固有名詞"),
    ("動詞", "自立"),
    ("形容詞", "自立"),
}
"""pyopenjtalk's tags of the words looked up: not suffixes, counters, pronouns or the verbs
that only carry grammar (する of 予約する is looked up as a 自立 verb; its senses, "to do",
"to make", name no tool)."""

_STOP = set(
    "a an the to of in on at by for from with as or and be is e g esp etc one some someone "
    "something oneself thing things"
    .split()
)  # fmt: skip

_lock = threading.Lock()


@functools.cache
def jmdict_path() -> Path | None:
    """The JMdict database of the installed ``jamdict-data``, checked once against
    `JMDICT_SHA256` (a stamp in the cache remembers it); None when the package is missing or
    the file is not the one pinned (logged)."""
    try:
        path = store.package_file("jamdict_data", "jamdict.db", pip_name="jamdict-data==1.5")
    except Exception as exc:  # ModelNotFoundError: not installed
        logger.info("no JMdict (%s): Japanese requests name no tool", exc)
        return None
    size = path.stat().st_size
    stamp = store.cache_dir() / "jmdict.sha256"
    key = f"{JMDICT_SHA256} {path} {size} {path.stat().st_mtime_ns}"
    if stamp.exists() and stamp.read_text().strip() == key:
        return path
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(8 * 2**20):
            digest.update(chunk)
    if size != JMDICT_SIZE or digest.hexdigest() != JMDICT_SHA256:
        logger.warning(
            "%s is not the pinned JMdict (sha256 %s...): Japanese requests name no tool; "
            "reinstall it with: pip install --force-reinstall jamdict-data==1.5",
            path,
            digest.hexdigest()[:12],
        )
        return None
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(key)
    return path


@functools.cache
def _connection() -> sqlite3.Connection | None:
    path = jmdict_path()
    if path is None:
        return None
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)


@functools.lru_cache(maxsize=4096)
def glosses(word: str) -> tuple[str, ...]:
    """The English glosses of the first `SENSES` senses of each JMdict entry written
    ``word`` (in kanji or in kana): "天気" -> ("weather", "the elements", "fair weather",
    ...)."""
    db = _connection()
    if db is None or not word:
        return ()
    with _lock:
        entries = db.execute(
            "SELECT idseq FROM Kanji WHERE text = ? UNION SELECT idseq FROM Kana WHERE text = ?",
            (word, word),
        ).fetchall()
        out: list[str] = []
        for (idseq,) in entries:
            senses = db.execute(
                "SELECT ID FROM Sense WHERE idseq = ? ORDER BY ID LIMIT ?", (idseq, SENSES)
            ).fetchall()
            for (sid,) in senses:
                out += [
                    text
                    for (text,) in db.execute(
                        "SELECT text FROM SenseGloss WHERE sid = ? AND lang = 'eng'", (sid,)
                    )
                ]
    return tuple(dict.fromkeys(out))


def content_words(text: str) -> tuple[str, ...]:
    """The content words of Japanese ``text`` in their dictionary form, as pyopenjtalk's
    dictionary cuts them ("予約したいんですけど" -> ("予約", "する")); empty without
    pyopenjtalk."""
    try:
        import pyopenjtalk
    except ImportError:
        return ()
    try:
        # vanilla: no post-processing (some of it needs sudachidict, which is not installed)
        features = pyopenjtalk.run_frontend(text, use_vanilla=True)
    except Exception:  # a dictionary problem: no words rather than no answer
        logger.warning("pyopenjtalk could not read %r", text, exc_info=True)
        return ()
    words = []
    for f in features:
        if (f.get("pos"), f.get("pos_group1")) not in _CONTENT:
            continue
        base = str(f.get("orig") or "*")
        words.append(base if base != "*" else str(f.get("string", "")))
    return tuple(dict.fromkeys(w for w in words if w.strip()))


@functools.lru_cache(maxsize=256)
def english_words(text: str) -> frozenset[str]:
    """The English words of the glosses of Japanese ``text``'s content words, lowercased
    ("予約したいんですけど" -> {"reservation", "booking", "appointment", "do", ...}); empty
    without pyopenjtalk or JMdict."""
    words: set[str] = set()
    for word in content_words(text):
        for gloss in glosses(word):
            # not what a parenthesis adds: 予約's "setting (e.g. a timer)" books no timer
            plain = re.sub(r"\([^)]*\)", " ", gloss.lower())
            words.update(w for w in re.findall(r"[a-z]+", plain) if w not in _STOP)
    return frozenset(words)
