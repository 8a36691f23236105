"""Minutes and the commitments list in words: one document shape (title, facts, sections of lines),
laid out as text, Markdown or a self-contained HTML page; JSON holds the data, not the words."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from redflag_coord.i18n.labels import Labels
from redflag_coord.i18n.langmark import in_lang, lang_attr
from redflag_coord.i18n.width import pad, width, wrap
from redflag_coord.minutes.build import CommitmentList, MinutesView
from redflag_coord.org.commitments import CommitmentState
from redflag_coord.org.commitments import to_dict as commitment_dict
from redflag_coord.tz.zones import zone

MINUTES_SCHEMA = "redflag-coord/minutes/1"
COMMITMENTS_SCHEMA = "redflag-coord/commitments/1"
WIDTH = 92


@dataclass(frozen=True)
class Line:
    text: str
    label: str | None = None
    mark: str | None = None  # a warning shown before the line (overdue)
    label_lang: str | None = None  # the language of the label and of the text, where known (a meeting's
    text_lang: str | None = None  # topics and notes are in its `language`): lang marks in HTML


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[Line, ...]
    empty: str = ""


@dataclass(frozen=True)
class Document:
    lang: str
    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    text_lang: str | None = None  # the title's language (the meeting's), where known


# -- minutes in words ---------------------------------------------------------------------------------


def minutes_document(m: MinutesView) -> Document:
    t = Labels(m.lang)
    local = m.start.astimezone(zone(m.zone))
    facts = [(t("minutes_doc.held"), f"{t.date(local)}, {t.time(local)} ({m.zone})")]
    if m.chair:
        facts.append((t("minutes_doc.chair"), m.chair))
    if m.minute_taker:
        facts.append((t("minutes_doc.minute_taker"), m.minute_taker))
    present = [
        name + (f" ({t.count('minutes_doc.members_n', n)})" if n is not None else "") for _, name, n in m.present
    ]
    attendance = [Line(", ".join(present), t("minutes_doc.present"))] if present else []
    if m.apologies:
        attendance.append(Line(", ".join(n for _, n in m.apologies), t("minutes_doc.apologies")))
    if m.absent:
        attendance.append(Line(", ".join(n for _, n in m.absent), t("minutes_doc.absent")))
    items = [
        Line(
            " ".join(i.notes) or t("minutes_doc.no_note"),
            f"{i.number}. {i.topic}" + (f" ({i.lead})" if i.lead else ""),
            label_lang=m.text_lang,
            text_lang=m.text_lang if i.notes else None,
        )
        for i in m.items
    ]
    decisions = []
    for d in m.decisions:
        how = t("minutes_doc.vote" if d.method == "vote" else "minutes_doc.consensus")
        where = t("minutes_doc.item_n", n=d.item) if d.item else None
        text = f"{d.text} ({', '.join(x for x in (where, how) if x)})"
        if d.votes:
            counts = [
                t("minutes_doc.vote_counts", name=v.name, for_=v.for_, against=v.against, abstain=v.abstain)
                for v in d.votes
                if m.members  # each collective's count shows how many of it voted: only with members shown
            ]
            f, a, ab = d.totals
            counts.append(t("minutes_doc.vote_total", for_=f, against=a, abstain=ab))
            text += " — " + "; ".join(counts)
        decisions.append(Line(text))
    commitments = [commitment_line(t, s, m.names) for s in m.commitments]
    updates = [
        Line(
            f"{t.term('commitment_status', u.status)}" + (f": {u.note}" if u.note else "") + f" · {u.commitment}",
            u.text or u.commitment,
        )
        for u in m.updates
    ]
    none = t("minutes_doc.none")
    sections = [
        Section(t("minutes_doc.attendance"), tuple(attendance), none),
        Section(t("minutes_doc.items"), tuple(items), none),
        Section(t("minutes_doc.decisions"), tuple(decisions), none),
        Section(t("minutes_doc.commitments"), tuple(commitments), none),
    ]
    if updates:
        sections.append(Section(t("minutes_doc.updates"), tuple(updates)))
    subtitle = (
        f"{t('minutes_doc.title')} · {t('meeting_id', id=m.meeting_id)} · {t('convened_by', name=m.convener_name)}"
    )
    return Document(m.lang, m.title, subtitle, tuple(facts), tuple(sections), m.text_lang)


def commitment_line(t: Labels, s: CommitmentState, names: dict[str, str]) -> Line:
    """'South Africa (thabo): text — due …, overdue; status …; from … · id'"""
    owner = names.get(s.owner, s.owner) + (f" ({s.handle})" if s.handle else "")
    if s.due is None:
        due = t("commitments.no_due")
    else:
        due = t("commitments.due", date=t.date(s.due, "medium"), zone=s.owner_zone or "UTC")
    status = t(
        "commitments.status_line", status=t.term("commitment_status", s.status), date=t.date(s.status_date, "medium")
    )
    if s.status != "open" and s.note:
        status += f" ({s.note})"
    origin = t(s.origin_key, meeting=s.meeting)
    mark = t("commitments.overdue_mark") if s.overdue else None
    return Line(f"{s.text} — {due}; {status}; {origin} · {s.id}", owner, mark)


def commitments_document(c: CommitmentList) -> Document:
    t = Labels(c.lang)
    sections = []
    for g in c.groups:
        lines = [commitment_line(t, s, c.names) for s in (*g.open, *g.closed)]
        sections.append(Section(f"{g.name} ({g.zone or 'UTC'})", tuple(lines)))
    title = t("commitments.list_title", date=t.date(c.now.date(), "long"))
    subtitle = t("commitments.recent", days=t.number(c.days))
    return Document(c.lang, title, subtitle, (), tuple(sections))


# -- layouts --------------------------------------------------------------------------------------------


def render_text(doc: Document) -> str:
    out = [doc.title, "=" * min(width(doc.title), WIDTH), doc.subtitle, ""]
    w = max((width(k) for k, _ in doc.facts), default=0)
    out += [f"{pad(k, w)}  {v}" for k, v in doc.facts] + ([""] if doc.facts else [])
    for s in doc.sections:
        out += [s.heading, "-" * min(width(s.heading), WIDTH)]
        for line in s.lines:
            text = (f"[{line.mark}] " if line.mark else "") + (f"{line.label}: " if line.label else "") + line.text
            out += wrap(text, WIDTH, initial_indent="  - ", subsequent_indent="    ") or ["  -"]
        if not s.lines:
            out.append(f"  {s.empty}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + ch if ch in "\\`*_[]#|!~" else ch for ch in text)


def render_markdown(doc: Document) -> str:
    out = [f"# {_md(doc.title)}", "", _md(doc.subtitle), ""]
    out += [f"- **{_md(k)}:** {_md(v)}" for k, v in doc.facts] + ([""] if doc.facts else [])
    for s in doc.sections:
        out += [f"## {_md(s.heading)}", ""]
        for line in s.lines:
            mark = f"**{_md(line.mark)}** " if line.mark else ""
            label = f"**{_md(line.label)}:** " if line.label else ""
            out.append(f"- {mark}{label}{_md(line.text)}")
        if not s.lines:
            out.append(_md(s.empty))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


CSS = """
:root { --ink: #1b1b1b; --muted: #5b5b5b; --line: #d9d4cc; --red: #b3001b; --paper: #fffdf9; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
header { border-top: 0.5rem solid var(--red); padding-top: 0.75rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 0.4rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; color: var(--red); border-bottom: 2px solid var(--red); padding-bottom: 0.2rem;
  margin: 2rem 0 0.75rem; }
.sub { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 1rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul { padding-left: 1.2rem; margin: 0.4rem 0; }
li { margin: 0.3rem 0; overflow-wrap: anywhere; }
.label { font-weight: 600; }
.warning { color: var(--red); font-weight: 600; }
@media (max-width: 40rem) {
  main { padding: 0.75rem 0.75rem 2rem; }
  h1 { font-size: 1.3rem; }
  dl.facts { grid-template-columns: 1fr; gap: 0.1rem; }
  dl.facts dd { margin-bottom: 0.5rem; }
}
@media print {
  @page { margin: 1.5cm; }
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  li { break-inside: avoid; }
}
"""


def render_html(doc: Document, nav: str = "", css: str = "") -> str:
    """One self-contained page (inline CSS, no scripts, nothing fetched), like the agenda's. `nav`: HTML put
    first in the page (a published site's links), `css` the rules it needs. The meeting's own words (title,
    topics, notes) carry its language where the page is in another (i18n.langmark)."""

    def e(text: object) -> str:
        return escape(str(text), quote=True)

    h1 = f"<h1{lang_attr(doc.text_lang, doc.lang)}>{e(doc.title)}</h1>"
    parts = [
        "<!doctype html>",
        f'<html lang="{e(doc.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{e(doc.title)}</title>",
        f"<style>{CSS}{css}</style>",
        "</head>",
        "<body><main>",
        *([nav] if nav else []),
        f'<header>{h1}<p class="sub">{e(doc.subtitle)}</p></header>',
    ]
    if doc.facts:
        parts.append('<dl class="facts">' + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in doc.facts) + "</dl>")
    for s in doc.sections:
        items = [
            "<li>"
            + (f'<span class="warning">{e(line.mark)}</span> ' if line.mark else "")
            + (
                f'<span class="label">{in_lang(e(line.label), line.label_lang, doc.lang)}:</span> '
                if line.label
                else ""
            )
            + in_lang(e(line.text), line.text_lang, doc.lang)
            + "</li>"
            for line in s.lines
        ]
        body = f"<ul>{''.join(items)}</ul>" if items else f"<p>{e(s.empty)}</p>"
        parts.append(f"<section><h2>{e(s.heading)}</h2>{body}</section>")
    parts += ["</main></body>", "</html>"]
    return "\n".join(parts) + "\n"


# -- JSON -------------------------------------------------------------------------------------------------


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def minutes_json(m: MinutesView) -> str:
    return _dumps(
        {
            "schema": MINUTES_SCHEMA,
            "meeting": m.meeting_id,
            "title": m.title,
            "convener": m.convener,
            "lang": m.lang,
            "timezone": m.zone,
            "start": m.start.astimezone(zone(m.zone)).isoformat(timespec="minutes"),
            "chair": m.chair,
            "minute_taker": m.minute_taker,
            "attendance": {
                "present": [s for s, _, _ in m.present],
                "members": {s: n for s, _, n in m.present if n is not None},
                "apologies": [s for s, _ in m.apologies],
                "absent": [s for s, _ in m.absent],
            },
            "items": [{"number": i.number, "topic": i.topic, "notes": list(i.notes)} for i in m.items],
            "decisions": [
                {
                    "text": d.text,
                    "item": d.item,
                    "method": d.method,
                    "votes": [
                        {"collective": v.name, "for": v.for_, "against": v.against, "abstain": v.abstain}
                        for v in d.votes
                    ],
                }
                for d in m.decisions
            ],
            "commitments": [commitment_dict(s) for s in m.commitments],
            "updates": [{"commitment": u.commitment, "status": u.status, "note": u.note} for u in m.updates],
        }
    )


def commitments_json(c: CommitmentList) -> str:
    return _dumps(
        {
            "schema": COMMITMENTS_SCHEMA,
            "now": c.now.isoformat(timespec="seconds"),
            "collective": c.collective,
            "recent_days": c.days,
            "owners": [
                {
                    "owner": g.owner,
                    "timezone": g.zone,
                    "open": [commitment_dict(s) for s in g.open],
                    "closed": [commitment_dict(s) for s in g.closed],
                }
                for g in c.groups
            ],
        }
    )


def render(doc_or_view: MinutesView | CommitmentList, fmt: str) -> str:
    """`fmt` is text, markdown, html or json."""
    if fmt == "json":
        return minutes_json(doc_or_view) if isinstance(doc_or_view, MinutesView) else commitments_json(doc_or_view)
    doc = minutes_document(doc_or_view) if isinstance(doc_or_view, MinutesView) else commitments_document(doc_or_view)
    return {"text": render_text, "markdown": render_markdown, "html": render_html}[fmt](doc)
