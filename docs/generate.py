"""Regenerate the generated reference pages in docs/ (run after changing a command, a model or a check):

    .venv/bin/python docs/generate.py

tests/test_docs.py fails while a page differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from redflag_coord.check.reference import checks_markdown
from redflag_coord.cli.reference import commands_markdown
from redflag_coord.org.published import splice
from redflag_coord.org.reference import formats_markdown

DOCS = Path(__file__).resolve().parent


def privacy_markdown() -> str:
    """docs/privacy.md with its table of outputs and fields made again (the prose around it is written by hand)."""
    return splice((DOCS / "privacy.md").read_text(encoding="utf-8"))


PAGES = {
    "checks.md": checks_markdown,
    "commands.md": commands_markdown,
    "formats.md": formats_markdown,
    "privacy.md": privacy_markdown,
}


def main() -> None:
    for name, make in PAGES.items():
        (DOCS / name).write_text(make(), encoding="utf-8")
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
