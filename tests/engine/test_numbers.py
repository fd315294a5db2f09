"""Numbers as people say them (`kaiwa.engine.numbers`)."""

from __future__ import annotations

import pytest

from kaiwa.engine.numbers import said_number


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("17", 17), ("four", 4), ("Zero", 0), ("fourteen", 14), ("ninety", 90),
        ("六二〇", 620), ("十", 10), ("二十三", 23), ("十五", 15), ("零", 0),
    ],
)  # fmt: skip
def test_a_number_said(said: str, number: int) -> None:
    assert said_number(said) == number


@pytest.mark.parametrize("said", ["", "17b", "twenty-three", "百", "十十", "二十三十", "oh"])
def test_not_one_number(said: str) -> None:
    # compounds are read elsewhere (`identifiers._numbers`); "oh" is a digit only in a code
    assert said_number(said) is None
