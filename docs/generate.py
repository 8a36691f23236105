"""Regenerate the generated reference pages in docs/ (run after changing a command, a model or a check):

    .venv/bin/python docs/generate.py

tests/test_docs.py fails while a page differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from redflag_coord.check.reference import checks_markdown
from redflag_coord.cli.reference import commands_markdown
from redflag_coord.org.reference import formats_markdown

DOCS = Path(__file__).resolve().parent
PAGES = {"checks.md": checks_markdown, "commands.md": commands_markdown, "formats.md": formats_markdown}


def main() -> None:
    for name, make in PAGES.items():
        (DOCS / name).write_text(make(), encoding="utf-8")
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
