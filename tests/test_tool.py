"""function_tool: schemas from hints and docstrings, invocation, errors."""

from __future__ import annotations

import asyncio
import threading
from typing import Literal

import pydantic
import pytest

from kaiwa import RunContextWrapper, ToolContext, ToolError, UserError, function_tool


def ctx(call_id: str = "c1") -> ToolContext:
    return ToolContext(context={"user": "ana"}, tool_name="t", tool_call_id=call_id)


def test_schema_comes_from_hints_and_google_docstring() -> None:
    @function_tool
    def get_weather(city: str, unit: Literal["C", "F"] = "C", days: int = 1) -> str:
        """Get the weather forecast.

        Args:
            city: The city to look up.
            unit: Temperature unit.
            days: How many days ahead.
        """
        return ""

    schema = get_weather.params_json_schema
    assert get_weather.name == "get_weather"
    assert get_weather.description == "Get the weather forecast."
    assert schema["properties"]["city"] == {"type": "string", "description": "The city to look up."}
    assert schema["properties"]["unit"]["enum"] == ["C", "F"]
    assert schema["required"] == ["city"]
    assert schema["additionalProperties"] is False


def test_context_parameter_is_hidden_and_passed() -> None:
    @function_tool
    async def whoami(context: RunContextWrapper[dict], greeting: str) -> str:
        return f"{greeting} {context.context['user']}"

    assert list(whoami.params_json_schema["properties"]) == ["greeting"]
    assert asyncio.run(whoami.on_invoke_tool(ctx(), '{"greeting": "hi"}')) == "hi ana"


def test_sync_tool_runs_off_the_event_loop_thread() -> None:
    seen: list[bool] = []

    @function_tool
    def blocking() -> str:
        seen.append(threading.current_thread() is threading.main_thread())
        return "done"

    assert asyncio.run(blocking.on_invoke_tool(ctx(), "")) == "done"
    assert seen == [False]


def test_pydantic_model_argument() -> None:
    class Order(pydantic.BaseModel):
        sku: str
        quantity: int

    @function_tool(name_override="place_order", description_override="Place an order.")
    def place(order: Order) -> str:
        return f"{order.quantity}x{order.sku}"

    assert place.name == "place_order" and place.description == "Place an order."
    out = asyncio.run(place.on_invoke_tool(ctx(), '{"order": {"sku": "A1", "quantity": 2}}'))
    assert out == "2xA1"


@pytest.mark.parametrize("arguments", ['{"n": "x"}', "{not json", '{"n": 1, "extra": 2}', "{}"])
def test_invalid_arguments_raise_tool_error_with_call_id(arguments: str) -> None:
    @function_tool
    def square(n: int) -> int:
        return n * n

    with pytest.raises(ToolError, match="invalid arguments for tool 'square'") as info:
        asyncio.run(square.on_invoke_tool(ctx("call_9"), arguments))
    assert info.value.call_id == "call_9"


def test_varargs_cannot_be_described() -> None:
    with pytest.raises(UserError, match="args"):
        function_tool(lambda *args: None)


def test_bad_timeout_is_refused() -> None:
    with pytest.raises(UserError, match="timeout"):
        function_tool(timeout=0)(lambda: None)
