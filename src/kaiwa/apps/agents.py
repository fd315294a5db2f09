"""The agents the apps run: the user's own (``--agent module:attribute``) or the default one."""

from __future__ import annotations

import datetime
import importlib
import os
import sys
from typing import Any

from ..agent import RealtimeAgent
from ..exceptions import UserError
from ..tool import function_tool

__all__ = ["default_agent", "load_agent", "now_in_english", "now_in_japanese"]

LANGUAGE_NAMES = {"en": "English", "ja": "Japanese"}


@function_tool
def get_current_time() -> str:
    """Get the current local date and time."""
    return now_in_english(datetime.datetime.now())


@function_tool(name_override="get_current_time")
def get_current_time_ja() -> str:
    """Get the current local date and time."""
    return now_in_japanese(datetime.datetime.now())


def now_in_english(now: datetime.datetime) -> str:
    """``now`` as people say it ("4:49 PM on Monday, 7 December 2026", not the strftime
    "Monday 07 December 2026, 16:49"): the English assistant's clock, read out by the
    model, or spoken as it is when the model's readings of it are refused."""
    hour, half = now.hour % 12 or 12, "AM" if now.hour < 12 else "PM"
    return f"{hour}:{now.minute:02d} {half} on {now:%A}, {now.day} {now:%B} {now.year}"


def now_in_japanese(now: datetime.datetime) -> str:
    """``now`` as Japanese writes it ("2026年12月5日（土曜日）12時44分"): the clock of the
    Japanese assistant, whose small model reads it out as it is, where it put an English one
    into Japanese wrongly ("Saturday 05 December 2026, 12:44" -> "午後4時です")."""
    day = "月火水木金土日"[now.weekday()]
    return f"{now.year}年{now.month}月{now.day}日（{day}曜日）{now.hour}時{now.minute}分"


def default_agent(language: str = "en", instructions: str | None = None) -> RealtimeAgent[Any]:
    """A brief, friendly assistant that can tell the time; it answers in ``language``."""
    text = instructions or (
        "You are a friendly voice assistant. Answer in one or two short sentences, in plain "
        "spoken language without lists or markdown. Use get_current_time when asked about "
        "the time or the date."
    )
    if language != "en":
        text += f" Always answer in {LANGUAGE_NAMES.get(language, language)}."
    clock = get_current_time_ja if language == "ja" else get_current_time
    return RealtimeAgent(name="Assistant", instructions=text, tools=[clock])


def load_agent(spec: str) -> RealtimeAgent[Any]:
    """The agent ``spec`` names: ``module:attribute`` (or ``path/to/file.py:attribute``),
    where the attribute is a `RealtimeAgent` or a function of no arguments returning one.

    Raises:
        UserError: the module or attribute is missing, or is not an agent.
    """
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise UserError(f"--agent takes module:attribute (e.g. my_agents:triage), got {spec!r}")
    if module_name.endswith(".py") or os.sep in module_name:
        directory, file = os.path.split(os.path.abspath(module_name))
        sys.path.insert(0, directory)
        module_name = file.removesuffix(".py")
    elif os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or the module itself failed (a syntax error...)
        raise UserError(
            f"--agent: cannot import {module_name!r}: {type(exc).__name__}: {exc}"
        ) from exc
    try:
        value = getattr(module, attribute)
    except AttributeError:
        raise UserError(f"--agent: {module_name!r} has no attribute {attribute!r}") from None
    if callable(value) and not isinstance(value, RealtimeAgent):
        value = value()
    if not isinstance(value, RealtimeAgent):
        raise UserError(
            f"--agent: {spec} is a {type(value).__name__}, not a RealtimeAgent "
            "(or a function returning one)"
        )
    return value
