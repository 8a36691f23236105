"""The agenda as one self-contained HTML page: inline CSS, no scripts, nothing fetched.

Readable on a phone (tables stack on narrow screens), printable (a print
stylesheet), and every piece of text from the data is escaped.
"""

from __future__ import annotations

from html import escape

from redflag_coord.agenda import view as v
from redflag_coord.agenda.build import Agenda, ReportSlot
from redflag_coord.i18n.labels import Labels
from redflag_coord.i18n.langmark import in_lang, lang_attr

CSS = """
:root { --ink: #1b1b1b; --muted: #5b5b5b; --line: #d9d4cc; --red: #b3001b; --paper: #fffdf9; --band: #f4efe6; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
header { border-top: 0.5rem solid var(--red); padding-top: 0.75rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 0.4rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; color: var(--red); border-bottom: 2px solid var(--red); padding-bottom: 0.2rem; margin: 2rem 0 0.75rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.25rem; }
.sub, .note, .filed { color: var(--muted); }
.note { font-size: 0.9rem; margin: 0.4rem 0 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 1rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.warning { color: var(--red); font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.break td { color: var(--muted); font-style: italic; }
tr.outside td { background: #fde8ea; }
article.report { border: 1px solid var(--line); border-left: 0.3rem solid var(--red); border-radius: 0.3rem;
  padding: 0.8rem 1rem; margin: 0 0 1rem; background: #fff; }
article.report p { margin: 0.4rem 0; overflow-wrap: anywhere; }
ul { padding-left: 1.2rem; margin: 0.4rem 0; }
ul.figures { list-style: none; padding: 0; }
ul.figures li { margin: 0.15rem 0; }
.label { font-weight: 600; }
.zone { color: var(--muted); font-size: 0.85em; }
.change { color: var(--muted); }
@media (max-width: 40rem) {
  main { padding: 0.75rem 0.75rem 2rem; }
  h1 { font-size: 1.3rem; }
  dl.facts { grid-template-columns: 1fr; gap: 0.1rem; }
  dl.facts dd { margin-bottom: 0.5rem; }
  th, td { padding: 0.35rem 0.4rem; }
  table.stack thead { display: none; }
  table.stack tr { display: block; border-bottom: 1px solid var(--line); padding: 0.4rem 0; }
  table.stack td { display: inline-block; border: 0; padding: 0.1rem 0.5rem 0.1rem 0; }
  table.stack td.topic { display: block; }
}
@media print {
  @page { margin: 1.5cm; }
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  header { border-top-width: 3pt; }
  h2 { break-after: avoid; }
  article.report, tr { break-inside: avoid; }
  article.report { border-color: #999; }
  th { background: #eee; }
  .scroll { overflow: visible; }
  a { color: inherit; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 0.85em; }
}
"""


def render_html(a: Agenda, public: bool = False, nav: str = "", css: str = "") -> str:
    """The agenda as one self-contained page. `public` (a published site, like an invite) leaves out
    what collectives report: summaries, Red Flag sites and figures, relationships, requests, who is missing.
    `nav`: HTML put first in the page (a published site's links to its index, languages and feed), `css`
    the rules it needs.

    The meeting's own words (title, location, description, topics) carry its `language` where the page
    is in another (i18n.langmark)."""
    t = v.labels(a)
    parts = [
        "<!doctype html>",
        f'<html lang="{e(a.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{e(t.colon('agenda'))} {e(a.title)}</title>",
        f"<style>{CSS}{css}</style>",
        "</head>",
        "<body><main>",
        *([nav] if nav else []),
        f'<header><h1{lang_attr(a.text_lang, a.lang)}>{e(a.title)}</h1><p class="sub">{e(t("agenda"))} · {e(v.subtitle(a, t))}</p></header>',
        _facts(a, t),
        _section(t("times_heading"), _zones(a, t) + _note(v.zone_note(a, t))),
        _section(t("items_heading"), _items(a, t)),
        _section(t("time_check_heading"), _list(v.time_check_lines(a, t))),
    ]
    if public:
        parts += ["</main></body>", "</html>"]
        return "\n".join(parts) + "\n"
    for heading, rows in v.commitment_groups(a, t) if a.commitments else ():
        lines = [
            (f'<span class="warning">{e(t("commitments.overdue_mark"))}</span> ' if late else "")
            + f'<span class="label">{e(owner)}:</span> {e(what)}'
            for owner, what, late in rows
        ]
        parts.append(_section(heading, _list(lines, raw=True) if lines else f"<p>{e(t('commitments.none'))}</p>"))
    if a.reviews:
        parts.append(_section(t("reviews.heading"), _list([v.review_line(a, t, r) for r in a.reviews])))
    if a.requests_to_you:
        name = next((z.name for z in a.zones if z.collective == a.for_collective), a.for_collective or "")
        items = [f'<span class="label">{e(q.source_name)}:</span> {e(q.text)}' for q in a.requests_to_you]
        parts.append(_section(t("requests_to_you", name=name), _list(items, raw=True)))
    reports = "".join(_report(r, a, t) for r in a.reports) or f"<p>{e(t('no_reports'))}</p>"
    parts.append(_section(t("reports_heading"), reports))
    missing = [f'<span class="label">{e(n)}:</span> {e(why)}' for n, why in v.missing_lines(a, t)]
    if a.expects_reports:
        parts.append(
            _section(v.missing_heading(a, t), _list(missing, raw=True) if missing else f"<p>{e(t('missing_none'))}</p>")
        )
    parts += ["</main></body>", "</html>"]
    return "\n".join(parts) + "\n"


def e(text: object) -> str:
    return escape(str(text), quote=True)


def _facts(a: Agenda, t: Labels) -> str:
    rows = [(t("when"), "<br>".join(e(x) for x in v.when_lines(a, t)))]
    note = v.occurrence_note(a, t)
    if note:
        rows[0] = (rows[0][0], rows[0][1] + f'<br><span class="note">{e(note)}</span>')
    if a.location:
        rows.append((t("location"), in_lang(e(a.location), a.text_lang, a.lang)))
    if a.url:
        rows.append((t("link"), f'<a href="{e(a.url)}">{e(a.url)}</a>'))
    if a.opens_name:
        rows.append((t("opens"), e(a.opens_name)))
    rows += [(key, e(text)) for key, text in v.role_facts(a, t)]
    if a.description:
        rows.append((t("description"), in_lang(e(a.description), a.text_lang, a.lang)))
    rows += [(t("warning"), f'<span class="warning">{e(w)}</span>') for w in v.notice_lines(a, t)]
    return '<dl class="facts">' + "".join(f"<dt>{e(k)}</dt><dd>{val}</dd>" for k, val in rows) + "</dl>"


def _section(title: str, body: str) -> str:
    return f"<section><h2>{e(title)}</h2>{body}</section>"


def _note(text: str) -> str:
    return f'<p class="note">{e(text)}</p>'


def _list(lines: list[str], raw: bool = False) -> str:
    return "<ul>" + "".join(f"<li>{line if raw else e(line)}</li>" for line in lines) + "</ul>"


def _table(table: v.Table, classes: str = "", row_classes: list[str] | None = None, last_lang: str = "") -> str:
    """`last_lang`: the lang attribute of the last column's data cells (a meeting's topics), if any."""

    def cell(tag: str, i: int, text: str) -> str:
        cls = []
        if i in table.right:
            cls.append("num")
        if i == len(table.headers) - 1 and "stack" in classes:
            cls.append("topic")
        attr = f' class="{" ".join(cls)}"' if cls else ""
        if tag == "td" and i == len(table.headers) - 1:
            attr += last_lang
        return f"<{tag}{attr}>{e(text)}</{tag}>"

    head = "<tr>" + "".join(cell("th", i, h) for i, h in enumerate(table.headers)) + "</tr>"
    body = []
    for n, row in enumerate(table.rows):
        rc = row_classes[n] if row_classes and row_classes[n] else ""
        attr = f' class="{rc}"' if rc else ""
        body.append(f"<tr{attr}>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>")
    cls = f' class="{classes}"' if classes else ""
    return f'<div class="scroll"><table{cls}><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>'


def _zones(a: Agenda, t: Labels) -> str:
    """Collective and zone share a cell (the zone small below), so the table fits a phone."""
    table = v.zone_table(a, t)
    head = (
        f"<tr><th>{e(table.headers[0])} · {e(table.headers[1])}</th>"
        f'<th class="num">{e(table.headers[2])}</th><th class="num">{e(table.headers[3])}</th></tr>'
    )
    body = "".join(
        f'<tr><td>{e(name)}<br><span class="zone">{e(zone)}</span></td>'
        f'<td class="num">{e(start)}</td><td class="num">{e(end)}</td></tr>'
        for name, zone, start, end in table.rows
    )
    return f'<div class="scroll"><table class="zones"><thead>{head}</thead><tbody>{body}</tbody></table></div>'


def _items(a: Agenda, t: Labels) -> str:
    if not a.items:
        return f"<p>{e(t('no_items'))}</p>"
    classes = [
        " ".join(c for c in ("break" if i.kind == "break" else "", "" if i.fit == "inside" else "outside") if c)
        for i in a.items
    ]
    topics = lang_attr(a.text_lang, a.lang)
    return _table(v.item_table(a, t), "stack items", classes, topics) + _note(v.items_zone_note(a, t))


def _report(r: ReportSlot, a: Agenda, t: Labels) -> str:
    out = [
        f'<article class="report" id="report-{e(r.collective)}">',
        f"<h3>{e(r.name)}</h3>",
        f'<p class="filed">{e(v.filed_line(r, a, t))}</p>',
        f"<p>{e(r.summary)}</p>",
    ]
    figures = []
    private = v.private_line(r, t)
    if private:
        figures.append(e(private))
    figures.append(f'<span class="label">{e(t.colon("red_flag"))}</span> {e(v.red_flag_line(r, t))}')
    rel = v.relationship_lines(r, t)
    if rel:
        figures.append(f'<span class="label">{e(t.colon("relationships"))}</span> ' + "; ".join(e(x) for x in rel))
    figures.append(e(v.figures_line(r, t)))
    change = v.change_line(r.change, t)
    if change:
        figures.append(f'<span class="change">{e(change)}</span>')
    out.append('<ul class="figures">' + "".join(f"<li>{f}</li>" for f in figures) + "</ul>")
    if r.distribution:
        out.append(_table(v.distribution_table(r, t)))
    if r.articles:
        out.append(f'<p class="label">{e(t("articles"))}</p>')
        out.append(_list([_article(x.title, x.language, x.status, a, t) for x in r.articles], raw=True))
    if r.requests:
        out.append(f'<p class="label">{e(t("requests"))}</p>')
        out.append(
            _list(
                [
                    f'<span class="label">{e(t.colon("request_to", name=q.to_name))}</span> {e(q.text)}'
                    for q in r.requests
                ],
                raw=True,
            )
        )
    out.append("</article>")
    return "".join(out)


def _article(title: str, language: str, status: str, a: Agenda, t: Labels) -> str:
    """v.article_line with the title marked in the article's language where the page is in another."""
    line = e(v.article_line(title, language, status, t))
    return line.replace(e(title), in_lang(e(title), language, a.lang), 1)
