"""A request for a service no tool and no agent offers: a taxi, a hotel, a rental car.

A small model passes such requests on anyway: the airline's triage agent handed "could you get
me a cab to the airport for like six tomorrow morning" to the FAQ agent and "Can you book me a
hotel room in Rome for three nights?" to the seat booking agent; the FAQ agent looked up "can
you sort me out a rental car for when i land". Neither agent can do it, and the user waits for
nothing. The policy (`kaiwa.engine.tool_policy.ToolCallPolicy`) answers such a handoff or
lookup in words of kaiwa's own (`out_of_scope_reply`): what cannot be done here, and what can.

Only services travellers (and other callers) commonly ask for by name (`_SERVICE`), asked
for ("get me a cab", 「タクシーも手配して」; not "I left my phone in the taxi" or "will you put
me up in a hotel?"), and only when nothing offered names them: not the tools' names or
descriptions, not the handoffs', not the agent's instructions ("Books hotels and rental cars."
makes them its own; "Arranges ground transportation and accommodation" too, `_OFFERED_AS`).
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

_SERVICE = (
    r"(?:(?:taxis?|cabs?|taxicabs?|uber|lyft|hotels?(?:\s+rooms?)?|motels?|hostels?|airbnb|"
    r"(?:rental|hire|hired)\s+cars?|car\s+(?:rental|hire)s?|limo(?:usine)?s?|"
    r"shuttle\s+bus(?:es)?|(?:train|bus|ferry|concert|theatre|theater|museum|show)\s+tickets?|"
    r"restaurants?|tables?(?=\s+for\s+(?:\d+|two|three|four|five|six|seven|eight|us)))"
    r"(?!\s+(?:vouchers?|receipts?|fares?|bills?|numbers?|drivers?|ranks?|stands?|queues?|"
    r"lines?|costs?|prices?|rates?|policy|policies)\b))"
)
_SERVICE_JA = (
    r"(?:タクシー|ハイヤー|ホテル|旅館|民宿|レンタカー|リムジンバス|シャトルバス|"
    r"電車の切符|新幹線の切符|切符|乗車券|特急券|レストラン|居酒屋|焼肉屋|寿司屋|"
    r"お寿司屋)"
)
_ASKED_EN = re.compile(
    r"(?i)(?:\b(?:can|could|would|will)\s+(?:you|ya|u)(?:\s+please)?|\bplease|"
    r"\bi\s+need\s+you\s+to|\bi'?d\s+like\s+you\s+to|\bi\s+want\s+you\s+to|"
    r"\bany\s+chance\s+(?:you|ya)\s+could|"
    r"^\s*(?:(?:um|uh|hi|hey|oh|ok|okay|so|and|also)"
    r"[,\s]+)*)\s*(?:get|book|arrange|call|order|reserve|find|sort|organi[sz]e|hire|rent|"
    r"buy|purchase|line\s+up|set\s+up)\b(?:\s+(?:me|us|out))*\s+(?:(?:a|an|the|some|my|our|two|three)"
    rf"\s+)?(?:[\w-]+\s+){{0,2}}?(?P<service>{_SERVICE})\b"
    r"|\b(?:(?:i|we)(?:\s+(?:need|want|would\s+like)|'d\s+like|'ll\s+need)|can\s+(?:i|we)|"
    r"help\s+(?:me|us))\s+(?:to\s+)?(?:(?:book|get|rent|hire|order|reserve|have|find)\s+)?"
    rf"(?:a|an|two|three|some)\s+(?:[\w-]+\s+)?(?P<wanted>{_SERVICE})\b"
    r"|\b(?:rent|hire)\s+(?:a\s+)?(?P<car>car)\b"
)
"""A service asked for: "could you get me a cab", "can you book me a hotel room", "sort me
out a rental car", "I need a taxi"; not one spoken of ("I left my phone in the taxi", "do I
get a hotel voucher if my flight's delayed?", "will you put me up in a hotel?")."""
_ASKED_JA = re.compile(
    rf"(?<!場合、)(?<!場合)(?P<service>{_SERVICE_JA})(?!で)[^。？?！!、]{{0,6}}?(?:手配|予約|取っ|取と|"
    r"呼ん|呼べ|呼び|頼ん|頼め|お願い|借り|探して|買え|買い|購入|申し込)(?!みで|んだ便|んで取)"
)
"""A service asked for in Japanese: 「タクシーも手配してもらえます？」, 「ホテルも取っといて」,
「レンタカーを借りたい」; not 「欠航になったらホテルは用意してもらえますか」 (what the airline
does) nor 「タクシーで空港に向かうので予約の時間を確認したい」 (by taxi). After 場合 (「遅延の
場合、ホテルは...」) it asks what the airline does, too (the conditional with たら is not
caught)."""
_OFFERED_AS = {
    "taxi": ("transportation", "ride", "cab"),
    "cab": ("transportation", "ride", "taxi"),
    "uber": ("transportation", "ride", "taxi"),
    "lyft": ("transportation", "ride", "taxi"),
    "limo": ("transportation", "limousine"),
    "limousine": ("transportation", "limo"),
    "shuttle": ("transportation",),
    "hotel": ("accommodation", "lodging", "motel"),
    "motel": ("accommodation", "lodging", "hotel"),
    "hostel": ("accommodation", "lodging", "hotel"),
    "airbnb": ("accommodation", "lodging", "hotel"),
    "restaurant": ("table", "dining", "dinner", "reservation", "bookings", "host", "places to eat"),
    "table": ("restaurant", "dining", "reservation", "bookings", "host"),
}
"""Other words a description may offer a service in ("Arranges ground transportation and
accommodation" offers cabs and hotels)."""
_OFFERED_AS_JA = {
    "タクシー": ("送迎", "交通", "移動", "配車"),
    "ハイヤー": ("送迎", "交通", "移動", "配車"),
    "ホテル": ("宿泊",),
    "旅館": ("宿泊",),
    "民宿": ("宿泊",),
    "レンタカー": ("レンタル",),
    "レストラン": ("restaurant", "table", "reservation", "bookings", "テーブル", "飲食", "予約"),
    "居酒屋": ("restaurant", "table", "reservation", "bookings", "テーブル", "予約"),
    "焼肉屋": ("restaurant", "table", "reservation", "bookings", "テーブル", "予約"),
    "寿司屋": ("restaurant", "table", "reservation", "bookings", "テーブル", "予約"),
    "お寿司屋": ("restaurant", "table", "reservation", "bookings", "テーブル", "予約"),
    "切符": ("ticket", "rail", "train", "journey", "fare"),
    "乗車券": ("ticket", "rail", "train", "journey", "fare"),
    "特急券": ("ticket", "rail", "train", "journey", "fare"),
}

_SEARCHES = re.compile(
    r"(?i)\b(?:web|internet|online)\s+search|\bsearch(?:es)?\s+(?:the\s+)?(?:web|internet|online)\b"
)
"""A tool that searches the web: what it may find is on offer."""

OUT_OF_SCOPE = "Sorry, I can't help with that here."
OUT_OF_SCOPE_JA = (
    "申し訳ありませんが、そちらはこちらではお手伝いできません。ほかにご用件はありますか？"
)


def _stem(word: str) -> str:
    """A service's word without its plural's ending ("buses" -> "bus", "limousines" ->
    "limousine", "taxis" -> "taxi")."""
    if word.endswith(("sses", "uses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _offered(service: str, offered: str) -> bool:
    """Whether ``offered`` (what the tools, the handoffs and the instructions say) names
    ``service``: a word of one word's service or one it may be offered in (`_OFFERED_AS`:
    "transportation" offers a cab); every word of a longer one, in its order or the other
    ("car rentals" and "rental cars"; not "car seats" and "ticket changes"), or "rents cars"."""
    words = [_stem(w) for w in service.lower().split() if w not in ("room", "rooms")]
    if len(words) == 1 or words[0] == "shuttle":  # ("shuttle bus": a shuttle's words)
        forms = {words[0], *_OFFERED_AS.get(words[0], ())}
        return any(re.search(rf"(?i)\b{re.escape(f)}(?:s|es)?\b", offered) for f in forms)
    ends = r"(?:s|es)?\s+"
    pattern = (
        rf"\b{ends.join(map(re.escape, words))}|\b{ends.join(map(re.escape, reversed(words)))}"
    )
    if "car" in words:
        pattern += r"|\brent(?:s|ing|al)?\s+(?:\w+\s+)?cars?\b"
    return bool(re.search(rf"(?i){pattern}", offered))


def other_service(said: str, tools: Sequence[ToolSpec], instructions: str = "") -> str | None:
    """The service ``said`` (the user's words) asks for (`_ASKED_EN`, `_ASKED_JA`) that
    nothing offered names: none of ``tools`` (names and descriptions, handoffs included),
    not ``instructions``, in its own words or in those it may be offered in (`_OFFERED_AS`);
    None when it asks for none, or only for ones on offer."""
    offered = " ".join([instructions, *(f"{t.name} {t.description}" for t in tools)])
    offered = offered.replace("_", " ")
    if _SEARCHES.search(offered):
        return None  # a web search finds restaurants and tours: nothing is another's
    for match in _ASKED_JA.finditer(said):
        word = match.group("service")
        if word not in offered and not any(w in offered for w in _OFFERED_AS_JA.get(word, ())):
            return word
    for match in _ASKED_EN.finditer(said):
        service = match.group("service") or match.group("wanted") or "rental " + match["car"]
        if not _offered(service, offered):
            return service
    return None


def out_of_scope_reply(said: str, tools: Sequence[ToolSpec]) -> str:
    """What is said to a request for a service nobody here offers: that it cannot be done
    here, then (in English) what this agent's own tools can (`capabilities_reply`, from their
    descriptions: "I can get the weather in a city."; handoffs are not told)."""
    if is_japanese(said):
        return OUT_OF_SCOPE_JA
    can = capabilities_reply([ChatMessage("user", "What can you do?")], tools)
    return f"{OUT_OF_SCOPE} {can}"
