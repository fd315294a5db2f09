"""Cutting streamed text into clauses, so speech can start after the first one."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = ["JAPANESE_CONTENT", "ClauseSplitter", "folded", "is_japanese", "outside"]

_SENTENCE_END = re.compile(r"[.!?。！？](?:[\"')\]」』]*)(?=\s|$)|[。！？]")
_CLAUSE_END = re.compile(r"[,;:、—–](?=\s|$)|[、]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
JAPANESE_CONTENT = re.compile("[\u4e00-\u9fff\u30a1-\u30fa\u30fc]{2,}")
"""A run of two kanji or katakana or more: what Japanese words are about (天気, パリ)."""
# Where a Japanese first piece may end when no 、 or 。 has come: after a particle that follows
# a noun (kanji, katakana, letters or digits: "東京の天気は|晴れです"), and not where a
# second particle follows ("日本では": not after で).
_JA_PHRASE_END = re.compile(
    r"(?<=[\u30a0-\u30ff\u4e00-\u9fffA-Za-z0-9０-９])"
    r"(?:[はをへも]|が(?![らりるれろっ])|に(?![つとよお])|で(?![すしきご]))"
    r"(?=[^はがをにでへもの、。！？])"
)  # not a verb's kana (上がる, について, です, できる, でございます)
_JA_FIRST_MIN = 4  # characters a first piece cut at a particle has at least


def is_japanese(text: str) -> bool:
    """Whether ``text`` contains kana or kanji."""
    return bool(_JAPANESE.search(text))


def outside(text: str, matches: Iterable[re.Match[str]], sep: str = "") -> str:
    """``text`` without what ``matches`` (found in it, in order) cover, the pieces left
    joined by ``sep``."""
    pieces, at = [], 0
    for m in matches:
        pieces.append(text[at : m.start()])
        at = m.end()
    pieces.append(text[at:])
    return sep.join(pieces)


class ClauseSplitter:
    """Feed text as it streams; get back pieces worth speaking on their own.

    A piece ends at a sentence end, or at a comma-like break once it has ``min_clause`` or more
    characters (short fragments sound choppy when synthesised alone). The first piece may be
    shorter, because the first audio should come as early as possible: it also ends after
    ``first_words`` words when no break has come by then.
    """

    def __init__(self, min_clause: int = 24, min_first: int = 8, first_words: int = 3) -> None:
        self._buffer = ""
        self._min_clause = min_clause
        self._min_first = min_first
        self._first_words = first_words
        self._emitted = 0

    def push(self, text: str) -> list[str]:
        """Add streamed text; return complete pieces."""
        self._buffer += text
        pieces: list[str] = []
        while True:
            cut = self._find_cut()
            if cut is None:
                return pieces
            piece, self._buffer = self._buffer[:cut].strip(), self._buffer[cut:]
            if piece:
                pieces.append(piece)
                self._emitted += 1

    def flush(self) -> list[str]:
        """The rest, at the end of the stream."""
        piece, self._buffer = self._buffer.strip(), ""
        return [piece] if piece else []

    def _find_cut(self) -> int | None:
        minimum = self._min_first if self._emitted == 0 else self._min_clause
        for match in _SENTENCE_END.finditer(self._buffer):
            if match.end() >= min(minimum, 2):
                return match.end()
        for match in _CLAUSE_END.finditer(self._buffer):
            if match.end() >= minimum:
                return match.end()
        if self._emitted == 0 and self._first_words and is_japanese(self._buffer):
            # The same in Japanese, which has no spaces: after the first phrase that ends in a
            # particle. Kokoro's time grows with the length of what it says (~0.2 s, plus
            # ~0.25 s per second of speech), and it starts nothing before the whole piece.
            for match in _JA_PHRASE_END.finditer(self._buffer):
                if len(self._buffer[: match.end()].strip()) >= _JA_FIRST_MIN:
                    return match.end()
        if self._emitted == 0 and self._first_words:
            # No break yet: the first audio should not wait for a long sentence. Cut after a
            # few words (at a space that is followed by more text, so no word is split).
            spaces = [m.start() for m in re.finditer(r"\s+(?=\S)", self._buffer.lstrip())]
            if len(spaces) >= self._first_words:
                lead = len(self._buffer) - len(self._buffer.lstrip())
                return lead + spaces[self._first_words - 1]
        return None


_KANA_ROMAJI = {
    **dict(zip("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨ", [
        "a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so",
        "ta", "chi", "tsu", "te", "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he",
        "ho", "ma", "mi", "mu", "me", "mo", "ya", "yu", "yo"], strict=True)),
    **dict(zip("ラリルレロワヲンガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ", [
        "ra", "ri", "ru", "re", "ro", "wa", "o", "n", "ga", "gi", "gu", "ge", "go", "za", "ji",
        "zu", "ze", "zo", "da", "ji", "zu", "de", "do", "ba", "bi", "bu", "be", "bo", "pa",
        "pi", "pu", "pe", "po", "vu"], strict=True)),
    **dict(zip("ァィゥェォャュョ", ["a", "i", "u", "e", "o", "ya", "yu", "yo"], strict=True)),
}  # fmt: skip


@functools.lru_cache(maxsize=256)  # a conversation's text is read again for each value
def romaji(text: str) -> str:
    """Japanese ``text`` read aloud (by pyopenjtalk) and written in plain Latin letters, long
    vowels shortened, as names are in English ("東京" -> "tokyo", "札幌" -> "sapporo",
    "神戸" -> "kobe"). Empty when pyopenjtalk is not installed."""
    try:
        import pyopenjtalk
    except ImportError:
        return ""
    # vanilla: no post-processing (some of it needs sudachidict, which is not installed)
    kana = pyopenjtalk.g2p(text, kana=True, use_vanilla=True)
    kana = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in kana)
    out: list[str] = []
    double = False
    for c in kana:
        if c == "ッ":
            double = True
            continue
        sound = _KANA_ROMAJI.get(c)
        if sound is None:
            out.append(" " if c != "ー" else "")
            double = False
            continue
        if c in "ャュョ" and out and len(out[-1]) >= 2 and out[-1].endswith("i"):
            # キャ -> kya, シャ -> sha, チョ -> cho
            stem = out.pop()[:-1]
            sound = stem + sound[1:] if stem in ("sh", "ch", "j") else stem + sound
        elif c in "ィェォ" and out and out[-1] == "u":
            sound = "w" + sound  # ウィ -> wi (キウィ "kiwi"), ウェ -> we, ウォ -> wo
            out.pop()
        elif c in "ァィゥェォ" and out and out[-1][-1:] in "aiueo":
            sound = out.pop()[:-1] + sound  # ファ -> fa, ティ -> ti
        if double:
            sound = sound[0] + sound
            double = False
        out.append(sound)
    return short_vowels("".join(out))


@functools.lru_cache(maxsize=256)
def tagged_words(text: str) -> tuple[Mapping[str, object], ...]:
    """Japanese ``text`` cut into words by pyopenjtalk's dictionary, each with its tags
    (``pos``, ``pos_group1``...), its form (``string``) and dictionary form (``orig``); empty
    when pyopenjtalk is not installed or cannot read it (logged). The same request is read
    for its places (`place_names`) and its nouns' glosses: once."""
    try:
        import pyopenjtalk
    except ImportError:
        return ()
    # vanilla: no post-processing (some of it needs sudachidict, which is not installed)
    try:
        return tuple(pyopenjtalk.run_frontend(text, use_vanilla=True))
    except Exception:  # a dictionary problem: no words rather than no answer
        logging.getLogger(__name__).warning("pyopenjtalk could not read %r", text, exc_info=True)
        return ()


def _tagged(text: str, *groups: str) -> tuple[str, ...]:
    """The nouns of ``text`` whose pyopenjtalk tags after 名詞 start with ``groups``, each
    once, in order."""
    names = [
        str(w["string"])
        for w in tagged_words(text)
        if w.get("pos") == "名詞"
        and tuple(w.get(f"pos_group{i}") for i in range(1, len(groups) + 1)) == groups
    ]
    return tuple(dict.fromkeys(n for n in names if n.strip()))


@functools.lru_cache(maxsize=256)
def place_names(text: str) -> tuple[str, ...]:
    """The names of places in Japanese ``text``, as pyopenjtalk's dictionary tags them
    (固有名詞, 地域: "あさって那覇に着くんだけど" -> ``("那覇",)``, "新宿駅で田中さんに" ->
    ``("新宿",)``: not 田中, a person), each once; empty when pyopenjtalk is not installed."""
    return _tagged(text, "固有名詞", "地域")


@functools.lru_cache(maxsize=256)
def proper_nouns(text: str) -> tuple[str, ...]:
    """The proper nouns of Japanese ``text`` as pyopenjtalk's dictionary tags them (固有名詞:
    places, people, mountains: 富士山; not 虹), each once; empty without pyopenjtalk."""
    return _tagged(text, "固有名詞")


def short_vowels(text: str) -> str:
    """Long vowels as English writes names: "toukyou" -> "tokyo", "oosaka" -> "osaka"."""
    return re.sub(r"ou|oo|uu|ee|aa|ii", lambda m: m.group()[0], text)


def folded(text: str) -> str:
    """``text`` as compared loosely: NFKC, lower case, letters and digits only ("Ｗｉ-Ｆｉ!"
    -> "wifi")."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())
