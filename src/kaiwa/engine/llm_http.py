"""The LLM stage over HTTP: any OpenAI-compatible ``/v1/chat/completions`` server.

llama.cpp's server, vLLM, Ollama...: how a deployment moves the LLM stage to a bigger machine
shared by many ``kaiwa serve`` processes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..exceptions import EngineError
from ._threads import Cancel
from .chat import ChatMessage, LlmDelta, ToolCall, ToolChoice, ToolSpec, choose_tools

__all__ = ["ChatCompletionsLLM"]


class ChatCompletionsLLM:
    """The LLM stage over an OpenAI-compatible ``/v1/chat/completions`` endpoint.

    Args:
        base_url: e.g. ``http://127.0.0.1:8080/v1``.
        model: the model name the server expects.
        api_key: sent as a Bearer token when given.
        include_usage: ask for the token counts (``stream_options.include_usage``); turn
            off for a server that refuses the option.
    """

    def __init__(
        self,
        base_url: str,
        model: str = "default",
        *,
        api_key: str | None = None,
        temperature: float = 0.3,
        timeout: float = 60.0,
        include_usage: bool = True,
    ) -> None:
        import openai

        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "none", timeout=timeout, max_retries=0
        )
        self.model = model
        self.temperature = temperature
        self.include_usage = include_usage

    def stream(
        self,
        messages: Sequence[ChatMessage],
        tools: Sequence[ToolSpec] = (),
        *,
        tool_choice: ToolChoice = "auto",
        max_tokens: int = 256,
        cancel: Cancel | None = None,
        usage: dict[str, int] | None = None,
    ) -> Iterator[LlmDelta]:
        """Stream the reply from the server (blocking); ``usage`` as the server reports it."""
        _, allowed = choose_tools(tool_choice, tools)  # checks the choice before any request
        payload: list[dict[str, Any]] = []
        for m in messages:
            item: dict[str, Any] = {"role": m.role, "content": m.content}
            if m.tool_calls:
                item["tool_calls"] = [
                    {
                        "id": c.call_id,
                        "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    }
                    for c in m.tool_calls
                ]
            if m.tool_call_id:
                item["tool_call_id"] = m.tool_call_id
            payload.append(item)
        kwargs: dict[str, Any] = {}
        if self.include_usage:
            kwargs["stream_options"] = {"include_usage": True}
        if tools:
            kwargs["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": dict(t.parameters),
                    },
                }
                for t in tools
            ]
            kwargs["tool_choice"] = (
                tool_choice
                if isinstance(tool_choice, str)
                else {"type": "function", "function": {"name": allowed[0].name}}
            )
        try:
            stream: Any = self._client.chat.completions.create(
                model=self.model,
                messages=payload,  # type: ignore[arg-type]
                stream=True,
                max_tokens=max_tokens,
                temperature=self.temperature,
                **kwargs,
            )
            calls: dict[int, dict[str, str]] = {}
            for chunk in stream:
                if cancel is not None and cancel.is_set:
                    stream.close()
                    return
                if chunk.usage is not None and usage is not None:
                    details = getattr(chunk.usage, "prompt_tokens_details", None)
                    usage["input_tokens"] = chunk.usage.prompt_tokens or 0
                    usage["cached_tokens"] = getattr(details, "cached_tokens", None) or 0
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta
                if delta.content:
                    yield LlmDelta(text=delta.content)
                for tc in delta.tool_calls or []:
                    slot = calls.setdefault(tc.index, {"name": "", "arguments": "", "id": ""})
                    if tc.id:
                        slot["id"] = tc.id
                    if tc.function and tc.function.name and not slot["name"]:
                        # The name comes whole (some servers repeat it in every chunk).
                        slot["name"] = tc.function.name
                    if tc.function and tc.function.arguments:
                        slot["arguments"] += tc.function.arguments
        except Exception as exc:
            raise EngineError(f"chat-completions request failed: {exc}") from exc
        for slot in calls.values():
            yield LlmDelta(
                tool_call=ToolCall(
                    name=slot["name"],
                    arguments=slot["arguments"] or "{}",
                    **({"call_id": slot["id"]} if slot["id"] else {}),
                )
            )
