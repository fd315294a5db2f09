"""RealtimeSession against the scripted Realtime server (a test double), over real sockets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kaiwa import (
    GuardrailFunctionOutput,
    ModelConnectionError,
    RealtimeAgent,
    RealtimePlaybackTracker,
    RealtimeRunner,
    ToolError,
    UnknownToolError,
    UserError,
    function_tool,
    output_guardrail,
)
from kaiwa.testing import ScriptedRealtimeServer

from .conftest import collect, count_agent_end, types


async def test_text_turn_gives_audio_transcript_and_history(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    runner = RealtimeRunner(RealtimeAgent(name="Assistant", instructions="Be brief."))
    async with await runner.run(model_config=model_config) as session:
        await session.send_message("hello there")
        events = await collect(session, count_agent_end(1))
    kinds = types(events)
    assert kinds[0] == "history_updated"
    assert kinds.index("agent_start") < kinds.index("audio") < kinds.index("audio_end")
    assert kinds[-1] == "agent_end"
    audio = [e for e in events if e.type == "audio"]
    assert len(audio) == server.chunks * len(server.stages.tts.said)  # per clause spoken
    assert all(len(e.audio.data) == server.chunk_ms * 48 for e in audio)
    history = session.history
    assert [(i.role, i.type) for i in history] == [("user", "message"), ("assistant", "message")]
    assert history[1].content[0].transcript == "You said: hello there"
    update = server.received[0]
    assert update["type"] == "session.update"
    assert update["session"]["instructions"] == "Be brief."


async def test_settings_precedence_session_over_agent_over_run_config(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    agent = RealtimeAgent(name="A", instructions="agent instructions", voice="coral")
    runner = RealtimeRunner(
        agent,
        config={"model_settings": {"voice": "ash", "instructions": "run", "speed": 1.2}},
    )
    config = {**model_config, "initial_model_settings": {"instructions": "session"}}
    async with await runner.run(model_config=config):
        pass
    session = server.received[0]["session"]
    assert session["instructions"] == "session"
    assert session["audio"]["output"]["voice"] == "coral"
    assert session["audio"]["output"]["speed"] == 1.2
    assert session["audio"]["input"]["turn_detection"] == {
        "type": "semantic_vad",
        "interrupt_response": True,
    }


async def test_function_tool_runs_and_its_result_is_answered(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    @function_tool
    async def get_weather(city: str) -> str:
        """Weather for a city."""
        return f"sunny in {city}"

    agent = RealtimeAgent(name="A", tools=[get_weather])
    async with await RealtimeRunner(agent).run(model_config=model_config) as session:
        await session.send_message('call get_weather {"city": "Kyoto"}')
        events = await collect(session, count_agent_end(2))
    kinds = types(events)
    assert kinds.index("tool_start") < kinds.index("tool_end")
    end = next(e for e in events if e.type == "tool_end")
    assert end.output == "sunny in Kyoto" and end.tool.name == "get_weather"
    outputs = [
        e
        for e in server.received
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"
    ]
    assert outputs[0]["item"]["output"] == "sunny in Kyoto"
    tool_items = [i for i in session.history if i.type == "function_call"]
    assert tool_items[0].status == "completed" and tool_items[0].output == "sunny in Kyoto"
    assert session.history[-1].content[0].transcript == "The tool said: sunny in Kyoto"


async def test_failing_tool_reports_error_and_session_continues(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    @function_tool
    def explode() -> str:
        raise RuntimeError("kaboom")

    agent = RealtimeAgent(name="A", tools=[explode])
    async with await RealtimeRunner(agent).run(model_config=model_config) as session:
        await session.send_message("call explode {}")
        events = await collect(session, count_agent_end(2))
        await session.send_message("still there?")
        events += await collect(session, count_agent_end(1))
    errors = [e.error for e in events if e.type == "error"]
    assert len(errors) == 1 and isinstance(errors[0], ToolError) and "kaboom" in str(errors[0])
    output = next(
        e for e in server.received if e.get("item", {}).get("type") == "function_call_output"
    )
    assert "kaboom" in output["item"]["output"]
    assert session.history[-1].content[0].transcript == "You said: still there?"


async def test_unknown_tool_is_an_error_output_not_a_crash(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    @function_tool
    def real_tool() -> str:
        return "ok"

    agent = RealtimeAgent(name="A", tools=[real_tool])
    async with await RealtimeRunner(agent).run(model_config=model_config) as session:
        await session.send_message("call imaginary {}")
        events = await collect(session, count_agent_end(2))
    error = next(e.error for e in events if e.type == "error")
    assert isinstance(error, UnknownToolError)
    output = next(
        e for e in server.received if e.get("item", {}).get("type") == "function_call_output"
    )
    assert "imaginary" in output["item"]["output"] and "real_tool" in output["item"]["output"]


async def test_slow_tool_times_out_and_audio_keeps_flowing(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    release = asyncio.Event()

    @function_tool(timeout=0.3)
    async def slow() -> str:
        await release.wait()
        return "never"

    agent = RealtimeAgent(name="A", tools=[slow])
    async with await RealtimeRunner(agent).run(model_config=model_config) as session:
        await session.send_message("call slow {}")
        # While the tool waits, the model keeps answering other turns.
        await collect(session, lambda e: e.type == "tool_start")
        await session.send_message("meanwhile")
        events = await collect(session, lambda e: e.type == "tool_end", timeout=5)
        assert "audio" in types(events)
    assert any(e.type == "error" and "timed out" in str(e.error) for e in events)


async def test_tool_approval_waits_for_the_application(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    calls: list[str] = []

    @function_tool(needs_approval=True)
    def delete_account(user: str) -> str:
        calls.append(user)
        return "deleted"

    agent = RealtimeAgent(name="A", tools=[delete_account])

    async def decide(event: Any) -> None:
        if event.type == "tool_approval_required":
            await session.reject_tool_call(event.call_id, rejection_message="not allowed")

    async with await RealtimeRunner(agent).run(model_config=model_config) as session:
        await session.send_message('call delete_account {"user": "bob"}')
        await collect(session, count_agent_end(2), on_event=decide)
    assert calls == []
    output = next(
        e for e in server.received if e.get("item", {}).get("type") == "function_call_output"
    )
    assert output["item"]["output"] == "not allowed"


async def test_handoff_switches_agent_and_updates_session(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    @function_tool
    def billing_lookup() -> str:
        return "42 EUR"

    billing = RealtimeAgent(
        name="Billing", instructions="You handle bills.", tools=[billing_lookup]
    )
    triage = RealtimeAgent(name="Triage", instructions="Route calls.", handoffs=[billing])
    async with await RealtimeRunner(triage).run(model_config=model_config) as session:
        await session.send_message("transfer to billing")
        events = await collect(session, count_agent_end(2))
        assert session.current_agent is billing
    handoff = next(e for e in events if e.type == "handoff")
    assert handoff.from_agent is triage and handoff.to_agent is billing
    ends = [e.agent.name for e in events if e.type == "agent_end"]
    assert ends == ["Triage", "Billing"]
    updates = [e for e in server.received if e["type"] == "session.update"]
    assert [t["name"] for t in updates[0]["session"]["tools"]] == ["transfer_to_billing"]
    assert updates[1]["session"]["instructions"] == "You handle bills."
    assert [t["name"] for t in updates[1]["session"]["tools"]] == ["billing_lookup"]
    output = next(
        e for e in server.received if e.get("item", {}).get("type") == "function_call_output"
    )
    assert output["item"]["output"] == '{"assistant": "Billing"}'
    # The session update reaches the server before the tool output that resumes the model.
    assert server.received.index(updates[1]) < server.received.index(output)


async def test_guardrail_trips_cancels_response_and_drops_queued_audio(
    model_config: dict[str, Any], server: ScriptedRealtimeServer
) -> None:
    @output_guardrail
    def no_word7(ctx: Any, agent: Any, text: str) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered="word7" in text)

    agent = RealtimeAgent(name="A", output_guardrails=[no_word7])
    runner = RealtimeRunner(agent, config={"guardrails_settings": {"debounce_text_length": 20}})
    async with await runner.run(model_config=model_config) as session:
        await session.send_message("long answer")
        events = await collect(session, lambda e: e.type == "guardrail_tripped")
        tripped = events[-1]
        rest = await collect(session, count_agent_end(2))
    assert "word7" in tripped.message
    assert tripped.guardrail_results[0].guardrail is no_word7
    # The long answer (resp 1) was cancelled, and no audio of it came out after the trip.
    done = [e for e in server.sent if e["type"] == "response.done"]
    assert done[0]["response"]["status"] == "cancelled"
    first_response = done[0]["response"]["id"]
    assert not [e for e in rest if e.type == "audio" and e.audio.response_id == first_response]
    assert "audio_interrupted" in types(rest)
    feedback = [e for e in server.received if e["type"] == "conversation.item.create"]
    assert feedback[-1]["item"]["content"][0]["text"] == "guardrail triggered: no_word7"
    assert sum(e.type == "guardrail_tripped" for e in events + rest) == 1


async def test_barge_in_truncates_at_the_played_position(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    tracker = RealtimePlaybackTracker()
    agent = RealtimeAgent(name="A")
    config = {
        **model_config,
        "playback_tracker": tracker,
        "initial_model_settings": {
            "turn_detection": {"type": "server_vad", "interrupt_response": True}
        },
    }
    async with await RealtimeRunner(agent).run(model_config=config) as session:
        await session.send_message("long answer")
        audio_seen = 0

        def played(event: Any) -> bool:
            nonlocal audio_seen
            if event.type == "audio":
                audio_seen += 1
                if audio_seen <= 3:  # the app played 3 chunks of 100 ms, then the user spoke
                    tracker.on_play_bytes(event.item_id, event.content_index, event.audio.data)
            return audio_seen == 5

        await collect(session, played)
        loud = b"\x00\x30" * 2400  # 100 ms of loud pcm16: the server's VAD hears speech
        await session.send_audio(loud)
        events = await collect(session, lambda e: e.type == "audio_interrupted")
        rest = await collect(session, count_agent_end(1))
    assert server.truncations and server.truncations[0][1] == 300
    done = [e for e in server.sent if e["type"] == "response.done"]
    assert done[0]["response"]["status"] == "cancelled"
    assert not [e for e in rest if e.type == "audio"]
    assert events


async def test_interrupt_cancels_the_active_response(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    async with await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config=model_config
    ) as session:
        await session.send_message("long answer")
        await collect(session, lambda e: e.type == "audio")
        await session.interrupt()
        events = await collect(session, count_agent_end(1))
    assert "audio_interrupted" in types(events)
    cancels = [e for e in server.received if e["type"] == "response.cancel"]
    assert len(cancels) == 1
    assert [e for e in server.received if e["type"] == "conversation.item.truncate"]


async def test_two_response_creates_in_a_row_are_queued_not_errors(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    async with await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config=model_config
    ) as session:
        await session.send_message("long answer")
        await session.send_message("and another")
        await session.send_message("and a third")
        events = await collect(session, count_agent_end(2), timeout=15)
    assert "error" not in types(events)
    creates = [i for i, e in enumerate(server.received) if e["type"] == "response.create"]
    assert len(creates) == 2  # the two waiting asks merged into one response
    done_first = next(e for e in server.sent if e["type"] == "response.done")
    assert server.sent.index(done_first) >= 0
    assert not [e for e in server.sent if e["type"] == "error"]
    assert session.history[-1].content[0].transcript == "You said: and a third"


async def test_dropped_connection_raises_from_the_iterator_without_reconnecting(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    async with await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config={**model_config, "reconnect": False}
    ) as session:
        await session.send_message("long answer")
        await collect(session, lambda e: e.type == "audio")
        server.drop_connections()
        with pytest.raises(ModelConnectionError, match="dropped"):
            async for _ in session:
                pass


async def test_bad_api_key_is_refused_with_status(server: ScriptedRealtimeServer) -> None:
    runner = RealtimeRunner(RealtimeAgent(name="A"))
    session = await runner.run(model_config={"url": server.url, "api_key": "wrong"})
    with pytest.raises(ModelConnectionError) as info:
        await session.__aenter__()
    assert info.value.status == 401


async def test_unreachable_server_is_a_clear_error() -> None:
    session = await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config={"url": "ws://127.0.0.1:9/v1/realtime", "api_key": "k"}
    )
    with pytest.raises(ModelConnectionError, match="cannot connect"):
        await session.__aenter__()


async def test_wrong_setting_fails_before_anything_is_sent(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    runner = RealtimeRunner(
        RealtimeAgent(name="A"), config={"model_settings": {"output_audio_format": "mp3"}}
    )
    session = await runner.run(model_config=model_config)
    with pytest.raises(UserError, match="output_audio_format"):
        await session.__aenter__()
    assert server.received == [] and server.connections == []


async def test_server_error_event_is_reported_and_session_goes_on(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    from kaiwa import RealtimeModelSendRawMessage

    async with await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config=model_config
    ) as session:
        await session.model.send_event(
            RealtimeModelSendRawMessage(
                {"type": "conversation.item.retrieve", "other_data": {"item_id": "nope"}}
            )
        )
        events = await collect(session, lambda e: e.type == "error")
        assert events[-1].error["code"] == "item_not_found"
        await session.send_message("ok?")
        await collect(session, count_agent_end(1))


async def test_structured_message_with_image_is_sent(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    async with await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config=model_config
    ) as session:
        await session.send_message(
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "what is this"},
                    {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
                ],
            }
        )
        await collect(session, count_agent_end(1))
    item = next(e for e in server.received if e["type"] == "conversation.item.create")["item"]
    assert [p["type"] for p in item["content"]] == ["input_text", "input_image"]


async def test_spoken_turn_fills_transcript_into_history(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    server.transcripts.append("what time is it")
    config = {
        **model_config,
        "initial_model_settings": {
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 200}
        },
    }
    async with await RealtimeRunner(RealtimeAgent(name="A")).run(model_config=config) as session:
        await session.send_audio(b"\x00\x30" * 4800)  # 200 ms of speech
        await session.send_audio(b"\x00\x00" * 7200)  # 300 ms of silence
        events = await collect(session, count_agent_end(1))
    user = next(i for i in session.history if i.role == "user")
    assert user.content[0].transcript == "what time is it"
    assert session.history[-1].content[0].transcript == "You said: what time is it"
    assert "history_added" in types(events)


async def test_malformed_server_frames_are_errors_and_the_session_goes_on(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    from kaiwa import ProtocolError

    async with await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config=model_config
    ) as session:
        await server.inject("{not json")
        await server.inject('{"type": "response.output_audio.delta", "delta": "!!"}')
        await server.inject('{"type": "response.done"}')
        events = await collect(session, lambda e: e.type == "error")
        events += await collect(session, lambda e: e.type == "error")
        events += await collect(session, lambda e: e.type == "error")
        await session.send_message("still fine")
        await collect(session, count_agent_end(1))
    errors = [e.error for e in events if e.type == "error"]
    assert len(errors) == 3 and all(isinstance(e, ProtocolError) for e in errors)
    assert "not JSON" in str(errors[0])
    assert session.history[-1].content[0].transcript == "You said: still fine"


async def test_approve_always_runs_this_and_later_calls_without_asking(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    calls: list[int] = []

    @function_tool(needs_approval=True)
    def charge(amount: int) -> str:
        calls.append(amount)
        return "charged"

    agent = RealtimeAgent(name="A", tools=[charge])
    asked = 0

    async def decide(event: Any) -> None:
        nonlocal asked
        if event.type == "tool_approval_required":
            asked += 1
            await session.approve_tool_call(event.call_id, always=True)

    async with await RealtimeRunner(agent).run(model_config=model_config) as session:
        await session.send_message('call charge {"amount": 5}')
        await collect(session, count_agent_end(2), on_event=decide)
        await session.send_message('call charge {"amount": 7}')
        await collect(session, count_agent_end(2), on_event=decide)
    assert calls == [5, 7] and asked == 1


async def test_raw_model_listener_sees_every_server_event(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    from kaiwa import RealtimeModelListener

    seen: list[str] = []

    class Listener(RealtimeModelListener):
        async def on_event(self, event: Any) -> None:
            if event.type == "raw_server_event":
                seen.append(event.data["type"])

    async with await RealtimeRunner(RealtimeAgent(name="A")).run(
        model_config=model_config
    ) as session:
        session.model.add_listener(Listener())
        await session.send_message("hi")
        await collect(session, count_agent_end(1))
    assert "response.created" in seen and "response.done" in seen
    deltas = [e for e in server.sent if e["type"] == "response.output_audio.delta"]
    assert seen.count("response.output_audio.delta") == len(deltas) > 0


async def test_custom_headers_replace_the_bearer_key(server: ScriptedRealtimeServer) -> None:
    runner = RealtimeRunner(RealtimeAgent(name="A"))
    ok = await runner.run(
        model_config={"url": server.url, "headers": {"Authorization": "Bearer test-key"}}
    )
    async with ok:
        pass
    azure_style = await runner.run(model_config={"url": server.url, "headers": {"api-key": "x"}})
    with pytest.raises(ModelConnectionError) as info:
        await azure_style.__aenter__()
    assert info.value.status == 401


async def test_missing_api_key_is_a_clear_user_error(
    server: ScriptedRealtimeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    session = await RealtimeRunner(RealtimeAgent(name="A")).run(model_config={"url": server.url})
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        await session.__aenter__()
