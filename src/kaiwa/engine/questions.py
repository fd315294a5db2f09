"""The question kaiwa asks for values a request did not give: in the user's language.

"Where's my order?" makes a small model call ``get_order_status(order_number="12345")``; the
checks refuse the made-up number (`kaiwa.engine.tool_calls.made_up_values`) and the user is
asked for it: "Could you tell me the order number?". The question is kaiwa's, not the model's:
told to ask, the 0.5B model answered with values of its own ("The order number is 12345.").

In Japanese the words for a parameter come from its own description when the tool's author
wrote it in Japanese ("予約の人数" for ``party_size``), else from a small table of the names
such parameters commonly have (`NAMES_JA`); a parameter found in neither makes the question a
general one ("ご用件の詳しい内容を教えていただけますか？"), never English words read by a
Japanese voice. The 0.5B model cannot be trusted with the words: asked to put "party size" into
Japanese it wrote 部分サイズ, "city" became Chinese 城市, "seat" 駅座.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .chat import ToolSpec
from .text import is_japanese

__all__ = [
    "ASK_FOR_DETAILS_JA",
    "ASK_FOR_VALUES",
    "ASK_FOR_VALUES_JA",
    "NAMES_JA",
    "asked_for",
    "parameter_words",
    "question_for",
]

ASK_FOR_VALUES = "Could you tell me the {}?"
"""Said for a request that names a tool but not the values it needs (the call the model
wrote made them up): "Where's my order?" -> "Could you tell me the order number?"."""
ASK_FOR_VALUES_JA = "{}を教えていただけますか？"
"""`ASK_FOR_VALUES` in Japanese: "注文番号を教えていただけますか？"."""
ASK_FOR_DETAILS_JA = "ご用件の詳しい内容を教えていただけますか？"
"""Asked in Japanese when a missing parameter has no Japanese words (see `NAMES_JA`)."""

NAMES_JA: Mapping[str, str] = {
    "party size": "人数",
    "people": "人数",
    "number of people": "人数",
    "guests": "人数",
    "time": "時間",
    "date": "日付",
    "day": "日にち",
    "date time": "日時",
    "datetime": "日時",
    "name": "お名前",
    "customer name": "お名前",
    "city": "都市名",
    "location": "場所",
    "place": "場所",
    "address": "住所",
    "order": "注文番号",
    "order number": "注文番号",
    "order id": "注文番号",
    "confirmation number": "予約番号",
    "confirmation code": "予約番号",
    "booking reference": "予約番号",
    "booking id": "予約番号",
    "reservation number": "予約番号",
    "reservation id": "予約番号",
    "seat": "座席",
    "new seat": "新しい座席",
    "room": "部屋",
    "minutes": "時間",
    "duration": "時間の長さ",
    "temperature": "温度",
    "degrees": "温度",
    "email": "メールアドレス",
    "email address": "メールアドレス",
    "phone": "電話番号",
    "phone number": "電話番号",
    "question": "ご質問",
    "query": "ご質問",
    "reason": "理由",
    "amount": "金額",
    "quantity": "数量",
    "product": "商品",
    "item": "商品",
    "destination": "行き先",
    "flight number": "便名",
    "zip code": "郵便番号",
    "postal code": "郵便番号",
    "account number": "アカウント番号",
    "message": "メッセージ",
}
"""Japanese words for the names parameters commonly have, as `parameter_words` writes them
("party_size" -> "party size"). Only used when the parameter's description is not Japanese."""

_COUNTED_JA: Mapping[str, str] = {
    "minutes": "何分",
    "hours": "何時間",
    "seconds": "何秒",
    "guests": "何名様",
    "people": "何名様",
    "nights": "何泊",
    "days": "何日",
}
"""A number named by a plural, asked for alone: "How many minutes?" -> "何分ですか？"."""

_CLAUSE_JA = re.compile(r"[。、,.（(：:]")


def parameter_words(name: str) -> str:
    """A parameter's name as words: ``party_size`` -> "party size", ``orderId`` -> "order
    id" (empty when the name gives none)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])|[_\W]+", " ", name).strip().lower()


def question_for(missing: Sequence[str], tools: Sequence[ToolSpec], said: str) -> str:
    """The question for the values a call made up (``missing``: parameters of one of
    ``tools``), in the language of ``said`` (the user's last words): `ASK_FOR_VALUES`; "How
    many minutes?" for one number whose parameter is named by a plural ("minutes",
    "guests"). Empty when there is nothing to ask for, or (in English) the names give no
    words."""
    if not missing:
        return ""
    japanese = is_japanese(said)
    if len(missing) == 1 and re.fullmatch(r"[a-z]+s", missing[0]):
        schema = _schema(missing[0], tools)
        if schema.get("type") in ("integer", "number"):
            if not japanese:
                return f"How many {missing[0]}?"
            counted = _COUNTED_JA.get(missing[0])
            if counted and not _japanese_description(schema):
                return f"{counted}ですか？"
    if japanese:
        words_ja = [_words_ja(m, tools) for m in missing]
        if not all(words_ja):
            return ASK_FOR_DETAILS_JA
        return ASK_FOR_VALUES_JA.format("と".join(dict.fromkeys(w for w in words_ja if w)))
    words = asked_for(missing)
    return ASK_FOR_VALUES.format(words) if words else ""


def asked_for(missing: Sequence[str]) -> str:
    """Parameters' names as words: ``["party_size", "time"]`` -> "party size and time"
    (names that give no words are left out)."""
    words = [w for w in (parameter_words(m) for m in missing) if w]
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _schema(parameter: str, tools: Sequence[ToolSpec]) -> Mapping[str, object]:
    for tool in tools:
        properties = tool.parameters.get("properties", {})
        schema = properties.get(parameter) if isinstance(properties, dict) else None
        if isinstance(schema, dict):
            return schema
    return {}


def _japanese_description(schema: Mapping[str, object]) -> str:
    """The parameter's description up to its first clause, if it is written in Japanese and
    short enough to be asked for ("予約の人数。2名以上" -> "予約の人数")."""
    text = schema.get("description")
    if not isinstance(text, str):
        return ""
    head = _CLAUSE_JA.split(text.strip(), maxsplit=1)[0].strip()
    # none of it English: "City name, e.g. 東京" is no Japanese name
    if not is_japanese(head) or re.search(r"[A-Za-z]", head):
        return ""
    return head if len(head) <= 16 else ""


def _words_ja(parameter: str, tools: Sequence[ToolSpec]) -> str:
    """Japanese words for ``parameter``: its description's, else `NAMES_JA`'s; empty if
    neither has any."""
    return _japanese_description(_schema(parameter, tools)) or NAMES_JA.get(
        parameter_words(parameter), ""
    )
