"""`lang` marks for runs of text written in another language than the page (WCAG 3.1.2).

A page is in the reader's language (`<html lang>`); a meeting's title, topics, description and location
are in the language its file names (`language`, see docs/formats.md), an article's title in its own.
Where the two differ the run carries its language, so that a screen reader reads an English title on a
Hindi page with an English voice, and a browser hyphenates and picks fonts for the right language.
"""

from __future__ import annotations

from html import escape


def differs(run: str | None, page: str) -> bool:
    """The run's language is known and is not the page's (BCP 47 tags compare without regard to case)."""
    return bool(run) and run.casefold() != page.casefold()  # type: ignore[union-attr]


def lang_attr(run: str | None, page: str) -> str:
    """' lang="en"' for an element holding a run in another language than the page, else ''."""
    return f' lang="{escape(run, quote=True)}"' if run and differs(run, page) else ""


def in_lang(html: str, run: str | None, page: str) -> str:
    """Already escaped `html` inside a <span lang> when its language is not the page's; else as it is."""
    return f"<span{lang_attr(run, page)}>{html}</span>" if differs(run, page) else html
