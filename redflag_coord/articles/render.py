"""The edition table in words (text, Markdown, a self-contained HTML page) and as data (JSON).

Words come from the reader's catalog (`edition_table.*`); titles stay in their own language, marked
with it in HTML. JSON holds the data, not the words.
"""

from __future__ import annotations

import json
from html import escape

from redflag_coord.articles.build import Cell, EditionTable
from redflag_coord.i18n.labels import Labels
from redflag_coord.i18n.langmark import lang_attr
from redflag_coord.i18n.width import pad, width

SCHEMA = "redflag-coord/articles/1"


def cell_words(t: Labels, cell: Cell, names: dict[str, str]) -> str:
    if cell.state == "claimed":
        text = t("edition_table.claimed", name=names.get(cell.by or "", cell.by or ""))
    elif cell.state == "missing":
        text = t("edition_table.missing")
    else:
        text = t(f"edition_table.{cell.state}")
    return f"{text} ({t('edition_table.machine')})" if cell.machine and cell.state != "source" else text


def _title(t: Labels, table: EditionTable) -> tuple[str, str]:
    sub = t("edition_table.edition", edition=table.edition) if table.edition else t("edition_table.all")
    return t("edition_table.title"), sub


def _grid(table: EditionTable) -> tuple[Labels, list[str], list[list[str]]]:
    t = Labels(table.lang)
    head = [t("edition_table.article"), *table.languages]
    body = [[" ".join(r.title.split()), *(cell_words(t, c, table.names) for c in r.cells)] for r in table.rows]
    return t, head, body


def render_text(table: EditionTable) -> str:
    t, head, body = _grid(table)
    title, sub = _title(t, table)
    out = [title, sub, ""]
    if not body:
        return "\n".join([*out, t("edition_table.none")]) + "\n"
    widths = [max(width(row[i]) for row in (head, *body)) for i in range(len(head))]
    for row in (head, *body):
        out.append("  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
    if any(c.state == "stale" for r in table.rows for c in r.cells):
        out += ["", t("edition_table.legend")]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + ch if ch in "\\`*_[]#|!~" else ch for ch in text)


def render_markdown(table: EditionTable) -> str:
    t, head, body = _grid(table)
    title, sub = _title(t, table)
    out = [f"# {_md(title)}", "", _md(sub), ""]
    if not body:
        return "\n".join([*out, _md(t("edition_table.none"))]) + "\n"
    out.append("| " + " | ".join(_md(h) for h in head) + " |")
    out.append("|" + "---|" * len(head))
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in body]
    if any(c.state == "stale" for r in table.rows for c in r.cells):
        out += ["", _md(t("edition_table.legend"))]
    return "\n".join(out) + "\n"


CSS = """
body { margin: 0; background: #fffdf9; color: #1b1b1b;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari", sans-serif; }
main { max-width: 70rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
h1 { font-size: 1.6rem; border-top: 0.5rem solid #b3001b; padding-top: 0.75rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d9d4cc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
td.stale { color: #b3001b; font-weight: 600; }
td.missing { color: #5b5b5b; }
"""


def render_html(table: EditionTable) -> str:
    """One self-contained page (inline CSS, no scripts, nothing fetched); each title marked with its language."""
    t, head, body = _grid(table)
    title, sub = _title(t, table)

    def e(text: object) -> str:
        return escape(str(text), quote=True)

    parts = [
        "<!doctype html>",
        f'<html lang="{e(table.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body><main>",
        f"<h1>{e(title)}</h1>",
        f"<p>{e(sub)}</p>",
    ]
    if not body:
        parts.append(f"<p>{e(t('edition_table.none'))}</p>")
    else:
        rows = ["<tr>" + "".join(f'<th scope="col">{e(h)}</th>' for h in head) + "</tr>"]
        for r, words in zip(table.rows, body):
            cells = "".join(f'<td class="{c.state}">{e(w)}</td>' for c, w in zip(r.cells, words[1:]))
            rows.append(f'<tr><th scope="row"{lang_attr(r.language, table.lang)}>{e(words[0])}</th>{cells}</tr>')
        parts.append("<table>" + "".join(rows) + "</table>")
        if any(c.state == "stale" for r in table.rows for c in r.cells):
            parts.append(f"<p>{e(t('edition_table.legend'))}</p>")
    parts += ["</main></body>", "</html>"]
    return "\n".join(parts) + "\n"


def render_json(table: EditionTable) -> str:
    data = {
        "schema": SCHEMA,
        "edition": table.edition,
        "editions": list(table.editions),
        "languages": list(table.languages),
        "articles": [
            {
                "collective": r.collective,
                "id": r.id,
                "title": r.title,
                "language": r.language,
                "status": r.status,
                "editions": list(r.editions),
                "rev": r.rev,
                "translations": {
                    lang: {"state": c.state, "claimed_by": c.by, "machine": c.machine}
                    for lang, c in zip(table.languages, r.cells)
                },
            }
            for r in table.rows
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "html": render_html, "json": render_json}


def render(table: EditionTable, fmt: str) -> str:
    return RENDERERS[fmt](table)
