"""What the small model is shown: the conversation in its chat template, with the hints the
engine adds to the user's words and the assistant's words it leaves out (`render`)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from .chat import SILENT_TURN, ChatMessage, ToolCall, ToolSpec
from .text import is_japanese
from .tool_calls import asks
from .tool_policy import NO_TOOL_HINT, NO_TOOL_HINT_JA

USER_TURN = b"<|im_end|>\n<|im_start|>user\n"  # what follows a reply in the chat template
TOOL_RESULT_HINT = "Now answer the user's question in words, using this result."
CALL_HINT = "(Call a tool if one fits.)"
"""Added to every user turn when a tool takes required arguments. Without it the 0.5B model
answers most requests a tool should serve from its own ideas ("Will I need a heavy coat in
Oslo?" -> "No"); with it, it calls for more of them, and for some it should not: the policy's
checks (`kaiwa.engine.tool_calls.made_up_values`) turn most of those back into words. A tool that
takes nothing leaves them nothing to check: with the hint, `kaiwa chat`'s get_current_time
was called for every "hello"."""


def shown_words(messages: Sequence[ChatMessage], i: int) -> str | None:
    """What the small model is shown of the assistant's words ``messages[i]``, which the user
    has answered since (the caller checks that); None: nothing.

    An answer read from a tool's result is left out (the result stays), and so is a reply that
    asks something, unless the user's answer is a bare yes or no ("Shall I check Rome as
    well?" "Yes please."); its other words stay.

    Shown its own words, the 0.5B model says the same kind of thing again instead of calling:
    after "It is sunny in Paris, 22 degrees." it answers "And in Rome?" with "It is sunny in
    Rome, 23 degrees.", the weather made up; after "What's your order number?" it answers
    "It's 66 03 91." with another question. Left out, the turn before reads as a request, a
    call and its result, and the model calls. Dev half of ``bench/quality``: follow-ups right
    1 of 20 -> 12 (answers from results) -> 17 (questions too). A reply that asks is left out
    whole: shown its statements alone ("Sure." of "Sure. What's your confirmation number?"),
    the model answered with them and stopped (follow-ups 17 -> 11). Every item of the
    conversation stays as it was: this is the prompt only.
    """
    m = messages[i]
    if m.role != "assistant" or m.tool_calls:
        return m.content
    answer = next((n.content for n in messages[i + 1 :] if n.role == "user"), "")
    if _BARE_REPLY.fullmatch(answer.strip()):
        return m.content  # "Yes please.": the question is what it says yes to
    if i > 0 and messages[i - 1].role == "tool":
        return None
    return None if asks(m.content) else m.content


_BARE_REPLY = re.compile(
    r"(?i)(?:(?:yes|yeah|yep|sure|ok|okay|please|no|nope|go ahead|do it|thanks|thank you|"
    r"sounds good|that's right|right|correct)[\s,.!]*)+|"
    r"(?:はい|ええ|うん|お願いします|お願い|いいえ|いや|そうです|大丈夫です|結構です)[\s、。！]*"
)


HINTS = (CALL_HINT, NO_TOOL_HINT, NO_TOOL_HINT_JA, TOOL_RESULT_HINT)
"""What the engine adds to the user's words for the model: never to be read out."""

HINT_IN_JSON = re.compile(r"(?:\\n|\s)*" + re.escape(CALL_HINT))
"""`CALL_HINT` as the model copies it into a call it writes (after an escaped line break)."""


def without_hint(call: ToolCall) -> ToolCall:
    """``call`` without `CALL_HINT` in its arguments (the model copies the user's words,
    hint and all, into a question to look up)."""
    arguments = call.parsed_arguments() if CALL_HINT in call.arguments else None
    if arguments is None:
        return call
    for key, value in arguments.items():
        if isinstance(value, str):
            arguments[key] = value.replace(CALL_HINT, "").strip()
    return call.with_arguments(arguments)


def chat_template(source: str) -> Any:
    """The model's chat template (Jinja, from its GGUF), compiled in a sandbox."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = lambda v: json.dumps(v, ensure_ascii=False)
    return env.from_string(source)


def render(
    template: Any,
    messages: Sequence[ChatMessage],
    tools: Sequence[ToolSpec],
    *,
    hint: str = "",
) -> str:
    """The prompt for ``messages`` in the model's chat template (``template``:
    `chat_template`), ready for the reply; ``hint`` is added to the last message if it is
    the user's.

    What the small model sees differs from the conversation in two ways, each measured on
    the dev half of ``bench/quality`` (README): with tools, every user turn ends with
    `CALL_HINT` (when no tool takes a value, only Japanese turns); and the assistant's
    answers read from a tool's result, and its questions, are left out once the user has
    answered them (`shown_words`).
    """
    rendered = []
    last_user = max(
        (i for i, m in enumerate(messages) if m.role == "user" and m.content != SILENT_TURN),
        default=-1,
    )
    # Where a call has values to check (`ToolCallPolicy`). When no tool has a required
    # value (get_current_time), on Japanese turns only: in English the clock was called
    # for "Tell me a joke." (dev half: 4 false calls of 6); without it, Japanese time
    # questions were answered with a made-up time ("今何時？" -> "現在の時間は2023年...").
    required = any(t.parameters.get("required") for t in tools)
    for i, m in enumerate(messages):
        content = shown_words(messages, i) if i < last_user else m.content
        if content is None:
            continue  # see `shown_words`
        item: dict[str, Any] = {"role": m.role, "content": content}
        if (
            m.role == "user"
            and tools
            and (required or is_japanese(m.content))
            and m.content != SILENT_TURN  # nothing asked: nothing to call for
            and not (i == len(messages) - 1 and hint)
        ):
            # On every user turn, so that one turn's prompt is the start of the next's.
            item["content"] = f"{m.content}\n{CALL_HINT}"
        if m.role == "tool" and i == len(messages) - 1:
            # Small models tend to call the tool again; this line keeps them answering.
            item["content"] = f"{m.content}\n{TOOL_RESULT_HINT}"
        if m.role == "user" and i == len(messages) - 1 and hint:
            item["content"] = f"{m.content}\n{hint}"
        if m.tool_calls:
            item["tool_calls"] = [
                {
                    "type": "function",
                    "function": {"name": c.name, "arguments": json.loads(c.arguments or "{}")},
                }
                for c in m.tool_calls
            ]
        rendered.append(item)
    specs = [t.as_function() for t in tools]
    return str(template.render(messages=rendered, tools=specs or None, add_generation_prompt=True))
