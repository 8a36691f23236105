"""The file-format reference (docs/formats.md), generated from the models' JSON Schemas.

Every key of every kind of file: its TOML path, type in words, whether it is required, whether it
is private, and what it means. Generated, never written by hand, so it cannot drift from the models.
"""

from __future__ import annotations

from typing import Any

from redflag_coord.org.model import HANDLE_PATTERN, HOURS_PATTERN, LANGUAGE_PATTERN, SLUG_PATTERN
from redflag_coord.org.schema import GLOBS, schemas

# Patterns in words: what a person types, not a regular expression.
PATTERN_WORDS = {
    HOURS_PATTERN: "local hours `HH:MM-HH:MM`",
    SLUG_PATTERN: "a slug (lower-case letters, digits, inner hyphens)",
    HANDLE_PATTERN: "a handle",
    LANGUAGE_PATTERN: "a language code (BCP 47, e.g. `es` or `pt-BR`)",
}

INTRO = """# File formats

Generated from the models by `python docs/generate.py`; a test fails when this file and the
models disagree. Every file is TOML. Keys not listed here are refused (with a "did you mean").
**Private** values never leave the repository in an export unless a command is asked to
(`--include-private`, `--attendees`).
"""


def formats_markdown() -> str:
    out = [INTRO]
    for kind, schema in schemas().items():
        out += [f"## {kind}", "", f"`{GLOBS[kind]}`", ""]
        doc = (schema.get("description") or "").strip()
        if doc:
            out += [" ".join(doc.split()), ""]
        out += ["| key | type | required | private | meaning |", "| --- | --- | --- | --- | --- |"]
        out += [_row(r) for r in _rows(schema, schema, "")]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _rows(node: dict, root: dict, prefix: str) -> list[tuple[str, str, bool, bool, str]]:
    rows = []
    required = set(node.get("required", []))
    for key, prop in node.get("properties", {}).items():
        path = f"{prefix}{key}"
        target, array = _target(prop, root)
        kind = _words(prop, root)
        rows.append(
            (path, kind, key in required, bool(prop.get("x-private") or target.get("x-private")), _meaning(prop))
        )
        if "properties" in target:
            rows += _rows(target, root, f"{path}[]." if array else f"{path}.")
    return rows


def _target(prop: dict, root: dict) -> tuple[dict, bool]:
    """The object a property holds (through $ref, anyOf with null, and arrays), and whether it is an array."""
    node, array = _deref(prop, root), False
    if node.get("type") == "array" and "items" in node:
        node, array = _deref(node["items"], root), True
    return node, array


def _deref(node: dict, root: dict) -> dict:
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        if len(options) == 1:
            node = {**node, **options[0]}
            node.pop("anyOf", None)
    ref = node.get("$ref")
    if ref:
        return {**root["$defs"][ref.rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _words(prop: dict, root: dict) -> str:
    node = _deref(prop, root)
    if "anyOf" in node:
        return " or ".join(_words(o, root) for o in node["anyOf"] if o.get("type") != "null")
    if "enum" in node and len(node["enum"]) == 1:  # older pydantic writes a one-value Literal as an enum
        return f"`{node['enum'][0]}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type")
    if kind == "array":
        items = _deref(node.get("items", {}), root)
        inner = "tables" if "properties" in items else _words(items, root)
        return f"array of {inner}"
    if "properties" in node:
        return "table"
    fmt = node.get("format")
    words = {"date": "date (YYYY-MM-DD)", "date-time": "date-time", "email": "e-mail address"}.get(fmt or "")
    if words:
        return words
    base = {"string": "text", "integer": "integer", "number": "number", "boolean": "true or false"}.get(
        kind or "", "value"
    )
    limits = []
    if "minimum" in node:
        limits.append(f"≥ {node['minimum']}")
    if "maximum" in node:
        limits.append(f"≤ {node['maximum']}")
    if "pattern" in node:
        return PATTERN_WORDS.get(node["pattern"], f"{base} matching `{node['pattern']}`")
    return f"{base} {' '.join(limits)}".strip()


def _meaning(prop: dict) -> str:
    text = " ".join((prop.get("description") or "").split())
    if "default" in prop and prop["default"] not in (None, [], {}):
        text += f" Default: `{_toml(prop['default'])}`."
    return text.replace("|", "\\|").strip()


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _row(r: tuple[str, str, bool, bool, str]) -> str:
    path, kind, required, private, meaning = r
    kind = kind.replace("|", "\\|")
    return f"| `{path}` | {kind} | {'yes' if required else ''} | {'private' if private else ''} | {meaning} |"
