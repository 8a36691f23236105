"""Option values without pydantic where typer's answer is already known: start-up time.

Typer (>= 0.26) checks every option value with a pydantic TypeAdapter built on the spot: the first
imports pydantic (so `agenda --help` took 2.9 times as long as `import typer`) and each option
costs one more. For the values a command line usually carries (an option left out, a word, an Enum
choice, a path, a whole number inside its range) the answer is the one typer's own helpers give
without pydantic; everything else, and every value the fast path is not sure of, goes to typer's own
coercion, so errors keep typer's wording. tests/test_cli_coerce.py checks: fast answer ⇒ typer's answer.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, get_origin

_NOT_SURE = object()


def fast_value(param: Any, value: Any, ctx: Any) -> Any:
    """Typer's coerced value for `value`, or _NOT_SURE (then typer's own coercion decides)."""
    desc = param.type_descriptor
    info = desc.parameter_info
    multi = param.multiple or param.nargs == -1
    if value is None:  # typer's RuntimeParam.coerce, before any adapter
        return () if multi else None
    if info.parser is not None or getattr(info, "click_type", None) is not None or desc.file_annotation is not None:
        return _NOT_SURE
    annotation = desc.annotation
    if multi:  # an empty list option: typer's list adapter gives []
        return [] if value in ((), []) and get_origin(annotation) is list else _NOT_SURE
    if annotation is str:
        return value if type(value) is str else _NOT_SURE
    if annotation is int:
        if type(value) is not int or info.clamp:
            return _NOT_SURE
        if (info.min is not None and value < info.min) or (info.max is not None and value > info.max):
            return _NOT_SURE
        return value
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(list(annotation), value, info, ctx)
    if annotation is Path and getattr(info, "path_type", None) is None:
        return _path(value, info, param, ctx)
    return _NOT_SURE


def _choice(choices: list[Any], value: Any, info: Any, ctx: Any) -> Any:
    try:
        from typer._param_types import coerce_cli_choice
    except ImportError:  # another typer: its own coercion decides
        return _NOT_SURE
    try:
        return coerce_cli_choice(value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx)
    except Exception:  # typer says why, in its own words
        return _NOT_SURE


def _path(value: Any, info: Any, param: Any, ctx: Any) -> Any:
    try:
        from typer._param_types import coerce_cli_path
    except ImportError:  # another typer: its own coercion decides
        return _NOT_SURE
    if type(value) is str:
        value = Path(value)  # what pydantic's TypeAdapter(Path) makes of a string
    if not isinstance(value, Path):
        return _NOT_SURE
    try:
        return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)
    except Exception:  # a missing or unreadable path: typer says so, in its own words
        return _NOT_SURE


class _LazyRuntimeParam:
    """Stands in for typer's runtime parameter; builds typer's own only when the fast path is not sure."""

    def __init__(self, param: Any) -> None:
        self.param = param
        self.typer_own: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        fast = fast_value(param, value, ctx)
        if fast is not _NOT_SURE:
            return fast
        if self.typer_own is None:
            from typer._coercion import build_runtime_param

            self.typer_own = build_runtime_param(param.type_descriptor)
        return self.typer_own.coerce(value, param=param, ctx=ctx)


def lazy_coercion(params: list[Any]) -> list[Any]:
    """Give each of typer's parameters the fast path (typer versions without runtime parameters: unchanged)."""
    for p in params:
        if hasattr(p, "type_descriptor") and getattr(p, "_runtime_param", False) is None:
            p._runtime_param = _LazyRuntimeParam(p)
    return params
