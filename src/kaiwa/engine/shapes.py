"""Values in the shape a tool's documentation shows: a parameter described as "the new seat,
such as 12A" takes digits, then letters.

A small model given two codes in one request puts each in the other's place as often as not
when the words around them are not the ones it expects ("27D please confirmation DFG 441" ->
``confirmation_number="27D", new_seat="DFG441"``; spoken requests of the dev half of
``bench/quality``, where the recogniser's punctuation and spacing differ from what people
type). When a parameter's description gives an example of a code (letters and digits), a
code of another shape in its place, while the value beside it has that shape, is a swap, and
is put back (`reshaped`). Only codes count: "such as kitchen or bedroom" says nothing of a
word's shape, and numbers, times, dates and phone numbers are written in too many ways
("9am" for a time "e.g. 09:00").
"""

from __future__ import annotations

import re
import unicodedata

from .chat import ToolCall, ToolSpec

__all__ = ["example_shape", "reshaped", "shape"]

_EXAMPLE = re.compile(
    r"(?:\bsuch\s+as|\be\.g\.,?|\bfor\s+(?:example|instance),?|\blike|例えば|例[:：]|例)"
    r"\s*[\"'`“「]?([A-Za-z0-9][A-Za-z0-9:/.-]*[A-Za-z0-9]|[0-9])",
    re.IGNORECASE,
)
"""An example in a parameter's description: "such as 12A", "e.g. 'ABC123'", "例: 12A"."""


def shape(value: str) -> str:
    """The shape of ``value``: each run of letters ``L``, each run of digits ``D``, other
    characters as they are, spaces left out: "12A" -> "DL", "DFG 441" -> "LD", "7:30" ->
    "D:D"."""
    text = unicodedata.normalize("NFKC", value).replace(" ", "")
    out: list[str] = []
    for char in text:
        mark = "D" if char.isdigit() else "L" if char.isalpha() else char
        if not out or out[-1] != mark or mark not in "DL":
            out.append(mark)
    return "".join(out)


def example_shape(description: str) -> str | None:
    """The shape (`shape`) of the first example in a parameter's ``description`` that has
    letters and digits in it (a code: "12A", "UA123"); None without one. Numbers, times,
    dates and phone numbers are left out: "9am" in a time "e.g. 09:00" is a time all the
    same."""
    for match in _EXAMPLE.finditer(description or ""):
        found = shape(match.group(1))
        if "L" in found and "D" in found:
            return found
    return None


def reshaped(call: ToolCall, tool: ToolSpec) -> ToolCall:
    """``call`` with two string values swapped when one is in the place of a parameter whose
    description shows an example of another shape, and the other has that shape (and, if
    its own parameter shows one too, fits it no better than the first would): ``new_seat``
    ("such as 12A") = "DFG441" beside ``confirmation_number`` = "27D" -> the two swapped.
    Values the schema constrains (enum, const, format, pattern) are not moved."""
    arguments = call.parsed_arguments()
    properties = tool.parameters.get("properties", {})
    if arguments is None or not isinstance(properties, dict):
        return call
    movable = {
        key: value
        for key, value in arguments.items()
        if isinstance(value, str)
        and value.strip()
        and isinstance(properties.get(key), dict)
        and properties[key].get("type") == "string"
        and not {"enum", "const", "format", "pattern"} & properties[key].keys()
    }
    shapes = {
        key: found
        for key in movable
        if (found := example_shape(str(properties[key].get("description") or ""))) is not None
    }
    for key, wanted in shapes.items():
        value = movable[key]
        if shape(value) == wanted or not any(c.isalpha() for c in value):
            continue  # (a value without letters is no code misplaced: "482" for a flight)
        for other, candidate in movable.items():
            if other == key or shape(candidate) != wanted:
                continue
            own = shapes.get(other)
            if own is not None and (shape(candidate) == own or shape(value) != own):
                continue
            return call.with_arguments(dict(arguments) | {key: candidate, other: value})
    return call
