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

__all__ = ["default_agent", "load_agent"]

LANGUAGE_NAMES = {"en": "English", "ja": "Japanese"}


@function_tool
def get_current_time() -> str:
    """Get the current local date and time."""
    return datetime.datetime.now().strftime("%A %d %B %Y, %H:%M")


def default_agent(language: str = "en", instructions: str | None = None) -> RealtimeAgent[Any]:
    """A brief, friendly assistant that can tell the time; it answers in ``language``."""
    text = instructions or (
        "You are a friendly voice assistant. Answer in one or two short sentences, in plain "
        "spoken language without lists or markdown. Use get_current_time when asked about "
        "the time or the date."
    )
    if language != "en":
        text += f" Always answer in {LANGUAGE_NAMES.get(language, language)}."
    return RealtimeAgent(name="Assistant", instructions=text, tools=[get_current_time])


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
