"""`written_form`: codes and numbers said a character at a time, written as people write them;
everything that could be a word left alone."""

from __future__ import annotations

import pytest

from kaiwa.engine.chat import ChatMessage
from kaiwa.engine.written import written_form, written_messages


@pytest.mark.parametrize(
    ("said", "written"),
    [
        (
            "twenty seven d please confirmation d f g four four one",
            "27D please confirmation DFG441",
        ),
        ("move me from twenty three b to fourteen c", "move me from 23B to 14C"),
        ("my confirmation is a b c one two three", "my confirmation is ABC123"),
        ("my order is four seven one oh nine.", "my order is 47109."),
        ("is flight u a nine two on time", "is flight UA92 on time"),
        ("I'd like twenty-seven D", "I'd like 27D"),
        ("seat 12 a", "seat 12A"),
        ("call 5 5 5, 1 2 3 4", "call 5551234"),
    ],
)
def test_english_codes_written(said: str, written: str) -> None:
    assert written_form(said) == written


@pytest.mark.parametrize(
    "said",
    [
        "I have a two o'clock meeting",  # "a" is a word, "o" of o'clock no letter
        "at seven a.m. please",
        "seven p m",
        "table for two at seven thirty",
        "turn on bedroom two lights",
        "one two",  # two digits: not a code
        "a b c",  # letters only
        "I need a different seat.",
        "twenty seven",  # a number, not a code
    ],
)
def test_english_words_left_alone(said: str) -> None:
    assert written_form(said) == said


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("あしたのしちじはんによにんでよやくできますか", "あしたの7時半に4人でよやくできますか"),
        ("エアコンを にじゅうろく てん ご どに して", "エアコンを 26.5度に して"),
        ("えっと じゅうろくエーの席って", "えっと 16Aの席って"),
        ("予約番号がエックスワイゼット456です", "予約番号がXYZ456です"),
        ("ろくにーまるはちいちです", "62081です"),
        ("ちゅうもんばんごうはよんななにいちぜろです", "ちゅうもんばんごうは47210です"),
        ("さんにんでおねがいします", "3人でおねがいします"),
        ("ひとりです", "1人です"),
        ("さんじゅうごふんのタイマー", "35分のタイマー"),
        ("ごふんタイマー", "5分タイマー"),
        ("じゅうじに", "10時に"),
        ("せんにひゃくえん", "1200円"),
        ("ろっぴゃくえん", "600円"),
        ("いっぷん", "1分"),
        ("えるえーえっくすの天気ってどうなってます", "LAXの天気ってどうなってます"),
        ("えぬわいしーって今 雨降ってる", "NYCって今 雨降ってる"),
        ("座席を23のエーにお願いします", "座席を23Aにお願いします"),  # a seat: 23のA
        ("にじゅうさんのビー席で", "23B席で"),
        ("にじゅうさんのえーと", "23のえーと"),  # a filler after の, not the letter A
    ],
)
def test_japanese_kana_numbers_written(said: str, written: str) -> None:
    assert written_form(said) == written


@pytest.mark.parametrize(
    "said",
    [
        "田中さんにご連絡ください",  # さん after a name, に and ご: no 325
        "いちばん安いのはどれ",  # "the most", not number one
        "ごかいです",  # 誤解
        "にほんの首都",  # Japan, not two of something
        "ごはんをたべる",
        "さんぽにいく",
        "ありがとうございます",
        "えーと、あの",  # a filler, not the letter A
        "にさんにんで",  # two or three people: which?
        "じゅうじゅう",  # no number
        "きゅうにきた",  # suddenly
        "23のエースが",  # エース is no letter
    ],
)
def test_japanese_words_left_alone(said: str) -> None:
    assert written_form(said) == said


def test_only_the_users_words_are_rewritten() -> None:
    messages = [
        ChatMessage(role="system", content="Seat four four one is free."),
        ChatMessage(role="user", content="twenty seven d please"),
        ChatMessage(role="assistant", content="four four one?"),
    ]
    written = written_messages(messages)
    assert [m.content for m in written] == [
        "Seat four four one is free.",
        "27D please",
        "four four one?",
    ]
