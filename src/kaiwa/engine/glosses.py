"""English words for what a Japanese request is about, from JMdict, to match tools' names.

Tools are named in English (``book_table``, ``get_weather``, ``request_refund``); a request in
English names what a tool does by saying a word of its name ("Book me a table.": see
`kaiwa.engine.tool_calls.asks_for_tool`). A Japanese request says 予約, 天気 or 電気. Each of
its nouns (as pyopenjtalk's dictionary cuts and tags them) is looked up in JMdict, the
Japanese-English dictionary (`jamdict-data`, a package; the EDRDG's licence, CC BY-SA 3.0),
and the English words of its first senses' short glosses are what the request is about: 予約
-> reservation, appointment, booking; 天気 -> weather; 電気 -> electricity, light.

The words are matched as English ones are (a word's first four letters), so they name a tool
as loosely as an English request does: "おすすめの本は？" names ``book_table`` through 本,
a book, as "Any good books?" does. And no further than the dictionary's first senses: 返金 is
"repayment" there, which names no ``request_refund``.

Without pyopenjtalk or jamdict-data, a request has no glosses (and a Japanese request names
no tool, as before this module).
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
import threading
from pathlib import Path

from . import store
from .text import tagged_words

__all__ = ["JMDICT_SHA256", "common_word", "english_words", "jmdict_path", "synonyms"]

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
}
"""pyopenjtalk's tags of the words looked up: nouns (予約 of 予約したい, タイマー, 電気), which
say what is asked about; not suffixes, counters or pronouns, nor verbs and adjectives, whose
senses are everything ("変える": to change, to transform, to turn; する: to do, and through
its other entries to print, to steal)."""

MAX_GLOSS_WORDS = 3
"""Glosses of more words are descriptions, not names: すき焼き's "thin slices of beef, cooked
... in a table-top cast-iron pan" is no table."""

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
    sha256 = store.file_sha256(path)
    if size != JMDICT_SIZE or sha256 != JMDICT_SHA256:
        logger.warning(
            "%s is not the pinned JMdict (sha256 %s...): Japanese requests name no tool; "
            "reinstall it with: pip install --force-reinstall jamdict-data==1.5",
            path,
            sha256[:12],
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
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


_KANJI = re.compile(r"[\u3400-\u9fff々]")

_ENTRIES_KANJI = "SELECT idseq FROM Kanji WHERE text = ?"
_ENTRIES_KANA = """
SELECT k.idseq FROM Kana k WHERE k.text = ? AND (
    NOT EXISTS (SELECT 1 FROM Kanji j WHERE j.idseq = k.idseq)
    OR EXISTS (
        SELECT 1 FROM misc m JOIN Sense s ON m.sid = s.ID
        WHERE s.idseq = k.idseq AND m.text = 'word usually written using kana alone'
    )
)"""
"""A word in kana is the entries written so: loanwords (タイマー), and words usually written
in kana (わかる); not every word read so (する is also 刷る, to print, and 擦る)."""


@functools.lru_cache(maxsize=4096)
def glosses(word: str) -> tuple[str, ...]:
    """The English glosses of the first `SENSES` senses of each JMdict entry written
    ``word`` ("天気" -> ("weather", "the elements", "fair weather", ...)); a word in kana,
    of the entries usually written so. Empty without JMdict, or if it cannot be read
    (logged)."""
    db = _connection()
    if db is None or not word:
        return ()
    query = _ENTRIES_KANJI if _KANJI.search(word) else _ENTRIES_KANA
    out: list[str] = []
    try:
        with _lock:
            for (idseq,) in db.execute(query, (word,)).fetchall():
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
    except sqlite3.Error:
        logger.warning("JMdict could not be read for %r", word, exc_info=True)
        return ()
    return tuple(dict.fromkeys(out))


@functools.lru_cache(maxsize=4096)
def common_word(word: str) -> bool | None:
    """Whether ``word``, in lower case, is an English gloss of some JMdict entry as it is
    written ("planet", "red", "kitchen"; not "hokkaido" or "scotland", which JMdict writes
    with a capital): an everyday English word, not a name. None without JMdict."""
    db = _connection()
    if db is None:
        return None
    try:
        with _lock:
            row = db.execute(
                "SELECT 1 FROM SenseGloss WHERE text = ? AND lang = 'eng' LIMIT 1", (word,)
            ).fetchone()
    except sqlite3.Error:
        logger.warning("JMdict could not be read for %r", word, exc_info=True)
        return None
    return row is not None


def content_words(text: str) -> tuple[str, ...]:
    """The nouns of Japanese ``text`` (see `_CONTENT`), as pyopenjtalk's dictionary cuts
    them ("予約したいんですけど" -> ("予約",)); empty without pyopenjtalk."""
    words = []
    for f in tagged_words(text):
        if (f.get("pos"), f.get("pos_group1")) not in _CONTENT:
            continue
        base = str(f.get("orig") or "*")
        words.append(base if base != "*" else str(f.get("string", "")))
    return tuple(dict.fromkeys(w for w in words if w.strip()))


@functools.lru_cache(maxsize=256)
def english_words(text: str) -> frozenset[str]:
    """The English words of the short glosses (`MAX_GLOSS_WORDS`) of Japanese ``text``'s
    nouns, lowercased ("予約したいんですけど" -> {"reservation", "booking", "appointment",
    "advance", "order", ...}); empty without pyopenjtalk or JMdict."""
    words: set[str] = set()
    for word in content_words(text):
        for gloss in glosses(word):
            # not what a parenthesis adds: 予約's "setting (e.g. a timer)" books no timer
            plain = re.findall(r"[a-z]+", re.sub(r"\([^)]*\)", " ", gloss.lower()))
            if len(plain) <= MAX_GLOSS_WORDS:
                words.update(w for w in plain if w not in _STOP)
    return frozenset(words)


SYNONYM_GLOSSES = 3
"""Glosses a sense may have for its words to be taken as synonyms (`synonyms`)."""

_FIRST_SENSES = """
SELECT DISTINCT s.idseq, s.ID FROM SenseGloss g JOIN Sense s ON g.sid = s.ID
WHERE g.text = ? AND g.lang = 'eng'
AND s.ID = (SELECT MIN(f.ID) FROM Sense f WHERE f.idseq = s.idseq)"""


@functools.lru_cache(maxsize=4096)
def synonyms(word: str) -> frozenset[str]:
    """English words that mean what ``word`` (lower case) means, through JMdict: the
    one-word glosses of the first sense of each entry whose first gloss is ``word``, of
    senses with at most `SYNONYM_GLOSSES` glosses ("luggage" -> 荷物 "luggage, baggage,
    package" -> {"baggage", "package"}). Only entries that mean ``word`` first (座 is "seat,
    place": "place" finds no seat), and not broad ones (荷 is "load, baggage, cargo, freight,
    goods": "load the app" is no baggage). Empty without JMdict (or if it cannot be read:
    logged); ``word`` itself is not included."""
    db = _connection()
    if db is None or not word:
        return frozenset()
    out: set[str] = set()
    try:
        with _lock:
            for _idseq, sid in db.execute(_FIRST_SENSES, (word,)).fetchall():
                texts = [
                    text
                    for (text,) in db.execute(
                        "SELECT text FROM SenseGloss WHERE sid = ? AND lang = 'eng' ORDER BY rowid",
                        (sid,),
                    )
                ]
                if texts and texts[0] == word and len(texts) <= SYNONYM_GLOSSES:
                    out.update(t for t in texts if re.fullmatch(r"[a-z][a-z-]*", t))
    except sqlite3.Error:
        logger.warning("JMdict could not be read for %r", word, exc_info=True)
        return frozenset()
    out.discard(word)
    return frozenset(out)
