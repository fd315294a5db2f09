"""The packaged Qwen 0.5B on llama.cpp: tool choice, arguments, text, cancellation, caching."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

from kaiwa import UserError
from kaiwa.engine._threads import Cancel
from kaiwa.engine.chat import ToolCall
from kaiwa.engine.llm import PREPARE_SLICE_TOKENS, ChatMessage, LlmDelta, ToolSpec
from kaiwa.engine.tool_policy import Asked, Verdict, VerdictKind
from kaiwa.engine.words import UNCLEAR_JA, WordsOutcome
from kaiwa.engine.worker import stream_in_thread
from tests.checks import until_idle_job_queued
from tests.engine.airline_tools import LOOKUP

SYSTEM = ChatMessage("system", "You are a helpful voice assistant. Answer in one short sentence.")
TOOLS = [
    ToolSpec(
        "get_weather",
        "Get the current weather for a city.",
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    ),
    ToolSpec(
        "set_timer",
        "Set a timer for a number of minutes.",
        {"type": "object", "properties": {"minutes": {"type": "integer"}}, "required": ["minutes"]},
    ),
    ToolSpec(
        "switch_lights",
        "Turn the lights in a room on or off.",
        {
            "type": "object",
            "properties": {
                "room": {"type": "string", "enum": ["kitchen", "bedroom", "living room"]},
                "on": {"type": "boolean"},
            },
            "required": ["room", "on"],
        },
    ),
]


def run(llm: Any, text: str, **kwargs: Any) -> list[LlmDelta]:
    return list(llm.stream([SYSTEM, ChatMessage("user", text)], TOOLS, **kwargs))


def only_call(deltas: list[LlmDelta]) -> tuple[str, dict[str, Any]]:
    calls = [d.tool_call for d in deltas if d.tool_call]
    assert len(calls) == 1, deltas
    assert not "".join(d.text for d in deltas).strip()
    return calls[0].name, json.loads(calls[0].arguments)


@pytest.mark.parametrize(
    ("request_", "name", "arguments"),
    [
        ("What's the weather in Paris?", "get_weather", {"city": "Paris"}),
        ("How hot is it in Tokyo right now?", "get_weather", {"city": "Tokyo"}),
        ("Set a timer for 5 minutes.", "set_timer", {"minutes": 5}),
        ("Please start a ten minute timer.", "set_timer", {"minutes": 10}),
        ("Turn on the kitchen lights.", "switch_lights", {"room": "kitchen", "on": True}),
    ],
)
def test_picks_the_right_tool_with_valid_arguments(
    llm: Any, request_: str, name: str, arguments: dict[str, Any]
) -> None:
    assert only_call(run(llm, request_)) == (name, arguments)


@pytest.mark.parametrize("question", ["What is the capital of Japan?", "Say hello."])
def test_plain_questions_get_text(llm: Any, question: str) -> None:
    deltas = list(llm.stream([SYSTEM, ChatMessage("user", question)]))
    assert not any(d.tool_call for d in deltas)
    assert len("".join(d.text for d in deltas).strip()) > 2


@pytest.mark.parametrize(
    "question",
    [
        "Say hello.",  # the model writes a call to "say_hello", a function it made up
        "What colour is the sky?",  # ("What is two plus two?" is worked out: below)
        "Tell me a joke.",
        "How are you today?",
        "What is the capital of Japan?",
    ],
)
def test_plain_questions_get_text_with_tools_offered(
    llm: Any, question: str, monkeypatch: Any
) -> None:
    # Offered the weather/timer/lights tools, the model (greedy) answered each of these with
    # get_weather: a made-up function forced onto a real one, or a city nobody said.
    monkeypatch.setattr(llm, "temperature", 0.0)
    deltas = run(llm, question)
    assert not any(d.tool_call for d in deltas)
    text = "".join(d.text for d in deltas)
    assert text.strip() and "{" not in text and "`" not in text


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("What is two plus two?", "2 plus 2 is 4."),
        ("How many seconds are in an hour?", "One hour is 3600 seconds."),
        ("1時間って何分？", "1時間は60分です。"),  # the model set a one-minute timer
    ],
)
def test_sums_and_conversions_are_worked_out_not_guessed(
    llm: Any, question: str, answer: str
) -> None:
    assert [(d.text, d.tool_call) for d in run(llm, question)] == [(answer, None)]


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        # the model had said "I'm sorry, but I don't have any question." (dev half, FAQ agent)
        ("I have a question.", "Of course. What would you like to know?"),
        ("すみません、ひとつお伺いしたいことがあるのですが。", "はい、どうぞ。"),
    ],
)
def test_a_question_announced_is_asked_for_without_the_model(
    llm: Any, said: str, reply: str
) -> None:
    assert [(d.text, d.tool_call) for d in run(llm, said)] == [(reply, None)]


@pytest.mark.parametrize(
    ("said", "words"),
    [
        # `kaiwa chat`'s assistant had said "You can bring up to 10 checked bags for free."
        # and read out the time for "how long before departure does the bag drop close"
        ("How many checked bags can I bring for free?", "airline"),
        ("how long before departure does the bag drop close", "airline"),
        ("超過手荷物の料金はおいくらになりますでしょうか。", "航空会社"),
    ],
)
def test_a_companys_rules_are_not_made_up_by_an_agent_that_can_look_nothing_up(
    llm: Any, said: str, words: str
) -> None:
    clock = ToolSpec("get_current_time", "Get the current local date and time.", {})
    deltas = list(llm.stream([SYSTEM, ChatMessage("user", said)], [clock]))
    assert len(deltas) == 1 and deltas[0].tool_call is None
    assert words in deltas[0].text and ("look" in deltas[0].text or "調べ" in deltas[0].text)


def test_tool_choice_required_forces_a_call(llm: Any) -> None:
    name, _ = only_call(run(llm, "Hi there!", tool_choice="required"))
    assert name in {t.name for t in TOOLS}


def test_tool_choice_none_answers_in_words(llm: Any) -> None:
    deltas = run(llm, "What's the weather in Rome?", tool_choice="none")
    text = "".join(d.text for d in deltas)
    assert not any(d.tool_call for d in deltas) and text.strip()
    assert "{" not in text


def test_tool_choice_can_name_the_function(llm: Any) -> None:
    name, args = only_call(
        run(
            llm,
            "Turn on the bedroom lights please",
            tool_choice={"type": "function", "name": "switch_lights"},
        )
    )
    assert name == "switch_lights" and args["room"] == "bedroom"


def test_unknown_named_tool_is_a_user_error(llm: Any) -> None:
    with pytest.raises(UserError, match="nope"):
        run(llm, "hi", tool_choice={"type": "function", "name": "nope"})


def oslo_answered() -> list[ChatMessage]:
    """A weather question, the model's call, and the tool's result (snow, -7)."""
    call = ToolCall("get_weather", '{"city": "Oslo"}', "call_1")
    return [
        SYSTEM,
        ChatMessage("user", "Weather in Oslo?"),
        ChatMessage("assistant", tool_calls=(call,)),
        ChatMessage("tool", '{"temperature_c": -7, "sky": "snowing"}', tool_call_id="call_1"),
    ]


def test_tool_results_are_used_in_the_answer(llm: Any) -> None:
    messages = oslo_answered()
    text = "".join(d.text for d in llm.stream(messages, TOOLS))
    assert "7" in text or "snow" in text.lower()


async def test_cancelling_stops_generation_within_a_token(llm: Any) -> None:
    produced = 0

    def produce(cancel: Any) -> Any:
        nonlocal produced
        for delta in llm.stream(
            [SYSTEM, ChatMessage("user", "Tell me a long story about a dragon.")],
            max_tokens=200,
            cancel=cancel,
        ):
            produced += 1
            yield delta

    consumed = 0
    async for _ in stream_in_thread(produce, maxsize=1):
        consumed += 1
        if consumed == 3:
            break
    assert consumed == 3
    assert produced <= consumed + 2  # the worker stopped at once, it did not finish the story
    await asyncio.sleep(0)


def test_turn_twenty_reuses_the_cached_prefix(llm: Any) -> None:
    messages = [SYSTEM]
    for turn in range(20):
        messages.append(ChatMessage("user", f"Remember the number {turn}. Reply with OK."))
        reply = "".join(d.text for d in llm.stream(messages, TOOLS, max_tokens=8))
        if turn == 0:
            first = llm.last_evaluated_tokens
        messages.append(ChatMessage("assistant", reply))
    assert llm.last_prompt_tokens > 2 * first  # the conversation grew...
    assert llm.last_evaluated_tokens < 60  # ...but only the newest turn was evaluated


def test_the_next_user_turn_is_begun_before_it_is_asked(llm: Any) -> None:
    # After a spoken reply the model has already evaluated the opening of the user's next
    # turn, so the next reply evaluates only the new words and the assistant's header.
    from kaiwa.engine.prompt import USER_TURN

    opening = llm._llm.tokenize(USER_TURN, add_bos=False, special=True)
    messages = [SYSTEM, ChatMessage("user", "What do bees make?")]
    reply = "".join(d.text for d in llm.stream(messages, max_tokens=30))
    evaluated = llm._worker.call(lambda: llm._llm._input_ids[: llm._llm.n_tokens].tolist())
    assert evaluated[-len(opening) :] == opening
    # ...and it is the opening the chat template writes after this reply.
    messages += [ChatMessage("assistant", reply.strip()), ChatMessage("user", "And ants?")]
    assert USER_TURN.decode() + "And ants?" in llm.render(messages, ())
    # A reply that is a tool call is followed by a tool result, not by the user: no opening.
    list(llm.stream(messages, TOOLS, tool_choice="required"))
    evaluated = llm._worker.call(lambda: llm._llm._input_ids[: llm._llm.n_tokens].tolist())
    assert evaluated[-len(opening) :] != opening


def test_the_opening_is_skipped_when_the_context_is_full(llm: Any, monkeypatch: Any) -> None:
    before = llm._worker.call(lambda: llm._llm.n_tokens)
    monkeypatch.setattr(llm._llm, "n_ctx", lambda: before + 2)
    llm._worker.call(llm._open_user_turn)  # would need 5 more cells: skipped, no error
    assert llm._worker.call(lambda: llm._llm.n_tokens) == before


def test_a_reply_waiting_for_the_model_can_be_cancelled(llm: Any) -> None:
    # Another conversation holds the model; a barge-in on this one must not wait for it.
    release, busy = threading.Event(), threading.Event()

    def other_conversations_turn() -> None:
        busy.set()
        release.wait(30)

    llm._worker.later(other_conversations_turn)
    assert busy.wait(10)
    try:
        cancel = Cancel()
        deltas = llm.stream([SYSTEM, ChatMessage("user", "Hi!")], cancel=cancel)
        got: list[Any] = []
        reader = threading.Thread(target=lambda: got.append(list(deltas)))
        reader.start()
        while not llm._worker.waiting:
            time.sleep(0.001)
        cancel.set()
        reader.join(10)  # ...while the other still holds the model
        assert got == [[]]
    finally:
        release.set()


def _spy(llm: Any, monkeypatch: Any, name: str) -> list[int]:
    """Record the token count of every state ``name`` (save_state/load_state) handles."""
    seen: list[int] = []
    real = getattr(llm._llm, name)

    def spy(*args: Any) -> Any:
        result = real(*args)
        seen.append((args[0] if args else result).n_tokens)
        return result

    monkeypatch.setattr(llm._llm, name, spy)
    return seen


def test_conversations_taking_turns_keep_their_state(llm: Any, monkeypatch: Any) -> None:
    # Two sessions share the one model: each one's turn overwrites the other's KV state, so
    # that state is kept aside and restored, and a conversation's next turn costs only itself.
    saves, loads = _spy(llm, monkeypatch, "save_state"), _spy(llm, monkeypatch, "load_state")
    pirate = [ChatMessage("system", "You are a pirate captain. " + "Speak like a pirate. " * 12)]
    robot = [ChatMessage("system", "You are a polite robot. " + "Speak in short words. " * 12)]
    for messages, question in ((pirate, "Who are you?"), (robot, "Who are you?")):
        messages.append(ChatMessage("user", question))
        reply = "".join(d.text for d in llm.stream(messages, max_tokens=12))
        messages.append(ChatMessage("assistant", reply.strip()))
    assert saves  # the robot's turn would have overwritten the pirate's state
    # Kept without the 155 MB copy of the last batch's logits that llama-cpp-python adds.
    assert all(state.scores.nbytes < 1 << 20 for state in llm._saved.cache_state.values())
    pirate.append(ChatMessage("user", "Where is your ship?"))
    list(llm.stream(pirate, max_tokens=4))
    assert loads
    assert llm.last_evaluated_tokens < 20  # the new question and the assistant's header


def _held(llm: Any) -> list[int]:
    return llm._worker.call(lambda: llm._llm._input_ids[: llm._llm.n_tokens].tolist())


def test_a_prepared_agent_s_first_reply_finds_its_instructions_evaluated(llm: Any) -> None:
    # A session that may hand off to another agent has its instructions and tools evaluated
    # while idle; the model goes back to the state it held, and the handoff's reply then
    # evaluates only the conversation.
    held = [
        ChatMessage("system", "You are a triage agent. Route every call."),
        ChatMessage("user", "Hello, who is this?"),
    ]
    list(llm.stream(held, TOOLS, max_tokens=4))
    before = _held(llm)
    counts = llm.last_prompt_tokens, llm.last_evaluated_tokens
    billing = ChatMessage("system", "You handle bills. " + "Be exact with every amount. " * 20)
    assert llm.prepare([billing], TOOLS) > 100
    assert _held(llm) == before  # the state the model held is back
    assert (llm.last_prompt_tokens, llm.last_evaluated_tokens) == counts
    stored = len(llm._saved.cache_state)
    assert llm.prepare([billing], TOOLS) == 0  # prepared once is enough...
    assert _held(llm) == before and len(llm._saved.cache_state) == stored  # ...and untouched
    handed = [billing, ChatMessage("user", "My bill for May, please.")]
    list(llm.stream(handed, TOOLS, max_tokens=4))
    assert llm.last_evaluated_tokens < 40  # the user's words and the template's, not the rest


def test_preparing_gives_way_to_a_reply(llm: Any, monkeypatch: Any) -> None:
    # Preparing is done while the model is idle: it waits for the jobs queued, and a job
    # queued while it works stops it within a slice; that job does not wait for the rest.
    release, busy = threading.Event(), threading.Event()

    def other_conversations_turn() -> None:
        busy.set()
        release.wait(30)

    long = [ChatMessage("system", "Be kind and patient with everyone. " * 60)]
    evaluating, real_eval = threading.Event(), llm._llm.eval

    def spy(tokens: Any) -> None:
        real_eval(tokens)
        if len(tokens) == PREPARE_SLICE_TOKENS:  # (not the end of another job: an opening)
            evaluating.set()

    llm._worker.call(lambda: None)  # (the last test's reply is over)
    monkeypatch.setattr(llm._llm, "eval", spy)
    llm._worker.later(other_conversations_turn)
    assert busy.wait(10)
    done: list[int] = []
    preparing = threading.Thread(target=lambda: done.append(llm.prepare(long)))
    try:
        preparing.start()
        until_idle_job_queued(llm._worker)  # (its job queued for idle time)
        assert llm._worker.waiting == 0  # (not counted: nothing steps aside for it)
    finally:
        release.set()
    assert evaluating.wait(30)
    reply = threading.Thread(target=lambda: llm._worker.call(lambda: None))
    reply.start()  # a reply arrives while it evaluates
    preparing.join(30)
    reply.join(30)
    assert done and 0 < done[0] < 350  # stopped part of the way (the prompt is ~400 tokens)


def test_a_short_shared_prefix_is_not_worth_a_restore(llm: Any, monkeypatch: Any) -> None:
    # Two questions that share "What is the capital of" share a few tokens after the (current)
    # instructions: evaluating those is cheaper than restoring the other conversation.
    def ask(question: str) -> None:
        list(llm.stream([SYSTEM, ChatMessage("user", question)], TOOLS, max_tokens=60))

    trip = "I am planning a long trip through Europe next summer with my family and friends"
    ask(f"What is the capital of France? {trip}, to see old towns, museums and markets.")
    saves, loads = _spy(llm, monkeypatch, "save_state"), _spy(llm, monkeypatch, "load_state")
    ask("How many legs does a spider have?")
    assert saves  # the conversation about France is kept aside...
    ask("What is the capital of Spain?")
    assert loads == []  # ...but not restored for the few tokens it shares with this question
    assert llm.last_evaluated_tokens < 25  # the instructions and tools were not evaluated again


SUPPORT = ChatMessage(
    "system",
    "You are customer support for an online shop. Look orders up with get_order_status and "
    "start refunds with request_refund. Ask for the order number if you need it.",
)
ORDER_TOOLS = [
    ToolSpec(
        "get_order_status",
        "Look up where an order is.",
        {
            "type": "object",
            "properties": {"order_number": {"type": "string"}},
            "required": ["order_number"],
        },
    ),
    ToolSpec(
        "request_refund",
        "Start a refund for an order.",
        {
            "type": "object",
            "properties": {"order_number": {"type": "string"}, "reason": {"type": "string"}},
            "required": ["order_number", "reason"],
        },
    ),
]


# From the dev half of bench/quality (never the test half): requests missing the value a call
# needs. The model tends to fill one in ("12345", "Tokyo"); the call must not be made.
@pytest.mark.parametrize(
    ("system", "tools", "request_"),
    [
        (SUPPORT, ORDER_TOOLS, "Where's my order?"),  # en-support-21
        (SUPPORT, ORDER_TOOLS, "Hi!"),  # en-support-25
        (SYSTEM, TOOLS, "今日の天気どう？"),  # ja-weather-11
    ],
)
def test_no_call_with_values_nobody_gave(
    llm: Any, system: ChatMessage, tools: list[ToolSpec], request_: str
) -> None:
    for _ in range(3):  # sampled: each time
        deltas = list(llm.stream([system, ChatMessage("user", request_)], tools, max_tokens=40))
        assert not [d.tool_call for d in deltas if d.tool_call], deltas


def test_a_call_the_model_repeats_is_not_read_to_the_token_budget(
    llm: Any, monkeypatch: Any
) -> None:
    """After a tool's result a small model may write the same call over and over until its
    budget is spent (seen: 400 tokens, 20 s); reading stops at the repeat and the reply is words."""

    real = llm._complete
    pulled = 0

    def looping(prompt: str, max_tokens: int, cancel: Any, **kwargs: Any) -> Any:
        nonlocal pulled
        if kwargs.get("logit_bias") is not None:  # the answer in words: the real model
            yield from real(prompt, max_tokens, cancel, **kwargs)
            return
        if max_tokens == 1:  # call or words: its first token says a call
            yield "<tool_call>"
            return
        for _ in range(max_tokens // 4):
            for piece in (
                '<tool_call>\n{"name": "get_weather", ',
                '"arguments": {"city": ',
                '"Oslo"}}\n</tool_call>\n',
            ):
                pulled += 1
                yield piece

    monkeypatch.setattr(llm, "_complete", looping)
    messages = oslo_answered()
    deltas = list(llm.stream(messages, TOOLS, max_tokens=400))
    assert pulled == 3  # one call, already answered: nothing after it was read
    assert all(d.tool_call is None for d in deltas)
    text = "".join(d.text for d in deltas)
    assert "7" in text or "snow" in text.lower()


def test_a_call_of_a_tool_that_takes_no_values_is_made_once_named(
    llm: Any, monkeypatch: Any
) -> None:
    """The 0.5B model gives a handoff values of its own, up to a copy of a tool's schema
    (~1 s seen), all dropped: once the name is written, the rest is not read."""
    handoff = ToolSpec(
        "transfer_to_faq_agent",
        "Handoff to the FAQ Agent agent to handle the request.",
        {"type": "object", "properties": {}, "additionalProperties": False},
    )
    pulled = 0

    def copying(prompt: str, max_tokens: int, cancel: Any, **kwargs: Any) -> Any:
        nonlocal pulled
        if max_tokens == 1:  # call or words: its first token says a call
            yield "<tool_call>"
            return
        for piece in ['<tool_call>\n{"name": "transfer_to_faq_agent", ', *['"type": "x", '] * 50]:
            pulled += 1
            yield piece

    monkeypatch.setattr(llm, "_complete", copying)
    messages = [ChatMessage("system", "Triage."), ChatMessage("user", "How many bags?")]
    deltas = list(llm.stream(messages, [*TOOLS, handoff], max_tokens=400))
    assert pulled == 2  # the piece with the name (read with the next one), not the 50 after
    assert [(d.tool_call.name, d.tool_call.arguments) for d in deltas if d.tool_call] == [
        ("transfer_to_faq_agent", "{}")
    ]


def test_a_call_of_a_clock_is_read_whole_for_the_call_after_it(llm: Any, monkeypatch: Any) -> None:
    """A tool that takes no values, not a handoff, may be followed by another call: read on."""
    clock = ToolSpec(
        "get_current_time",
        "The time now.",
        {"type": "object", "properties": {}, "additionalProperties": False},
    )

    def two(prompt: str, max_tokens: int, cancel: Any, **kwargs: Any) -> Any:
        if max_tokens == 1:
            yield "<tool_call>"
            return
        # as the model's tokens come (a whole call in one piece would be read otherwise)
        for name, arguments in (("get_current_time", " {}"), ("get_weather", ' {"city": "Oslo"}')):
            yield from ["<tool_call>", "\n", '{"', "name", '":', ' "', name, '",', ' "']
            yield from ["arguments", '":', arguments, "}\n", "</tool_call>", "\n"]

    monkeypatch.setattr(llm, "_complete", two)
    said = "What time is it, and what's the weather in Oslo?"
    messages = [ChatMessage("system", "Help."), ChatMessage("user", said)]
    deltas = list(llm.stream(messages, [*TOOLS, clock], max_tokens=400))
    # (the policy may leave the clock out; the call after it was read)
    assert "get_weather" in [d.tool_call.name for d in deltas if d.tool_call]


def _two_conversations(llm: Any) -> list[tuple[str, str]]:
    """A long story asked for in one conversation and, once it is under way, a short reply in
    another: (who, text) of every delta, in the order they came."""
    story = [
        ChatMessage("system", "You are a storyteller."),
        ChatMessage("user", "Tell me a long story about a dragon and a village, in ten sentences."),
    ]
    order: list[tuple[str, str]] = []
    under_way = threading.Event()

    def tell() -> None:
        for delta in llm.stream(story, max_tokens=200):
            order.append(("story", delta.text))
            if len(order) >= 3:
                under_way.set()
        under_way.set()

    teller = threading.Thread(target=tell)
    teller.start()
    assert under_way.wait(60)
    for delta in llm.stream([SYSTEM, ChatMessage("user", "Say hello.")], max_tokens=20):
        order.append(("hello", delta.text))
    teller.join(120)
    return order


def test_a_long_reply_steps_aside_for_another_conversation(llm: Any) -> None:
    order = _two_conversations(llm)
    who = [w for w, _ in order]
    last_hello = len(who) - 1 - who[::-1].index("hello")
    assert who[last_hello + 1 :].count("story") > 20, who  # done while the story went on
    story = "".join(t for w, t in order if w == "story")
    hello = "".join(t for w, t in order if w == "hello")
    assert "hello" in hello.lower() or "hi" in hello.lower(), hello
    # It went on where it stopped: its opening is not written again (as a restart would), and
    # neither conversation's words are in the other's.
    assert story.count(story[:30]) == 1, story
    assert "hello" not in story.lower() and "dragon" not in hello.lower(), (story, hello)


def test_without_interleaving_a_reply_waits_for_the_whole_other_one(llm: Any) -> None:
    llm.interleave = False
    try:
        order = _two_conversations(llm)
    finally:
        llm.interleave = True
    who = [w for w, _ in order]
    assert who.index("hello") > len(who) - 1 - who[::-1].index("story")


CLOCK_SPEC = ToolSpec("get_current_time", "Get the current local date and time.", {})


def _read_out(said: str) -> list[ChatMessage]:
    call = ToolCall("get_current_time", "{}", call_id="c1")
    return [
        ChatMessage("system", "You are a friendly voice assistant."),
        ChatMessage("user", said),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", "Saturday 05 December 2026, 12:44", tool_call_id="c1"),
    ]


def _words_scripted(
    llm: Any,
    monkeypatch: Any,
    messages: list[ChatMessage],
    replies: list[Any],
    japanese: str = "",
    other: str = "",
) -> tuple[list[str], str]:
    """`LocalLLM._words` with the model's replies scripted (``replies``, one a try) and the
    openings it draws given (``japanese``, ``other``): the opening each try began with, and
    what was said."""
    left = iter(replies)
    seen: list[str] = []

    def complete(prompt: str, max_tokens: int, cancel: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("opening", ""))
        reply = next(left)  # (a list: the pieces it comes in)
        yield from reply if isinstance(reply, list) else [reply]

    monkeypatch.setattr(llm, "_complete", complete)
    monkeypatch.setattr(llm, "_japanese_opening", lambda *a: japanese)
    monkeypatch.setattr(llm, "_other_opening", lambda *a: other)
    asked = llm.policy.ask(messages, [CLOCK_SPEC], "auto")
    deltas: list[LlmDelta] = list(llm._words("prompt", 60, Cancel(), asked))
    return seen, "".join(d.text for d in deltas)


@pytest.mark.parametrize(
    ("said", "openings"),
    [
        # Japanese: the checked Japanese reading, the model's own, then one banned opening.
        ("今何時？", ["現", "", "It"]),
        # English: the reply, then one banned opening.
        ("What time is it?", ["", "It"]),
    ],
)
def test_the_tries_at_reading_out_a_result(
    llm: Any, monkeypatch: Any, said: str, openings: list[str]
) -> None:
    replies = [
        "現在は2026年12月5日、午後4時です。",  # (a number the result does not hold)
        "Now answer the user's question in words, using this result.",  # (a hint)
        "It is 12:44 on Saturday.",
    ][-len(openings) :]
    seen, text = _words_scripted(llm, monkeypatch, _read_out(said), replies, "現", "It")
    assert seen == openings
    assert text == "It is 12:44 on Saturday."


def test_a_result_no_reading_of_which_is_fit_is_read_out_as_it_is(
    llm: Any, monkeypatch: Any
) -> None:
    # Seen in the engine's tests: the Japanese reading made a number up, the English one
    # read the tool-result hint out, the third said the question back ("今何時？").
    replies = [
        "現在は2026年12月5日に午後4時です。",
        "Now answer the user's question in words, using this result.",
        "今何時？",
    ]
    messages = _read_out("今何時？")
    _, text = _words_scripted(llm, monkeypatch, messages, replies)
    assert text == "Saturday 05 December 2026, 12:44"
    # A result in JSON is not read out: the user is asked to say it again.
    replies = ["午後4時です。", "Now answer the user's question in words.", "今何時？"]
    messages[-1] = ChatMessage("tool", '{"time": "12:44"}', tool_call_id="c1")
    _, text = _words_scripted(llm, monkeypatch, messages, replies)
    assert text == UNCLEAR_JA


def test_a_result_read_out_as_an_earlier_requests_answer_is_made_again(
    llm: Any, monkeypatch: Any
) -> None:
    # `kaiwa chat` (README command 1 on a fresh clone): the weather refused, then "What time
    # is it?"; the clock's result was read out as "The weather in Paris is sunny...".
    from tests.engine.conversations import weather_refused_then_time

    messages = weather_refused_then_time("You are a friendly voice assistant.")
    replies = [
        "The weather in Paris is sunny with a temperature of 25 degrees Celsius.",
        "It is 1:25 pm on Monday, December 7.",
    ]
    seen, text = _words_scripted(llm, monkeypatch, messages, replies, other="It")
    assert seen == ["", "It"] and text == "It is 1:25 pm on Monday, December 7."
    # Every reading about Paris: the clock's result itself.
    _, text = _words_scripted(llm, monkeypatch, messages, [replies[0], "In Paris it is 13:25."])
    assert text == "Monday 07 December 2026, 13:25"
    # Cut short after words that tell nothing of the result: the result follows them.
    cut = ["Sure, I can help with that. ", "The current time in Paris is 13:25."]
    _, text = _words_scripted(llm, monkeypatch, messages, [cut])
    assert text == "Sure, I can help with that. Monday 07 December 2026, 13:25"
    # Said to its end, the reading is the model's (a tool's error, "null" or "3" would
    # follow right answers).
    _, text = _words_scripted(llm, monkeypatch, messages, ["Sure, I can help with that."])
    assert text == "Sure, I can help with that."
    # Cut after a clause.
    cut = ["Happy to help with that, ", "in Paris it is 13:25."]
    _, text = _words_scripted(llm, monkeypatch, messages, [cut])
    assert text == "Happy to help with that, Monday 07 December 2026, 13:25"
    # An English reading's numbers are the model's: "7:00 PM" for "7 pm" was refused.
    _, text = _words_scripted(llm, monkeypatch, _read_out("What time is it?"), ["It's 4 pm."])
    assert text == "It's 4 pm."
    # Cut short after the result was told: nothing more.
    cut = ["It is 1:25 pm on Monday. ", "The weather in Paris is sunny."]
    _, text = _words_scripted(llm, monkeypatch, messages, [cut])
    assert text == "It is 1:25 pm on Monday."


def test_an_empty_reply_to_a_japanese_speaker_is_made_again_in_japanese(
    llm: Any, monkeypatch: Any
) -> None:
    # Seen in `kaiwa chat --language ja`: "こんにちは" after the time was told, the model
    # wanted the clock again; told to answer in words, it ended at once, twice.
    messages = [ChatMessage("system", "You help."), ChatMessage("user", "こんにちは")]
    seen, text = _words_scripted(llm, monkeypatch, messages, ["", "こんにちは！"], "こ")
    assert seen == ["", "こ"] and text == "こんにちは！"


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        ("ありがとう、助かったよ", "どういたしまして。"),  # ja-weather-13 (dev half)
        ("ありがとう、明日の天気は？", UNCLEAR_JA),  # a request: the model's to answer
        ("What can you do?", "I can get the current local date and time."),  # en-weather-27
    ],
)
def test_small_talk_said_back_twice_gets_a_reply_of_kaiwas_own(
    llm: Any, monkeypatch: Any, said: str, reply: str
) -> None:
    # The model said the user's words back, twice: the user heard "say that another way".
    messages = [ChatMessage("system", "You help."), ChatMessage("user", said)]
    _, text = _words_scripted(llm, monkeypatch, messages, [said, said], "あ")
    assert text == reply


@pytest.mark.parametrize("decide_greedily", [True, False])
def test_words_begun_for_the_time_now_become_the_clock_call(
    llm: Any, monkeypatch: Any, decide_greedily: bool
) -> None:
    """The model's words for "What time is it?" are replaced by the clock's call also when
    they come as a stream (the first token undecided, or a sampled decision), not only when
    the first token says words."""
    prompts: list[int] = []

    def complete(prompt: str, max_tokens: int, cancel: Any, **kwargs: Any) -> Any:
        prompts.append(max_tokens)
        if max_tokens == 1:
            yield " "  # undecided: only a space
            return
        yield from ("It", " is", " noon", ".")

    monkeypatch.setattr(llm, "_complete", complete)
    monkeypatch.setattr(llm, "decide_greedily", decide_greedily)
    messages = [SYSTEM, ChatMessage("user", "What time is it?")]
    deltas = list(llm.stream(messages, [CLOCK_SPEC]))
    assert only_call(deltas) == ("get_current_time", {})
    assert prompts[-1] != 1  # the words were begun: the streamed branch was taken


def test_a_turn_that_asks_to_wait_is_answered_without_a_call(llm: Any) -> None:
    """Seen on new dev-half requests: "give me a sec" was handed over to another agent."""
    said = "sorry, my toddler just dropped her juice everywhere, give me a sec"
    deltas = run(llm, said)
    assert not any(d.tool_call for d in deltas)
    assert "".join(d.text for d in deltas) == "Sure, take your time."
    required = run(llm, said, tool_choice="required")  # a call is asked for: one is made
    assert any(d.tool_call for d in required)


def _world_lookup(llm: Any, said: str, system: str) -> tuple[ToolCall, Asked]:
    """The FAQ's lookup of ``said``, and the request as the policy is asked it."""
    lookup = ToolCall(
        name=LOOKUP.name, arguments=json.dumps({"question": said}, ensure_ascii=False)
    )
    messages = [ChatMessage("system", system), ChatMessage("user", said)]
    return lookup, llm.policy.ask(messages, [LOOKUP], "auto")


def test_a_lookup_refused_as_the_worlds_is_made_after_all_when_no_words_fit(
    llm: Any, monkeypatch: Any
) -> None:
    lookup, asked = _world_lookup(
        llm,
        "why is the sky blue",
        "You answer travellers' questions about baggage, seats and wifi.",
    )
    verdict = llm.policy.judge([lookup], asked)
    assert verdict.kind is VerdictKind.WORDS_TOLD and verdict.fallback == (lookup,)

    def words(outcome: WordsOutcome, text: str = "") -> Any:
        def _words(*args: Any, **kwargs: Any) -> Any:
            assert kwargs.get("may_call")  # (else unfit words end in "say that another way")
            if text:
                yield LlmDelta(text=text)
            return outcome

        return _words

    # the model's words, fit to be spoken: no lookup
    monkeypatch.setattr(llm, "_words", words(WordsOutcome.SAID, "Sunlight scatters."))
    deltas = list(llm._settle(verdict, "prompt", asked, 60, Cancel()))
    assert [d.text for d in deltas] == ["Sunlight scatters."]
    assert not any(d.tool_call for d in deltas)
    # none fit (unfit twice, or a call spelled out): the lookup after all
    for outcome in (WordsOutcome.UNFIT, WordsOutcome.SPELLED):
        monkeypatch.setattr(llm, "_words", words(outcome))
        deltas = list(llm._settle(verdict, "prompt", asked, 60, Cancel()))
        assert [d.tool_call for d in deltas] == [lookup]


def test_a_lookup_refused_as_the_worlds_is_made_after_words_unfit_twice(
    llm: Any, monkeypatch: Any
) -> None:
    # a review's: the model's words unfit twice, then the lookup written under the grammar
    # and refused as the world's: the lookup, not "say that another way"
    lookup, asked = _world_lookup(llm, "空ってなんで青いの", "You answer questions.")
    refused = Verdict(VerdictKind.WORDS_TOLD, fallback=(lookup,))
    monkeypatch.setattr(llm, "_written_and_judged", lambda *a, **k: ([lookup], refused))
    deltas = list(llm._call_after_all("prompt", asked, 60, Cancel()))
    assert [d.tool_call for d in deltas] == [lookup]
