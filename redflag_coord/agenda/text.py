"""Render an Agenda: plain text (aligned for a terminal, and for calendar invites) and Markdown.

HTML is in `agenda.html`, JSON in `agenda.as_json`; `RENDERERS` maps a format name to its function.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from redflag_coord.agenda import view as v
from redflag_coord.agenda.build import Agenda, ReportSlot
from redflag_coord.i18n.labels import Labels
from redflag_coord.i18n.width import pad, simple, width, wrap

WIDTH = 92  # wrap prose to this many columns; tables wrap their last column to fit


# -- plain text --------------------------------------------------------------------------


def render_text(a: Agenda) -> str:
    """The agenda as plain text: headings, aligned tables, wrapped prose."""
    t = v.labels(a)
    out = _text_head(a, t)
    out += [_heading(t("time_check_heading"))] + [f"  {line}" for line in v.time_check_lines(a, t)] + [""]
    if a.commitments:
        for heading, rows in v.commitment_groups(a, t):
            out += [_heading(heading)]
            out += [_bullet(_overdue(t, late) + f"{t.with_colon(owner)} {what}") for owner, what, late in rows] or [
                "  " + t("commitments.none")
            ]
            out += [""]
    if a.reviews:
        out += [_heading(t("reviews.heading"))] + [_bullet(v.review_line(a, t, r)) for r in a.reviews] + [""]
    if a.requests_to_you:
        out += [_heading(t("requests_to_you", name=_for_name(a)))]
        out += [_bullet(f"{t.with_colon(q.source_name)} {q.text}") for q in a.requests_to_you] + [""]
    out += [_heading(t("reports_heading"))]
    out += [line for r in a.reports for line in _text_report(r, a, t)] or ["  " + t("no_reports"), ""]
    if not a.expects_reports:
        return "\n".join(out).rstrip() + "\n"
    out += [_heading(v.missing_heading(a, t))]
    missing = v.missing_lines(a, t)
    w = max((width(n) for n, _ in missing), default=0)
    out += [f"  {pad(n, w)}  {why}" for n, why in missing] or ["  " + t("missing_none")]
    return "\n".join(out).rstrip() + "\n"


def render_invite_text(a: Agenda, extra: tuple[tuple[str, str], ...] = ()) -> str:
    """The agenda for a calendar invite: when and where, times in each zone, the order of the day.

    Reports, requests and missing reports stay out: an invite travels through calendar
    providers' servers, and what collectives report is for the meeting itself.
    """
    return "\n".join(_text_head(a, v.labels(a), extra)).rstrip() + "\n"


def render_series_text(a: Agenda, repeats: tuple[str, str]) -> str:
    """A recurring meeting for a calendar series (one DESCRIPTION for every occurrence): the rule in
    words and the local time in the meeting's zone, without a date, a meeting number or another
    zone's time, which differ from one occurrence to the next."""
    t = v.labels(a)
    s, e = a.local(a.start, a.zone), a.local(a.end, a.zone)
    when = [f"{t.time(s)} – {t.time(e)} ({a.zone})"]
    return "\n".join(_text_head(a, t, (repeats,), when=when)).rstrip() + "\n"


def _text_head(
    a: Agenda, t: Labels, extra: tuple[tuple[str, str], ...] = (), when: list[str] | None = None
) -> list[str]:
    out = [a.title, "=" * min(width(a.title), WIDTH), f"{t('agenda')} · {v.subtitle(a, t)}", ""]
    out += _text_facts(a, t, extra, when)
    if when is None:
        out += ["", _heading(t("times_heading"))]
        out += _text_table(v.zone_table(a, t)) + ["  " + v.zone_note(a, t)]
    out += ["", _heading(t("items_heading"))]
    out += (_text_table(v.item_table(a, t)) if a.items else ["  " + t("no_items")]) + [
        "  " + v.items_zone_note(a, t),
        "",
    ]
    return out


def _overdue(t: Labels, late: bool) -> str:
    return f"[{t('commitments.overdue_mark')}] " if late else ""


def _for_name(a: Agenda) -> str:
    return next((z.name for z in a.zones if z.collective == a.for_collective), a.for_collective or "")


def _text_facts(
    a: Agenda, t: Labels, extra: tuple[tuple[str, str], ...] = (), when: list[str] | None = None
) -> list[str]:
    facts: list[tuple[str, list[str]]] = [(t("when"), when or v.when_lines(a, t))]
    note = None if when else v.occurrence_note(a, t)
    if note:
        facts[0][1].append(note)
    facts += [(key, [text]) for key, text in extra]
    if a.location:
        facts.append((t("location"), [a.location]))
    if a.url:
        facts.append((t("link"), [a.url]))
    if a.opens_name:
        facts.append((t("opens"), [a.opens_name]))
    facts += [(key, [text]) for key, text in v.role_facts(a, t)]
    if a.description:
        facts.append((t("description"), [a.description]))
    facts += [(t("warning"), [w]) for w in v.notice_lines(a, t)]
    w = max(width(k) for k, _ in facts)
    out = []
    for key, lines in facts:
        for i, line in enumerate(lines):
            wrapped = _cell_lines(line, width(line), WIDTH - w - 2)
            for j, part in enumerate(wrapped):
                out.append(f"{pad(key if i == 0 and j == 0 else '', w)}  {part}".rstrip())
    return out


def _heading(text: str) -> str:
    return f"{text}\n{'-' * width(text)}"


def _bullet(text: str, indent: int = 2) -> str:
    lines = _wrap(text, WIDTH - indent - 2)
    return "\n".join((" " * indent) + ("- " if i == 0 else "  ") + line for i, line in enumerate(lines))


def _text_report(r: ReportSlot, a: Agenda, t: Labels) -> list[str]:
    out = [f"{r.name} · {v.filed_line(r, a, t)}"]
    out += ["  " + line for line in _wrap(r.summary, WIDTH - 2)]
    private = v.private_line(r, t)
    if private:
        out.append("  " + private)
    out.append(f"  {t.colon('red_flag')} {v.red_flag_line(r, t)}")
    if r.distribution:
        out += ["  " + line for line in _text_table(v.distribution_table(r, t))]
    rel = v.relationship_lines(r, t)
    if rel:
        out.append(f"  {t('relationships')}")
        out += [_bullet(line, 4) for line in rel]
    out.append("  " + v.figures_line(r, t))
    change = v.change_line(r.change, t)
    if change:
        out += ["  " + line for line in _wrap(change, WIDTH - 2)]
    if r.articles:
        out.append(f"  {t('articles')}")
        out += [_bullet(v.article_line(x.title, x.language, x.status, t), 4) for x in r.articles]
    if r.requests:
        out.append(f"  {t('requests')}")
        out += [_bullet(f"{t.colon('request_to', name=q.to_name)} {q.text}", 4) for q in r.requests]
    return out + [""]


def _text_table(table: v.Table, indent: int = 2) -> list[str]:
    """Columns aligned by display width; the last column wraps to keep lines within WIDTH."""
    cells = [table.headers, *table.rows]
    # each cell measured once (a feed renders thousands of tables): printable ASCII is a cell a character
    measured = [[len(c) if c.isascii() and c.isprintable() else width(c) for c in row] for row in cells]
    widths = [max(column) for column in zip(*measured, strict=True)]
    head_w = sum(widths[:-1]) + 2 * (len(widths) - 1) + indent
    widths[-1] = min(widths[-1], max(24, WIDTH - head_w))
    right, last_right, lead = table.right, len(widths) - 1 in table.right, " " * indent
    out = []
    for n, row in enumerate(cells):
        sizes = measured[n]
        last = _cell_lines(row[-1], sizes[-1], widths[-1])
        if last_right:
            last = [pad(part, widths[-1], right=True) for part in last]
        first = [  # each cell padded to its column's width (measured already)
            " " * (widths[i] - sizes[i]) + c if i in right else c + " " * (widths[i] - sizes[i])
            for i, c in enumerate(row[:-1])
        ]
        out.append((lead + "  ".join([*first, last[0]])).rstrip())
        out += [(" " * (head_w) + part).rstrip() for part in last[1:]]
        if n == 0:
            out.append(lead + "  ".join("-" * w for w in widths))
    return out


def _cell_lines(text: str, cells: int, columns: int) -> list[str]:
    """`_wrap(text, columns) or [""]` for a cell measured already: a one-cell-a-character cell that fits and
    whose spaces are single and inside is its own one line (most cells), without splitting it into words."""
    if cells <= columns and text.strip() and text[0] != " " and text[-1] != " " and "  " not in text and simple(text):
        return [text]
    return _wrap(text, columns) or [""]


# Breakable white space only: a no-break space (French "Relations\u202f:") must stay where it is.
_BREAKABLE = re.compile(r"[\t\n\x0b\x0c\r ]+")


def _wrap(text: str, columns: int) -> list[str]:
    """Words joined by single spaces, wrapped by display width and grapheme cluster (i18n.width)."""
    words = [w for w in _BREAKABLE.split(text) if w]
    joined = " ".join(words)
    if joined.strip() and simple(joined):
        return _fill_words(words, columns)
    return wrap(joined, columns)


def _fill_words(words: list[str], columns: int) -> list[str]:
    """`wrap` of words joined by single spaces whose every character is one cell and one cluster: a line
    takes words while they fit, a word longer than a line is cut into lines of its own (at least a
    character each). The same lines, a comparison a word (an agenda wraps its topics in every feed)."""
    done: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + 1 + len(word) <= columns:
            line += " " + word
            continue
        if line:
            done.append(line)
        while word and len(word) > columns:
            n = max(1, columns)
            done.append(word[:n])
            word = word[n:]
        line = word
    if line:
        done.append(line)
    return done


# -- Markdown -----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|#~!])")


def md(text: str) -> str:
    """User text made inert in Markdown: one line, no raw HTML (entities), punctuation escaped."""
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(a: Agenda) -> str:
    t = v.labels(a)
    out = [f"# {md(a.title)}", "", f"**{md(t('agenda'))}** · {md(v.subtitle(a, t))}", ""]
    out += [f"- **{md(t('when'))}:** " + "<br>".join(md(x) for x in v.when_lines(a, t))]
    note = v.occurrence_note(a, t)
    for key, value in (
        (None, note),
        (t("location"), a.location),
        (t("link"), a.url),
        (t("opens"), a.opens_name),
        *v.role_facts(a, t),
        (t("description"), a.description),
    ):
        if value:
            out.append(f"- {md(value)}" if key is None else f"- **{md(key)}:** {md(value)}")
    out += [f"- **{md(t('warning'))}:** {md(w)}" for w in v.notice_lines(a, t)]
    out += ["", f"## {md(t('times_heading'))}", "", *_md_table(v.zone_table(a, t)), "", md(v.zone_note(a, t)), ""]
    out += [f"## {md(t('items_heading'))}", ""]
    out += (_md_table(v.item_table(a, t)) if a.items else [md(t("no_items"))]) + ["", md(v.items_zone_note(a, t)), ""]
    out += [f"## {md(t('time_check_heading'))}", ""] + [f"- {md(x)}" for x in v.time_check_lines(a, t)] + [""]
    if a.commitments:
        for heading, rows in v.commitment_groups(a, t):
            out += [f"## {md(heading)}", ""]
            out += [f"- {md(_overdue(t, late))}**{md(owner)}:** {md(what)}" for owner, what, late in rows] or [
                md(t("commitments.none"))
            ]
            out += [""]
    if a.reviews:
        out += [f"## {md(t('reviews.heading'))}", ""] + [f"- {md(v.review_line(a, t, r))}" for r in a.reviews] + [""]
    if a.requests_to_you:
        out += [f"## {md(t('requests_to_you', name=_for_name(a)))}", ""]
        out += [f"- **{md(q.source_name)}:** {md(q.text)}" for q in a.requests_to_you] + [""]
    out += [f"## {md(t('reports_heading'))}", ""]
    out += [line for r in a.reports for line in _md_report(r, a, t)] or [md(t("no_reports")), ""]
    if not a.expects_reports:
        return "\n".join(out).rstrip() + "\n"
    out += [f"## {md(v.missing_heading(a, t))}", ""]
    out += [f"- **{md(n)}:** {md(why)}" for n, why in v.missing_lines(a, t)] or [md(t("missing_none"))]
    return "\n".join(out).rstrip() + "\n"


def _md_report(r: ReportSlot, a: Agenda, t: Labels) -> list[str]:
    out = [f"### {md(r.name)}", "", f"*{md(v.filed_line(r, a, t))}*", "", md(r.summary), ""]
    private = v.private_line(r, t)
    if private:
        out += [f"- {md(private)}"]
    out.append(f"- **{md(t('red_flag'))}:** {md(v.red_flag_line(r, t))}")
    rel = v.relationship_lines(r, t)
    if rel:
        out.append(f"- **{md(t('relationships'))}:** " + "; ".join(md(x) for x in rel))
    out.append(f"- {md(v.figures_line(r, t))}")
    change = v.change_line(r.change, t)
    if change:
        out.append(f"- {md(change)}")
    if r.distribution:
        out += ["", *_md_table(v.distribution_table(r, t))]
    if r.articles:
        out += ["", f"**{md(t('articles'))}**", ""]
        out += [f"- {md(v.article_line(x.title, x.language, x.status, t))}" for x in r.articles]
    if r.requests:
        out += ["", f"**{md(t('requests'))}**", ""]
        out += [f"- **{md(t('request_to', name=q.to_name))}:** {md(q.text)}" for q in r.requests]
    return out + [""]


def _md_table(table: v.Table) -> list[str]:
    align = ["---:" if i in table.right else "---" for i in range(len(table.headers))]
    rows = [table.headers, tuple(align), *table.rows]
    return ["| " + " | ".join(c if n == 1 else md(c) for c in row) + " |" for n, row in enumerate(rows)]


def render_json(a: Agenda) -> str:
    from redflag_coord.agenda.as_json import render_json as _json

    return _json(a)


def render_html(a: Agenda) -> str:
    from redflag_coord.agenda.html import render_html as _html

    return _html(a)


RENDERERS: dict[str, Callable[[Agenda], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "html": render_html,
    "json": render_json,
}
