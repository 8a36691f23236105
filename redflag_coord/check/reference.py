"""The list of checks (docs/checks.md), generated from the registry: it cannot drift from what runs."""

from __future__ import annotations

from redflag_coord.check.registry import CHECKS, SCOPES

SCOPE_WORDS = {
    "sealed": "on the files as written, before private values are opened",
    "frame": "once, on every file but the reports",
    "report": "once per report, against the rest of the organisation",
    "across": "once, joining reports with each other and with minutes",
    "repository": "around the data files: git history, exports, keys (the `validate` command)",
}

INTRO = """# Checks across files

Generated from the table of checks (`redflag_coord/check/registry.py`) by `python docs/generate.py`;
a test fails when this page and the table disagree. `redflag-coord validate` runs every check below,
after each file's own checks (TOML syntax, the model of its kind, safe text: see
[formats.md](formats.md)); `validate --changed` runs them on the changed files and on the files that
refer to them. A code marked * is reported in a file because of another file: `--changed` reports
it in an unchanged file too, when the change causes it.
"""


def checks_markdown() -> str:
    lines = [INTRO, "## Scopes", "", "| scope | runs |", "| ----- | ---- |"]
    lines += [f"| {scope} | {SCOPE_WORDS[scope]} |" for scope in SCOPES]
    lines += ["", "## Checks", "", "| check | scope | ensures | codes |", "| ----- | ----- | ------- | ----- |"]
    for c in CHECKS:
        codes = ", ".join(f"`{code}`" + ("*" if code in c.follows else "") for code in c.codes)
        lines.append(f"| `{c.name}` | {c.scope} | {c.ensures.removeprefix('Ensure ')} | {codes} |")
    lines += ["", "## Codes", "", "Each code, and the checks that report it.", ""]
    lines += ["| code | checks |", "| ---- | ------ |"]
    for code in sorted({code for c in CHECKS for code in c.codes}):
        names = ", ".join(f"`{c.name}`" for c in CHECKS if code in c.codes)
        lines.append(f"| `{code}` | {names} |")
    return "\n".join(lines) + "\n"
