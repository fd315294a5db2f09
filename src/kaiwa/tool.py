"""Function tools: plain Python functions the model can call.

``@function_tool`` reads the function's signature and docstring to build the JSON schema the
model sees, and wraps the function so it can be called with the model's JSON arguments::

    @function_tool
    async def get_weather(city: str, unit: Literal["C", "F"] = "C") -> str:
        \"\"\"Get the current weather.

        Args:
            city: The city to look up.
            unit: Temperature unit.
        \"\"\"
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, get_type_hints, overload

import pydantic
from docstring_parser import DocstringStyle
from docstring_parser import parse as parse_docstring

from .context import RunContextWrapper, ToolContext
from .exceptions import ToolError, UserError

__all__ = [
    "FunctionTool",
    "Tool",
    "ToolErrorFunction",
    "default_tool_error_function",
    "function_tool",
]

ToolErrorFunction: TypeAlias = Callable[[RunContextWrapper[Any], Exception], Any]
"""Turns a tool's exception into the text the model receives (may be async)."""

ApprovalFunction: TypeAlias = Callable[[RunContextWrapper[Any], dict[str, Any], str], Any]
"""Decides per call whether a tool call needs approval: ``(context, arguments, call_id)``."""


def default_tool_error_function(ctx: RunContextWrapper[Any], error: Exception) -> str:
    """The message the model gets when a tool fails, unless the tool says otherwise."""
    return f"An error occurred while running the tool. Please try again. Error: {error}"


@dataclass
class FunctionTool:
    """A tool the model can call, with the JSON schema of its arguments.

    Usually made with ``@function_tool``; build one by hand to wrap something that is not a
    Python function (a remote service, a generated tool).
    """

    name: str
    """The tool's name as the model sees it."""

    description: str
    """What the tool does, as the model sees it."""

    params_json_schema: dict[str, Any]
    """JSON schema of the arguments object."""

    on_invoke_tool: Callable[[ToolContext[Any], str], Awaitable[Any]]
    """Runs the tool: ``(context, arguments_json) -> result``. Raise to report a failure."""

    strict_json_schema: bool = True
    """Whether the schema is strict (no extra properties)."""

    is_enabled: bool | Callable[[RunContextWrapper[Any], Any], Any] = True
    """A bool, or ``(context, agent) -> bool`` (may be async), deciding if the model sees it."""

    needs_approval: bool | ApprovalFunction = False
    """Whether a call waits for ``session.approve_tool_call`` / ``reject_tool_call``."""

    timeout_seconds: float | None = None
    """A call running longer than this is cancelled and the model told so."""

    failure_error_function: ToolErrorFunction | None = default_tool_error_function
    """Formats a failure for the model; ``None`` sends the bare error text."""

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise UserError("FunctionTool needs a non-empty string name")
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise UserError(f"tool {self.name!r}: timeout_seconds must be > 0")


Tool: TypeAlias = FunctionTool
"""The tools a realtime agent can have: function tools."""


def _hints(func: Callable[..., Any], localns: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return get_type_hints(func, localns=localns, include_extras=True)
    except NameError as exc:
        raise UserError(
            f"tool {func.__name__!r}: cannot resolve a type hint ({exc}); define the type at "
            "module level"
        ) from exc


def _takes_context(func: Callable[..., Any], hints: dict[str, Any]) -> bool:
    params = list(inspect.signature(func).parameters.values())
    if not params:
        return False
    first = hints.get(params[0].name, params[0].annotation)
    origin = getattr(first, "__origin__", first)
    return inspect.isclass(origin) and issubclass(origin, RunContextWrapper)


def _schema_model(
    func: Callable[..., Any],
    name: str,
    skip_first: bool,
    descriptions: dict[str, str],
    hints: dict[str, Any],
) -> type[pydantic.BaseModel]:
    fields: dict[str, Any] = {}
    params = list(inspect.signature(func).parameters.values())[1 if skip_first else 0 :]
    for param in params:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise UserError(f"tool {name!r}: *args and **kwargs cannot be described to a model")
        annotation = hints.get(param.name, Any)
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (
            annotation,
            pydantic.Field(default, description=descriptions.get(param.name)),
        )
    return pydantic.create_model(  # type: ignore[call-overload,unused-ignore]
        f"{name}_args", __config__=pydantic.ConfigDict(extra="forbid"), **fields
    )


_STYLES: dict[str, DocstringStyle] = {
    "google": DocstringStyle.GOOGLE,
    "numpy": DocstringStyle.NUMPYDOC,
    "sphinx": DocstringStyle.REST,
}


def _build(
    func: Callable[..., Any],
    *,
    name_override: str | None,
    description_override: str | None,
    docstring_style: Literal["google", "numpy", "sphinx"] | None,
    use_docstring_info: bool,
    failure_error_function: ToolErrorFunction | None,
    strict_mode: bool,
    is_enabled: bool | Callable[[RunContextWrapper[Any], Any], Any],
    needs_approval: bool | ApprovalFunction,
    timeout_seconds: float | None,
    localns: dict[str, Any] | None = None,
) -> FunctionTool:
    name = name_override or func.__name__
    description = description_override or ""
    param_docs: dict[str, str] = {}
    if use_docstring_info and func.__doc__:
        style = _STYLES[docstring_style] if docstring_style else DocstringStyle.AUTO
        doc = parse_docstring(func.__doc__, style)
        param_docs = {p.arg_name: p.description or "" for p in doc.params}
        if not description:
            parts = [doc.short_description or "", doc.long_description or ""]
            description = "\n\n".join(p for p in parts if p)
    hints = _hints(func, localns)
    wants_context = _takes_context(func, hints)
    model = _schema_model(func, name, wants_context, param_docs, hints)
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    schema.setdefault("properties", {})
    schema["additionalProperties"] = False
    is_async = inspect.iscoroutinefunction(func)

    async def invoke(ctx: ToolContext[Any], arguments: str) -> Any:
        try:
            raw = json.loads(arguments) if arguments.strip() else {}
            parsed = model.model_validate(raw)
        except (ValueError, pydantic.ValidationError) as exc:
            raise ToolError(
                f"invalid arguments for tool {name!r}: {exc}",
                tool_name=name,
                call_id=ctx.tool_call_id,
            ) from exc
        kwargs = {key: getattr(parsed, key) for key in model.model_fields}
        args = (ctx,) if wants_context else ()
        if is_async:
            return await func(*args, **kwargs)
        # A blocking tool must not stall the audio flowing through the event loop.
        return await asyncio.to_thread(func, *args, **kwargs)

    return FunctionTool(
        name=name,
        description=description,
        params_json_schema=schema,
        on_invoke_tool=invoke,
        strict_json_schema=strict_mode,
        is_enabled=is_enabled,
        needs_approval=needs_approval,
        timeout_seconds=timeout_seconds,
        failure_error_function=failure_error_function,
    )


@overload
def function_tool(func: Callable[..., Any], /) -> FunctionTool: ...


@overload
def function_tool(
    *,
    name_override: str | None = None,
    description_override: str | None = None,
    docstring_style: Literal["google", "numpy", "sphinx"] | None = None,
    use_docstring_info: bool = True,
    failure_error_function: ToolErrorFunction | None = default_tool_error_function,
    strict_mode: bool = True,
    is_enabled: bool | Callable[[RunContextWrapper[Any], Any], Any] = True,
    needs_approval: bool | ApprovalFunction = False,
    timeout: float | None = None,
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def function_tool(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name_override: str | None = None,
    description_override: str | None = None,
    docstring_style: Literal["google", "numpy", "sphinx"] | None = None,
    use_docstring_info: bool = True,
    failure_error_function: ToolErrorFunction | None = default_tool_error_function,
    strict_mode: bool = True,
    is_enabled: bool | Callable[[RunContextWrapper[Any], Any], Any] = True,
    needs_approval: bool | ApprovalFunction = False,
    timeout: float | None = None,
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Turn a function (sync or async) into a `FunctionTool`.

    Use bare (``@function_tool``) or with options (``@function_tool(timeout=5)``): a call
    running longer than ``timeout`` seconds is cancelled and the model told so.
    The JSON schema comes from the type hints; descriptions come from the docstring (Google,
    NumPy or Sphinx style, detected unless ``docstring_style`` says). A first parameter typed
    ``RunContextWrapper`` or ``ToolContext`` receives the context and is hidden from the model.
    Sync functions run in a worker thread so a slow tool never stalls the audio.
    """
    # Types defined inside a function are found in the frame that applies the decorator.
    caller_locals = dict(sys._getframe(1).f_locals)

    def wrap(f: Callable[..., Any]) -> FunctionTool:
        return _build(
            f,
            name_override=name_override,
            description_override=description_override,
            docstring_style=docstring_style,
            use_docstring_info=use_docstring_info,
            failure_error_function=failure_error_function,
            strict_mode=strict_mode,
            is_enabled=is_enabled,
            needs_approval=needs_approval,
            timeout_seconds=timeout,
            localns=caller_locals,
        )

    return wrap(func) if func is not None else wrap
