"""kaiwa's SDK survives a dropped connection (issue 15): against a real `kaiwa serve`, through a
TCP relay the test can cut, as a network would."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

import kaiwa

from .conftest import API_KEY, Served


class Relay:
    """A TCP relay on 127.0.0.1 to the server; `cut` drops every connection through it
    without a close frame (the client sees 1006, as when a network goes away)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._server: asyncio.Server | None = None
        self._pairs: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self.refusing = False

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            writer.transport.abort()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        self._pairs.append((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def cut(self) -> None:
        for pair in self._pairs:
            for writer in pair:
                writer.transport.abort()
        self._pairs.clear()

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()


@pytest.fixture
async def relay(served: Served) -> AsyncIterator[tuple[Relay, str]]:
    relay = Relay(int(served.url.split(":")[2].split("/")[0]))
    port = await relay.start()
    yield relay, served.url.replace(f":{relay.port}/", f":{port}/")
    await relay.close()


class ServerEvents(kaiwa.RealtimeModelListener):
    """The server's events, as the model received them."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    async def on_event(self, event: Any) -> None:
        if event.type == "raw_server_event":
            self.events.append(event.data)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]


def name(event: Any) -> str:
    """A session event's name; for a raw model event, the model event's (for a raw server
    event, the server event's type)."""
    if event.type != "raw_model_event":
        return str(event.type)
    if event.data.type == "raw_server_event":
        return str(event.data.data["type"])
    return str(event.data.type)


async def until(session: Any, kind: str, timeout: float = 90) -> list[Any]:
    """Session events up to the first named ``kind`` (see `name`)."""
    seen: list[Any] = []

    async def read() -> None:
        async for event in session:
            seen.append(event)
            if name(event) == kind:
                return

    try:
        await asyncio.wait_for(read(), timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"no {kind}; saw {[name(e) for e in seen][-20:]}") from None
    return seen


async def start(url: str, reconnect: kaiwa.ReconnectPolicy, **config: Any) -> Any:
    """A kaiwa session with a one-sentence assistant, through the relay at ``url``."""
    agent = kaiwa.RealtimeAgent(name="Assistant", instructions="Answer in one short sentence.")
    return await kaiwa.RealtimeRunner(agent).run(
        model_config={"url": url, "api_key": API_KEY, "reconnect": reconnect, **config}
    )


def assistant_said(session: Any) -> list[str]:
    return [
        " ".join(
            (getattr(c, "transcript", None) or getattr(c, "text", None) or "") for c in item.content
        )
        for item in session.history
        if item.type == "message" and item.role == "assistant"
    ]


async def test_a_dropped_connection_is_replaced_and_the_conversation_goes_on(
    relay: tuple[Relay, str],
) -> None:
    cuttable, url = relay
    session = await start(
        url, {"first_delay": 0.2}, initial_model_settings={"output_modalities": ["text"]}
    )
    async with session:
        server = ServerEvents()
        session.model.add_listener(server)
        await session.send_message("My name is Ada. What is the capital of France?")
        await until(session, "agent_end")
        before = [item.item_id for item in session.history]
        assert len(before) == 2 and "paris" in " ".join(assistant_said(session)).lower()

        cuttable.refusing = True  # the first attempt finds nobody there
        cuttable.cut()
        seen = await until(session, "connection_status")
        assert seen[-1].data.status == "reconnecting"
        await asyncio.sleep(0.5)
        cuttable.refusing = False
        seen = await until(session, "reconnected")
        reconnected = seen[-1].data
        assert reconnected.attempts >= 2
        assert (reconnected.items_replayed, reconnected.items_skipped) == (2, 0)
        # The new server session has the same conversation, under the same ids.
        ids = [item.item_id for item in session.history]
        assert ids == before
        for item_id in ids:
            await session.model.send_event(
                kaiwa.RealtimeModelSendRawMessage(
                    {"type": "conversation.item.retrieve", "other_data": {"item_id": item_id}}
                )
            )
        while len(server.of("conversation.item.retrieved")) < 2:
            await until(session, "history_updated")
        kept = [e["item"] for e in server.of("conversation.item.retrieved")]
        assert [i["id"] for i in kept] == before
        assert "ada" in kept[0]["content"][0]["text"].lower()

        await session.send_message("And of Spain?")
        await until(session, "agent_end")
        assert len(session.history) == 4, session.history  # nothing doubled, nothing lost
        assert "madrid" in assistant_said(session)[-1].lower()


async def test_a_server_that_stays_away_ends_the_session_after_its_attempts(
    relay: tuple[Relay, str],
) -> None:
    cuttable, url = relay
    session = await start(url, {"attempts": 3, "first_delay": 0.05})
    async with session:
        cuttable.refusing = True
        cuttable.cut()
        statuses: list[str] = []
        with pytest.raises(kaiwa.ModelConnectionError, match="dropped"):
            async with asyncio.timeout(60):
                async for event in session:
                    if name(event) == "connection_status":
                        statuses.append(event.data.status)
        assert statuses[-2:] == ["reconnecting", "disconnected"], statuses
        # Held, not sent: the app is told, and a send now is refused clearly.
        with pytest.raises((kaiwa.InvalidState, kaiwa.ModelConnectionError)):
            await session.send_message("Anyone there?")


async def test_a_long_conversation_is_replayed_whole(relay: tuple[Relay, str]) -> None:
    # 600 items: their echoes (1,200 events) are more than the server holds for a client that
    # does not read, so the replay must be sent while the client reads.
    cuttable, url = relay
    session = await start(url, {"first_delay": 0.05})
    async with session:
        server = ServerEvents()
        session.model.add_listener(server)
        seen: list[Any] = []

        async def drain() -> None:
            async for event in session:
                seen.append(event)

        reader = asyncio.get_running_loop().create_task(drain())
        ids = [f"item_{i:04d}" for i in range(600)]
        for item_id in ids:
            content = [{"type": "input_text", "text": f"Note {item_id}."}]
            item = {"id": item_id, "type": "message", "role": "user", "content": content}
            await session.model.send_event(
                kaiwa.RealtimeModelSendRawMessage(
                    {"type": "conversation.item.create", "other_data": {"item": item}}
                )
            )
        async with asyncio.timeout(60):
            while len(server.of("conversation.item.done")) < len(ids):
                await asyncio.sleep(0.05)
        cuttable.cut()
        async with asyncio.timeout(60):
            while not [e for e in seen if name(e) == "reconnected"]:
                await asyncio.sleep(0.05)
        reconnected = next(e for e in seen if name(e) == "reconnected").data
        assert (reconnected.items_replayed, reconnected.items_skipped) == (len(ids), 0)
        async with asyncio.timeout(60):
            while len(server.of("conversation.item.done")) < 2 * len(ids):
                await asyncio.sleep(0.05)
        again = [e["item"]["id"] for e in server.of("conversation.item.done")[len(ids) :]]
        assert again == ids
        assert not [e for e in seen if name(e) in ("error", "disconnected")]
        reader.cancel()
