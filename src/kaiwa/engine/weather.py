"""The weather asked about, and tools that tell it.

Three checks read these words: a clock called for the weather (``get_current_time()`` for
"What's the weather in Paris?", `kaiwa.engine.tool_policy`), a weather tool called for a
request that asks no weather (the triage agent's ``get_weather(city="大阪")`` for a hotel near
Osaka station), and a question of the service's terms that is the weather tool's, not the
FAQ's ("should she bring a heavy coat to Boston?", `kaiwa.engine.service_questions`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .chat import ToolSpec
from .text import is_japanese

__all__ = ["WEATHER_ASKED", "weather_said", "weather_tool"]

WEATHER_ASKED = re.compile(
    r"(?i)\b(?:weather|forecast|rain(?:ing|y)?|snow(?:ing|y)?|temperature|sunny|cloudy|humid(?:ity)?|"
    r"umbrella|windy|storm(?:y|s)?)\b|天気|気温|予報|雨|雪"
)
"""The weather asked about: live news no clock or lookup of ours gives."""


def weather_tool(tools: Sequence[ToolSpec]) -> bool:
    """Whether any of ``tools`` speaks of the weather (its name or description)."""
    return any(WEATHER_ASKED.search(f"{t.name} {t.description}") for t in tools)


_WEATHER_THINGS_EN = re.compile(
    r"(?i)\b(?:coats?|jackets?|jumpers?|sweaters?|hoodies?|fleeces?|scarf|scarves|gloves|"
    r"shorts|t-?shirts?|sandals|sunscreen|sun\s*cream|sunglasses|raincoat|layers|"
    r"warm|chilly|freezing|mild|sunshine|typhoon|hurricane|icy|frost|foggy|heatwave|"
    r"degrees|celsius|fahrenheit)\b"
    r"|\b(?:what'?s|what\s+is|how'?s|how\s+is)\s+it\s+(?:like|looking)\b"
    r"|\b(?:cold|hot)\s+(?:there|out|outside|in\s+[A-Z])"
)
"""What one wears or takes for the weather and how warm it is ("should she bring a heavy
coat?", "what's it like in Montreal?", "is it cold there?"): with a weather tool, the
weather's, not the service's. Not "cool" (a filler), "hot meals", "dry ice" or "the sky"."""
_WEATHER_THINGS_JA = re.compile(
    r"傘|かさ|コート|上着|ジャケット|セーター|ダウン|半袖|長袖|手袋|マフラー|日焼け止め|サングラス"
    r"|暑|寒|涼し|あったか|暖か|晴(?!らし)|曇|くもり|台風|てんき|きおん"
    r"|(?<![な邪お和])風(?!邪|呂)|(?<![冷解])凍|湿(?!布)"
)
"""The same in Japanese (「半袖で平気かな？」, 「厚手のセーター持ってったほうがいい？」; not
風邪薬, 冷凍した母乳, 湿布)."""


def weather_said(said: str) -> bool:
    """Whether ``said`` asks the weather in its words (`WEATHER_ASKED`) or by what one wears and
    how warm it is (`_WEATHER_THINGS_EN`, `_WEATHER_THINGS_JA`)."""
    things = _WEATHER_THINGS_JA if is_japanese(said) else _WEATHER_THINGS_EN
    return bool(WEATHER_ASKED.search(said) or things.search(said))
