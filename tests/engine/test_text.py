"""Clause splitting of streamed text."""

from __future__ import annotations

import pytest

from kaiwa.engine.text import ClauseSplitter, is_japanese, place_names, romaji


def feed(splitter: ClauseSplitter, text: str, step: int = 3) -> list[str]:
    pieces = []
    for i in range(0, len(text), step):
        pieces += splitter.push(text[i : i + step])
    return pieces + splitter.flush()


def test_sentences_come_out_as_soon_as_they_end() -> None:
    s = ClauseSplitter()
    assert s.push("Sure thing.") == ["Sure thing."]
    assert s.push(" The weather is") == []
    assert s.push(" sunny today. Bye") == ["The weather is sunny today."]
    assert s.flush() == ["Bye"]


def test_first_clause_may_end_at_a_comma() -> None:
    text = "In Kyoto, it is sunny, with a high of twenty degrees."
    pieces = feed(ClauseSplitter(first_words=0), text)
    assert pieces[:2] == ["In Kyoto,", "it is sunny, with a high of twenty degrees."]
    assert " ".join(pieces) == text


def test_a_long_first_sentence_is_cut_after_a_few_words() -> None:
    pieces = feed(ClauseSplitter(first_words=4), "Paris is the capital of France and a city.")
    assert pieces == ["Paris is the capital", "of France and a city."]


def test_numbers_and_abbreviations_are_not_cut() -> None:
    pieces = feed(ClauseSplitter(first_words=0), "It costs 3.50 dollars today.")
    assert pieces == ["It costs 3.50 dollars today."]


def test_japanese_punctuation() -> None:
    pieces = feed(ClauseSplitter(min_first=2), "こんにちは。今日は晴れです。")
    assert pieces == ["こんにちは。", "今日は晴れです。"]
    assert is_japanese("今日は") and not is_japanese("hello")


def test_a_long_japanese_first_sentence_is_cut_after_its_first_phrase() -> None:
    # No 、 or 。 yet: the first piece ends after a particle that follows a noun, so Kokoro
    # (which starts nothing before the whole piece) speaks a few characters first.
    assert feed(ClauseSplitter(), "東京の天気は晴れで、気温は二十度です。") == [
        "東京の天気は",
        "晴れで、気温は二十度です。",
    ]
    assert feed(ClauseSplitter(), "日本では富士山が一番高い山です。")[0] == "日本では富士山が"
    # Not in a verb's kana, not in です (fed a character at a time, so that the sentence's end
    # does not come in the same push), and only in the first piece.
    for text in ("こんにちは、元気です。", "気温が下がります。", "富士山について話します。"):
        assert feed(ClauseSplitter(), text, step=1) == [text]
    assert feed(ClauseSplitter(), "元気でした。東京の天気は晴れです。", step=1) == [
        "元気でした。",
        "東京の天気は晴れです。",
    ]


def test_places_named_in_japanese_are_found_and_people_are_not() -> None:
    assert place_names("あさって那覇に着くんだけど、半袖で平気かな？") == ("那覇",)
    assert place_names("シアトルの天気を教えてください。") == ("シアトル",)
    assert place_names("新宿駅で田中さんに会う予定です") == ("新宿",)  # not 田中, a person
    assert place_names("キッチンの電気をつけて") == ()


@pytest.mark.parametrize(
    ("said", "letters"),
    [
        ("東京", "tokyo"),
        ("札幌", "sapporo"),
        ("ファミリー", "famiri"),
        ("ウィーン", "win"),  # (names are compared with ウィ and ウイ alike: `_folded`)
        ("ウイーン", "uin"),
        ("キウィ", "kiwi"),
        ("ウォッカ", "wokka"),
        ("注意", "chui"),
        ("上野", "ueno"),
    ],
)
def test_japanese_is_read_in_plain_letters(said: str, letters: str) -> None:
    assert romaji(said) == letters
