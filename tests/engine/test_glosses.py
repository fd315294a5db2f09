"""English words for Japanese requests, from JMdict (the installed jamdict-data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaiwa.engine import glosses, store


def test_a_japanese_request_in_the_english_of_its_words() -> None:
    assert glosses.jmdict_path() is not None  # installed with kaiwa[engine], and checked
    words = glosses.english_words("予約したいんですけど。")
    assert {"reservation", "booking"} <= words
    assert "timer" not in words  # 予約's "setting (e.g. a timer)": a parenthesis, left out
    assert "weather" in glosses.english_words("今日の天気どう？")
    assert glosses.content_words("席を変えたいです。") == ("席",)  # nouns only
    assert "print" not in glosses.english_words("予約する")  # verbs are not read
    # A word in kana is the entries usually written so: する is also 刷る, to print.
    assert "to do" in glosses.glosses("する") and "to print" not in glosses.glosses("する")
    assert "timer" in glosses.glosses("タイマー")
    # a description is no name: すき焼き is cooked "in a table-top cast-iron pan"
    assert "table" not in glosses.english_words("すき焼きの作り方は？")
    assert glosses.english_words("おおきに、ほなまたね") == frozenset()  # nothing looked up


def test_a_dictionary_that_is_not_the_pinned_one_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "jamdict.db"
    fake.write_bytes(b"not JMdict")
    monkeypatch.setattr(store, "package_file", lambda *a, **k: fake)
    monkeypatch.setattr(store, "cache_dir", lambda: tmp_path / "cache")
    glosses.jmdict_path.cache_clear()
    try:
        assert glosses.jmdict_path() is None
        assert not (tmp_path / "cache" / "jmdict.sha256").exists()
    finally:
        glosses.jmdict_path.cache_clear()


def test_the_check_is_remembered_for_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = store.package_file("jamdict_data", "jamdict.db", pip_name="jamdict-data==1.5")
    monkeypatch.setattr(store, "cache_dir", lambda: tmp_path)
    glosses.jmdict_path.cache_clear()
    try:
        assert glosses.jmdict_path() == real
        stamp = (tmp_path / "jmdict.sha256").read_text()
        assert stamp.startswith(glosses.JMDICT_SHA256) and str(real) in stamp
        glosses.jmdict_path.cache_clear()
        with monkeypatch.context() as m:
            m.setattr(glosses.store, "file_sha256", lambda path: pytest.fail("hashed again"))
            assert glosses.jmdict_path() == real  # from the stamp
    finally:
        glosses.jmdict_path.cache_clear()
