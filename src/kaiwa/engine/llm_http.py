"""The LLM stage over HTTP: any OpenAI-compatible ``/v1/chat/completions`` server.

llama.cpp's server, vLLM, Ollama...: how a deployment moves the LLM stage to a bigger machine
shared by many ``kaiwa serve`` processes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from ..exceptions import EngineError
from ._threads import Cancel
from .chat import ChatMessage, LlmDelta, ToolCall, ToolChoice, ToolSpec
from .tool_policy import ToolCallPolicy, Verdict, VerdictKind, no_tool_hint

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
        self.policy = ToolCallPolicy()
        """What the server's tool calls must pass before they are made."""

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
        """Stream the reply from the server (blocking); ``usage`` as the server reports it.

        The server's tool calls pass `policy` (`kaiwa.engine.tool_policy`), as the local
        model's do: a call it rejects is asked for again (a malformed one, by name) or
        answered in words by a second request. Text comes as it is written; calls are held
        until the reply is done.
        """
        asked = self.policy.ask(messages, tools, tool_choice)  # checked before any request
        said, calls = False, []
        # Every tool is shown, as the local model shows them (the server's cached prompt
        # prefix holds from turn to turn); the policy decides which calls may be made.
        choice: ToolChoice = (
            tool_choice if isinstance(tool_choice, str) else _named(asked.callable[0].name)
        )
        for delta in self._request(asked.messages, asked.shown, choice, max_tokens, cancel, usage):
            if delta.tool_call is not None:
                calls.append(delta.tool_call)
            else:
                said = said or bool(delta.text.strip())
                yield delta
        if not calls or (cancel is not None and cancel.is_set):
            return
        verdict = self.policy.judge(calls, asked)
        names = {c.name for c in calls}
        if verdict.kind is VerdictKind.REWRITE and len(names) == 1:
            # One of our tools with arguments that do not fit: asked for again, by name (a
            # server with grammars, like llama.cpp's, then writes them to the schema).
            again = [
                d.tool_call
                for d in self._request(
                    asked.messages,
                    asked.shown,
                    _named(names.pop()),
                    max_tokens,
                    cancel,
                    usage,
                )
                if d.tool_call is not None
            ]
            verdict = self.policy.judge(again, asked) if again else Verdict(VerdictKind.WORDS_TOLD)
        if verdict.kind is VerdictKind.CALL:
            for c in verdict.calls:
                yield LlmDelta(tool_call=c)
            return
        if said or (cancel is not None and cancel.is_set):
            return  # it has answered in words already; the call is left out
        if verdict.reply:  # kaiwa's own words ("Sorry, I can't help with that here.")
            yield LlmDelta(text=verdict.reply)
            return
        told = verdict.kind is not VerdictKind.WORDS
        yield from self._request(
            _told(asked.messages, verdict.missing) if told else asked.messages,
            (),
            "none",
            max_tokens,
            cancel,
            usage,
        )

    def _request(
        self,
        messages: Sequence[ChatMessage],
        tools: Sequence[ToolSpec],
        tool_choice: ToolChoice,
        max_tokens: int,
        cancel: Cancel | None,
        usage: dict[str, int] | None,
    ) -> Iterator[LlmDelta]:
        """One streamed request; its token counts are added to ``usage``."""
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
            kwargs["tools"] = [t.as_function() for t in tools]
            kwargs["tool_choice"] = tool_choice
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
            counted: tuple[int, int] | None = None
            for chunk in stream:
                if cancel is not None and cancel.is_set:
                    stream.close()
                    return
                if chunk.usage is not None:  # the last report counts (some repeat it)
                    details = getattr(chunk.usage, "prompt_tokens_details", None)
                    counted = (
                        chunk.usage.prompt_tokens or 0,
                        getattr(details, "cached_tokens", None) or 0,
                    )
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
            if usage is not None and counted is not None:  # added: a retry's counts add up
                usage["input_tokens"] = usage.get("input_tokens", 0) + counted[0]
                usage["cached_tokens"] = usage.get("cached_tokens", 0) + counted[1]
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


def _named(name: str) -> dict[str, Any]:
    """A ``tool_choice`` that names one function."""
    return {"type": "function", "function": {"name": name}}


def _told(messages: Sequence[ChatMessage], missing: Sequence[str] = ()) -> list[ChatMessage]:
    """``messages`` with `no_tool_hint` after the user's last words (as `LocalLLM` adds it;
    ``missing``: the values to ask for)."""
    told = list(messages)
    if told and told[-1].role == "user":
        said = told[-1].content
        hint = no_tool_hint(said, missing)
        told[-1] = dataclasses.replace(told[-1], content=f"{said}\n{hint}")
    return told
