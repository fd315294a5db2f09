"""A request for a service no tool and no agent offers: a taxi, a hotel, a rental car.

A small model passes such requests on anyway: the airline's triage agent handed "could you get
me a cab to the airport for like six tomorrow morning" to the FAQ agent and "Can you book me a
hotel room in Rome for three nights?" to the seat booking agent; the FAQ agent looked up "can
you sort me out a rental car for when i land". Neither agent can do it, and the user waits for
nothing. The policy (`kaiwa.engine.tool_policy.ToolCallPolicy`) answers such a handoff or
lookup in words of kaiwa's own (`out_of_scope_reply`): what cannot be done here, and what can.

Only services travellers (and other callers) commonly ask for by name (`_OTHER_SERVICES`),
and only when nothing offered names them: not the tools' names or descriptions, not the
handoffs', not the agent's instructions ("Books hotels and rental cars." makes them its own).
A request that also names what the called tool is for ("is there wifi at the hotel?" to the
FAQ) stands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .chat import ChatMessage, ToolSpec
from .small_talk import capabilities_reply
from .text import is_japanese

__all__ = ["OUT_OF_SCOPE", "OUT_OF_SCOPE_JA", "other_service", "out_of_scope_reply"]

_OTHER_SERVICES = re.compile(
    r"(?i)\b(?:taxis?|cabs?|taxicabs?|uber|lyft|hotels?|motels?|hostels?|airbnb|"
    r"(?:rental|hire|hired)\s+cars?|car\s+(?:rental|hire)s?|limo(?:usine)?s?|"
    r"shuttle\s+bus(?:es)?|train\s+tickets?|bus\s+tickets?)\b"
    r"|タクシー|ハイヤー|ホテル|旅館|民宿|レンタカー|リムジンバス|シャトルバス|電車の切符|新幹線の切符"
)
"""Services asked for by name that an agent may well not offer."""

OUT_OF_SCOPE = "Sorry, I can't help with that here."
OUT_OF_SCOPE_JA = (
    "申し訳ありませんが、そちらはこちらではお手伝いできません。ほかにご用件はありますか？"
)


def other_service(said: str, tools: Sequence[ToolSpec], instructions: str = "") -> str | None:
    """The service ``said`` (the user's words) names that nothing offered names: none of
    ``tools`` (names and descriptions, handoffs included) and not ``instructions``; None
    when it names none, or only ones on offer."""
    offered = " ".join([instructions, *(f"{t.name} {t.description}" for t in tools)])
    offered = offered.replace("_", " ")
    for match in _OTHER_SERVICES.finditer(said):
        word = match.group(0)
        if is_japanese(word):
            if word not in offered:
                return word
            continue
        # "rental car" is offered by "Rents cars." or "car rentals"; "cab" not by "cabin"
        stems = [re.sub(r"(?:es|s)$", "", w) for w in word.lower().split()]
        if not any(re.search(rf"(?i)\b{re.escape(s)}(?:s|es)?\b", offered) for s in stems):
            return word
    return None


def out_of_scope_reply(said: str, tools: Sequence[ToolSpec]) -> str:
    """What is said to a request for a service nobody here offers: that it cannot be done
    here, then (in English) what can (`capabilities_reply`, from the tools' descriptions: "I
    can get the weather in a city.")."""
    if is_japanese(said):
        return OUT_OF_SCOPE_JA
    can = capabilities_reply([ChatMessage("user", "What can you do?")], tools)
    return f"{OUT_OF_SCOPE} {can}".strip() if can else f"{OUT_OF_SCOPE} How else can I help?"
