"""Values put back in the place whose documented example they fit (`kaiwa.engine.shapes`)."""

from __future__ import annotations

import json

import pytest

from kaiwa.engine.chat import ToolCall, ToolSpec
from kaiwa.engine.shapes import example_shape, reshaped, shape

SEAT = ToolSpec(
    "update_seat",
    "Change the seat of a booking.",
    {
        "type": "object",
        "properties": {
            "confirmation_number": {
                "type": "string",
                "description": "the booking's confirmation number.",
            },
            "new_seat": {"type": "string", "description": "the new seat, such as 12A."},
        },
        "required": ["confirmation_number", "new_seat"],
    },
)


def _args(call: ToolCall) -> dict[str, str]:
    return json.loads(call.arguments)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12A", "DL"), ("DFG 441", "LD"), ("7:30", "D:D"), ("B&M246", "L&LD"), ("１２Ａ", "DL")],
)
def test_a_value_s_shape(value: str, expected: str) -> None:
    assert shape(value) == expected


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("the new seat, such as 12A.", "DL"),
        ("the order, e.g. 'AB-1234'", "L-D"),
        ("a time like 7:30", None),  # not a code: times are written many ways
        ("the flight, such as UA123", "LD"),
        ("座席（例: 12A）", "DL"),
        ("the room, such as kitchen or bedroom.", None),  # a word: no shape said
        ("the booking's confirmation number.", None),
    ],
)
def test_the_shape_a_description_shows(description: str, expected: str | None) -> None:
    assert example_shape(description) == expected


@pytest.mark.parametrize(
    ("confirmation", "seat"),
    # spoken, dev half of bench/quality: the recogniser's words, the model's swap
    [("27D", "DFG441"), ("5C", "B&M246")],
)
def test_two_values_in_each_other_s_place_are_swapped(confirmation: str, seat: str) -> None:
    call = ToolCall(
        "update_seat", json.dumps({"confirmation_number": confirmation, "new_seat": seat})
    )
    assert _args(reshaped(call, SEAT)) == {"confirmation_number": seat, "new_seat": confirmation}


@pytest.mark.parametrize(
    ("confirmation", "seat"),
    [
        ("DFG441", "27D"),  # right as it is
        ("14", "KTP800"),  # nothing has the seat's shape
        ("C31B", "CBT0-8-8"),
        ("ABC123", "12"),  # the letter lost: not the other value's
        ("11F", "372"),  # no letter in the seat's place: not a code misplaced
    ],
)
def test_values_are_not_moved_otherwise(confirmation: str, seat: str) -> None:
    call = ToolCall(
        "update_seat", json.dumps({"confirmation_number": confirmation, "new_seat": seat})
    )
    assert reshaped(call, SEAT) is call


def test_a_value_that_fits_its_own_example_stays() -> None:
    tool = ToolSpec(
        "book",
        "",
        {
            "type": "object",
            "properties": {
                "seat": {"type": "string", "description": "such as 12A"},
                "gate": {"type": "string", "description": "such as B12"},
            },
        },
    )
    fits_both_ways = ToolCall("book", json.dumps({"seat": "B12", "gate": "12A"}))
    assert _args(reshaped(fits_both_ways, tool)) == {"seat": "12A", "gate": "B12"}
    one_fits = ToolCall("book", json.dumps({"seat": "B12", "gate": "C7"}))
    assert reshaped(one_fits, tool) is one_fits  # C7 is a gate: the seat is not there


def test_constrained_values_are_not_moved() -> None:
    tool = ToolSpec(
        "t",
        "",
        {
            "type": "object",
            "properties": {
                "seat": {"type": "string", "description": "such as 12A"},
                "cabin": {"type": "string", "enum": ["4B", "economy"]},
            },
        },
    )
    call = ToolCall("t", json.dumps({"seat": "economy", "cabin": "4B"}))
    assert reshaped(call, tool) is call


def test_numbers_times_and_dates_are_not_moved() -> None:
    # (a review's: each was swapped by a first version)
    flight = ToolSpec(
        "check_in",
        "",
        {
            "type": "object",
            "properties": {
                "flight_number": {"type": "string", "description": "such as UA123"},
                "confirmation_code": {"type": "string", "description": "the code"},
                "start": {"type": "string", "description": "e.g. 09:00"},
                "end": {"type": "string", "description": "e.g. 17:30"},
                "phone": {"type": "string", "description": "e.g. 555-123-4567"},
                "date": {"type": "string", "description": "e.g. 2024-05-01"},
            },
        },
    )
    for arguments in (
        {"flight_number": "482", "confirmation_code": "ABC123"},
        {"start": "9am", "end": "10:30"},
        {"phone": "5551234567", "date": "2024-05-01"},
    ):
        call = ToolCall("check_in", json.dumps(arguments))
        assert reshaped(call, flight) is call, arguments
