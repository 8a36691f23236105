"""cli/coerce: an option value the fast path decides is the value typer's own (pydantic) coercion gives.

Every parameter of every command is tried with what a command line can carry: nothing, words, numbers
in and out of range, choices in any case, paths that exist or not, empty lists. Whenever the fast path
answers, typer's runtime parameter must give the same value (and the same type).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.cli.app import make_app
from redflag_coord.cli.coerce import _NOT_SURE, fast_value, lazy_coercion

typer_coercion = pytest.importorskip("typer._coercion", reason="typer without runtime parameters: nothing to check")


def _params() -> list[tuple[str, Any, Any]]:
    root = typer.main.get_command(make_app())
    out = []

    def walk(cmd: Any, path: str) -> None:
        ctx = typer.Context(cmd)
        out.extend((f"{path} {p.name}", p, ctx) for p in cmd.params if hasattr(p, "type_descriptor"))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(root, "redflag-coord")
    return out


PARAMS = _params()


def _typer_own(param: Any, value: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return "ok", typer_coercion.build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)
    except Exception as e:  # any refusal: the fast path must not have answered
        return "error", type(e).__name__


def _check(param: Any, value: Any, ctx: Any) -> bool:
    fast = fast_value(param, value, ctx)
    if fast is _NOT_SURE:
        return False
    kind, slow = _typer_own(param, value, ctx)
    assert kind == "ok", (param.name, value, slow)
    assert fast == slow and type(fast) is type(slow), (param.name, value, fast, slow)
    return True


def _samples(param: Any) -> list[Any]:
    annotation = param.type_descriptor.annotation
    values: list[Any] = [None, (), [], "", "x", "ic-2026-12", "Ünïcödé", "-", "0", "7", "-3", "1e3", " 5 "]
    values += [0, 1, 8, 14, 180, 520, 521, 3650, 3651, -1, True, 2.5]
    values += [".", "collectives", "no/such/dir", "README.md"]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        for member in annotation:
            values += [member, member.value, str(member.value).upper(), member.name]
    if param.default is not None:
        values.append(param.default)
    return values


@pytest.mark.parametrize(("where", "param", "ctx"), PARAMS, ids=[p[0] for p in PARAMS])
def test_fast_answers_are_typers_answers(where: str, param: Any, ctx: Any) -> None:
    for value in _samples(param):
        _check(param, value, ctx)


@settings(max_examples=300, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=len(PARAMS) - 1),
    value=st.one_of(
        st.none(),
        st.text(max_size=12),
        st.integers(min_value=-10, max_value=5000),
        st.sampled_from(["text", "JSON", "json", "md", "html", "ics", "none", "request", "Publish", "eml", "txt"]),
    ),
)
def test_fast_answers_are_typers_answers_for_any_value(index: int, value: Any) -> None:
    _, param, ctx = PARAMS[index]
    _check(param, value, ctx)


def test_the_values_a_command_line_usually_carries_take_the_fast_path() -> None:
    """The point of the module: left-out options, a meeting id, a default choice, a path need no pydantic."""
    by_name = {where: (param, ctx) for where, param, ctx in PARAMS}
    meeting, ctx = by_name["redflag-coord agenda meeting"]
    assert _check(meeting, "ic-2026-12", ctx)
    root, ctx = by_name["redflag-coord agenda root"]
    assert _check(root, None, ctx) and _check(root, ".", ctx)
    fmt, ctx = by_name["redflag-coord validate format"]
    assert _check(fmt, fmt.default, ctx) and _check(fmt, "json", ctx)
    weeks, ctx = by_name["redflag-coord network stale_weeks"]
    assert _check(weeks, 8, ctx)
    assert fast_value(weeks, 521, ctx) is _NOT_SURE  # out of range: typer words the error


def test_lazy_coercion_leaves_typers_own_in_place_once_set() -> None:
    _, param, _ = PARAMS[0]
    lazy_coercion([param])
    first = param._runtime_param
    lazy_coercion([param])
    assert param._runtime_param is first
