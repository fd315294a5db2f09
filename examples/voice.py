"""Talk with an agent: microphone and speaker, echo cancelled, offline when no key is set."""

import asyncio
import contextlib

from kaiwa import RealtimeAgent, RealtimeRunner, function_tool
from kaiwa.audio import converse


@function_tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"It is sunny in {city}."


agent = RealtimeAgent(name="Assistant", instructions="Be brief.", tools=[get_weather])


async def main() -> None:
    async with await RealtimeRunner(agent).run() as session:
        print("Listening: ask about the weather. Ctrl-C ends the conversation.")
        await converse(session)  # returns when the session ends


with contextlib.suppress(KeyboardInterrupt):
    asyncio.run(main())
