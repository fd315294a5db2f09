"""What an English noun is a kind of, from WordNet, to match the words of tools' descriptions.

A tool's description names its topic in a few words: the airline FAQ agent "Answers
travellers' questions on bags and baggage, seats and wifi." A traveller says "suitcase",
"backpack" or "rucksack" (in Japanese スーツケース, リュック, glossed so through JMdict), and
no word of the description. WordNet, Princeton's lexical database of English, says a suitcase
is a bag ("bag, traveling bag, grip, suitcase") and a kind of baggage, a backpack a kind of
bag: `broader` gives those words, and `kaiwa.engine.topics.kinds_said` lets them name a
handoff when the words said name none.

Only things made (WordNet's noun.artifact: a bag, a chair; not a need, whose kind is a
condition, nor a refund, a payment: words any agent's description may use), only the word's
first sense (WordNet orders senses by how often they are used) and the senses one step up
from it: "capital" is first money, so it says no "seat" (a capital is also
"a seat of government"), "trunk" first a tree's, so it is no baggage; "duffel" is a drawstring
bag, two steps from a bag, so it does not reach "bag" either. Narrow on purpose: a word
matched wrongly sends a request to the wrong agent.

The database is Debian's ``wordnet-base`` (WordNet 3.0, ``/usr/share/wordnet``; the
Princeton licence, free to use and redistribute), which ``scripts/install`` installs; its two
noun files are checked against `INDEX_SHA256` and `DATA_SHA256` once (a stamp in the cache
remembers it). Without them, or if they are not those files, `broader` gives nothing (logged
once) and requests name tools by their own words and JMdict's only, as before this module.
Set ``KAIWA_WORDNET`` to a directory holding those two files (the same bytes: they are
checked) to read them from elsewhere.
"""

from __future__ import annotations

import functools
import logging
import mmap
import os
import re
from pathlib import Path

from . import store

__all__ = ["DATA_SHA256", "INDEX_SHA256", "broader", "wordnet_dir"]

logger = logging.getLogger(__name__)

DEFAULT_DIR = Path("/usr/share/wordnet")
INDEX_SHA256 = "a490d99d93d017bf4822fe2f0ffa51fd73911ce271dc7535fade21f8814b5a04"
"""The sha256 of WordNet 3.0's ``index.noun`` as Debian's ``wordnet-base`` (1:3.0-37) has it."""
DATA_SHA256 = "fea17d2f9656611334eac790e5d69e47645fa180c4aa481fb4cd9b3520754ca2"
"""The sha256 of its ``data.noun``."""
_PINNED = {"index.noun": (INDEX_SHA256, 4_786_655), "data.noun": (DATA_SHA256, 15_300_280)}

_HYPERNYM = "@"
"""A kind of: a suitcase is a kind of baggage. (Not "@i", an instance of: Leeds is a city, but
a traveller flying to Leeds asks nothing of a tool whose description says "city".)"""
_WORD = re.compile(r"[a-z][a-z-]*")


@functools.cache
def wordnet_dir() -> Path | None:
    """The directory of WordNet's noun files, checked once against the pinned sha256s; None
    when they are missing or not those files (logged: how to install them)."""
    root = Path(os.environ.get("KAIWA_WORDNET") or DEFAULT_DIR)
    files = {name: root / name for name in _PINNED}
    if not all(f.is_file() for f in files.values()):
        logger.info(
            "no WordNet in %s: a request names a tool by its own words and JMdict's only "
            "(on Debian: sudo apt-get install wordnet-base)",
            root,
        )
        return None
    try:
        stats = {name: f.stat() for name, f in files.items()}
        key = " ".join(f"{name}:{s.st_size}:{s.st_mtime_ns}" for name, s in stats.items())
        key = f"{INDEX_SHA256} {DATA_SHA256} {root.resolve()} {key}"
        stamp = store.cache_dir() / "wordnet.sha256"
        if stamp.is_file() and stamp.read_bytes().strip() == key.encode():
            return root
        for name, (sha256, size) in _PINNED.items():
            if stats[name].st_size != size or store.file_sha256(files[name]) != sha256:
                logger.warning(
                    "%s is not WordNet 3.0's as Debian's wordnet-base has it (pinned): a "
                    "request names a tool by its own words and JMdict's only (on Debian: "
                    "sudo apt-get install --reinstall wordnet-base)",
                    files[name],
                )
                return None
    except OSError as exc:
        logger.warning("WordNet in %s could not be read (%s): not used", root, exc)
        return None
    temporary = stamp.with_name(f"{stamp.name}.{os.getpid()}")
    try:  # the check is remembered: it is not made again at the next start
        stamp.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(key)
        os.replace(temporary, stamp)
    except OSError as exc:
        logger.info("could not remember WordNet's check in %s (%s)", stamp, exc)
        temporary.unlink(missing_ok=True)
    return root


@functools.cache
def _maps() -> tuple[mmap.mmap, mmap.mmap] | None:
    root = wordnet_dir()
    if root is None:
        return None
    maps = []
    try:
        for name in ("index.noun", "data.noun"):
            with (root / name).open("rb") as f:
                maps.append(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    except (OSError, ValueError) as exc:
        logger.warning("WordNet in %s could not be read (%s): not used", root, exc)
        return None
    return maps[0], maps[1]


def _index_line(index: mmap.mmap, lemma: bytes) -> bytes | None:
    """The line of ``index.noun`` for ``lemma``, by a binary search (the file is sorted by
    lemma; its licence, at the top, is indented by two spaces)."""
    lo, hi = 0, len(index)
    key = lemma + b" "
    while lo < hi:
        mid = (lo + hi) // 2
        start = index.rfind(b"\n", 0, mid) + 1
        end = index.find(b"\n", start)
        end = len(index) if end < 0 else end
        line = index[start:end]
        if line.startswith(b"  ") or line[: len(key)] < key:
            lo = end + 1
        elif line.startswith(key):
            return line
        else:
            hi = start
    return None


_ARTIFACT = "06"
"""WordNet's lexicographer file of things made (noun.artifact): a suitcase, a chair, a bag."""


def _synset(data: mmap.mmap, offset: int) -> tuple[list[str], list[int], bool]:
    """The words of the noun synset at ``offset`` of ``data.noun``, the offsets of the
    synsets it is a kind of, and whether it is a thing made (`_ARTIFACT`)."""
    end = data.find(b"\n", offset)
    fields = data[offset:end].split(b" | ")[0].decode("latin-1").split()
    count = int(fields[3], 16)
    words = [fields[4 + 2 * i] for i in range(count)]
    at = 4 + 2 * count
    pointers = int(fields[at])
    up = [
        int(fields[at + 2 + 4 * i])
        for i in range(pointers)
        if fields[at + 1 + 4 * i] == _HYPERNYM and fields[at + 3 + 4 * i] == "n"
    ]
    return words, up, fields[1] == _ARTIFACT


def _plain(words: list[str]) -> set[str]:
    """Words of one word each, lower-cased ("traveling_bag" and "C._P._Snow" are left out)."""
    return {w.lower() for w in words if _WORD.fullmatch(w.lower())}


@functools.lru_cache(maxsize=8192)
def broader(word: str) -> frozenset[str]:
    """The words of ``word``'s first noun sense and of the senses it is a kind of, when
    that sense is a thing made ("suitcase" -> {"bag", "grip", "suitcase", "baggage",
    "luggage"}; "backpack" -> {..., "rucksack", "bag"}); empty for a word WordNet does not
    have as a noun, for a first sense that is no thing (a need, the weather, a refund:
    their kinds, a condition, a payment, are any agent's words), or without WordNet (see
    the module)."""
    maps = _maps()
    lemma = word.strip().lower().replace(" ", "_")
    if maps is None or not lemma or not lemma.isascii():
        return frozenset()
    index, data = maps
    line = _index_line(index, lemma.encode())
    if line is None:
        return frozenset()
    fields = line.decode("latin-1").split()
    pointer_kinds = int(fields[3])
    offsets = fields[4 + pointer_kinds + 2 :]
    if not offsets:
        return frozenset()
    words, up, made = _synset(data, int(offsets[0]))
    if not made:
        return frozenset()
    found = _plain(words)
    for offset in up:
        kind, _, kind_made = _synset(data, offset)
        if kind_made:
            found |= _plain(kind)
    return frozenset(found)
