"""Articles and translations: the source text's rev, the named checks (file, line, key), the edition
table in every format and language, read back with a parser of its own."""

from __future__ import annotations

import json
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.cli.app import app
from redflag_coord.org.articles import source_rev

ARTICLE = "collectives/el-salvador/articles/maquilas.toml"
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


# -- the rev: any change to what a reader sees changes it; re-saving the same letters does not -------------


@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=200), TEXT.filter(bool))
def test_any_change_to_the_source_text_changes_its_rev(text: str, at: int, inserted: str) -> None:
    """Decided (org/articles.py): the rev is of the NFC text with LF line endings; anything else counts."""
    at = min(at, len(text))
    changed = text[:at] + inserted + text[at:]

    def seen(s: str) -> str:
        return unicodedata.normalize("NFC", s.replace("\r\n", "\n").replace("\r", "\n"))

    assert (source_rev(changed) == source_rev(text)) == (seen(changed) == seen(text))


@settings(max_examples=100, deadline=None)
@given(TEXT)
def test_normalisation_and_line_endings_do_not_change_the_rev(text: str) -> None:
    rev = source_rev(text)
    assert source_rev(unicodedata.normalize("NFD", text)) == rev
    assert source_rev(unicodedata.normalize("NFC", text)) == rev
    lf = text.replace("\r\n", "\n").replace("\r", "\n")  # "\r\n" given as text is one line end already
    assert source_rev(lf.replace("\n", "\r\n")) == rev


def test_a_composed_and_a_decomposed_accent_are_the_same_text_but_another_letter_is_not() -> None:
    composed, decomposed = "excepci\u00f3n", "excepcio\u0301n"
    assert composed != decomposed and source_rev(composed) == source_rev(decomposed)
    assert source_rev("excepcion") != source_rev(composed)
    assert source_rev("a b") != source_rev("a  b")  # even one space: the tool cannot tell which edits matter


# -- the checks: one named problem each, at the file, line and key ---------------------------------------


def _validate(run, root: Path) -> str:
    result = run("validate", str(root))
    return result.stdout + result.stderr


def _edit(root: Path, old: str, new: str) -> None:
    path = root / ARTICLE
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(root: Path, key_line: str) -> int:
    return next(i for i, line in enumerate((root / ARTICLE).read_text().splitlines(), 1) if line.startswith(key_line))


def test_the_example_article_is_clean_and_reviewed(run, example_root) -> None:
    out = _validate(run, example_root)
    assert "0 error(s), 0 warning(s)" in out
    data = json.loads(
        run("articles", "status", "red-flag-2026-12", "--format", "json", "--root", str(example_root)).stdout
    )
    (row,) = data["articles"]
    assert (row["id"], row["language"], row["translations"]["hi"]["state"]) == ("maquilas", "es", "reviewed")
    assert row["translations"]["es"]["state"] == "source" and row["translations"]["fr"]["state"] == "missing"


@pytest.mark.parametrize(
    ("old", "new", "code", "key", "at"),
    [
        (
            'requested_by = "india"',
            'requested_by = "indai"',
            "unknown-collective",
            "translation[0].requested_by",
            "requested_by",
        ),
        ('reviewer = "ravi"', 'reviewer = "asha"', "self-review", "translation[0].reviewer", "reviewer"),
        ('claimed_by = "india"\n', "", "state-order", "translation[0].state", "state"),
    ],
)
def test_each_check_names_its_problem_at_the_key(run, org_copy, old, new, code, key, at) -> None:
    _edit(org_copy, old, new)
    out = _validate(run, org_copy)
    line = _line_of(org_copy, at)
    assert f"{ARTICLE}:{line}:1: error[{code}]: {key}:" in out, out


def test_machine_text_needs_a_person_to_review_it(run, org_copy) -> None:
    _edit(org_copy, "machine = false", "machine = true")
    assert "0 error(s), 0 warning(s)" in _validate(run, org_copy)  # reviewed by ravi, a member
    _edit(org_copy, 'reviewer = "ravi"\n', "")
    out = _validate(run, org_copy)
    assert "error[machine-unreviewed]" in out and "machine text counts only once a person has reviewed it" in out
    _edit(org_copy, 'translator = "asha"', 'translator = "asha"\nreviewer = "deepl"')
    out = _validate(run, org_copy)
    assert "error[machine-unreviewed]" in out and "who is no member" in out


def test_a_missing_translation_text_and_a_second_claim_on_a_language(run, org_copy) -> None:
    (org_copy / "collectives/el-salvador/articles/maquilas.hi.md").unlink()
    out = _validate(run, org_copy)
    assert "error[missing-text]" in out and "maquilas.hi.md" in out
    text = (org_copy / ARTICLE).read_text(encoding="utf-8")
    block = text[text.index("[[translation]]") :]
    (org_copy / ARTICLE).write_text(text + "\n" + block, encoding="utf-8")
    assert "error[duplicate-language]" in _validate(run, org_copy)


def test_a_source_edit_is_a_warning_that_says_the_new_rev(run, org_copy) -> None:
    source = org_copy / "collectives/el-salvador/articles/maquilas.es.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(unicodedata.normalize("NFD", text).replace("\n", "\r\n"), encoding="utf-8")
    assert "0 error(s), 0 warning(s)" in _validate(run, org_copy)  # the same words, re-saved: not stale
    source.write_text(text + "\nUna línea más.\n", encoding="utf-8")
    result = run("validate", str(org_copy))
    assert result.exit_code == 0  # a warning: the translation still reads, it is owed an update
    line = _line_of(org_copy, "from_rev")
    rev = source_rev(source.read_text(encoding="utf-8"))
    assert f"{ARTICLE}:{line}:1: warning[stale-translation]: translation[0].from_rev:" in result.stdout
    assert f"from_rev = '{rev}'" in result.stdout


# -- the edition table ------------------------------------------------------------------------------------


class _Table(HTMLParser):
    """The page's table as rows of cell texts, with each cell's class and lang (html.parser, not our code)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, dict[str, str | None]]]] = []
        self.cell: list[str] | None = None
        self.attrs: dict[str, str | None] = {}
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell, self.attrs = [], dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(("".join(self.cell), self.attrs))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


WORDS = {"en": "reviewed", "es": "revisada", "fr": "relue", "hi": "समीक्षित", "pt": "revista"}


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_the_html_table_reads_back_as_the_json_says_in_the_readers_language(run, example_root, lang) -> None:
    args = ("articles", "status", "red-flag-2026-12", "--lang", lang, "--root", str(example_root))
    data = json.loads(run(*args, "--format", "json").stdout)
    page = _Table()
    page.feed(run(*args, "--format", "html").stdout)
    assert page.html_lang == lang
    head, *rows = page.rows
    assert [text for text, _ in head[1:]] == data["languages"]
    assert len(rows) == len(data["articles"])
    for row, article in zip(rows, data["articles"]):
        (title, attrs), *cells = row
        assert title == article["title"]
        assert attrs.get("lang") == (None if lang == "es" else "es")  # the title in its own language
        states = [attrs["class"] for _, attrs in cells]
        assert states == [article["translations"][x]["state"] for x in data["languages"]]
        hindi = cells[data["languages"].index("hi")][0]
        assert hindi == WORDS[lang]
    text = run(*args).stdout
    md = run(*args, "--format", "markdown").stdout
    assert WORDS[lang] in text and f"| {WORDS[lang]} |" in md


def test_an_unknown_edition_is_a_usage_error_with_a_suggestion(run, example_root) -> None:
    result = run("articles", "status", "red-flag-2026-1", "--root", str(example_root))
    assert result.exit_code == 2
    assert "did you mean 'red-flag-2026-12'" in result.stdout + result.stderr


def _india_tasks(run, root: Path) -> dict[str, dict]:
    data = json.loads(run("commitments", "india", "--format", "json", "--root", str(root)).stdout)
    return {t["id"]: t for g in data["owners"] for part in ("open", "closed") for t in g[part]}


def test_a_declined_translation_is_a_dropped_commitment(run, org_copy) -> None:
    _edit(org_copy, 'commitment = "ic-2026-06-hindi-edition"\n', "")  # a translation of its own
    _edit(org_copy, 'state = "reviewed"', 'state = "declined"')
    task = _india_tasks(run, org_copy)["maquilas-hi"]
    assert (task["kind"], task["status"], task["owner"]) == ("translation", "dropped", "india")
    table = json.loads(run("articles", "status", "--format", "json", "--root", str(org_copy)).stdout)
    assert table["articles"][0]["translations"]["hi"]["state"] == "declined"


def test_the_command_is_in_the_app() -> None:
    from typer.main import get_command

    assert "articles" in get_command(app).commands  # type: ignore[attr-defined]


def test_no_article_code_can_send_text_anywhere() -> None:
    """The promise that the tool sends no text to a translation service, attacked where it would break:
    no module that reads article texts imports a way to reach the network."""
    import ast

    import redflag_coord

    base = Path(redflag_coord.__file__).parent
    modules = [base / "org" / "articles.py", base / "check" / "articles.py", *sorted((base / "articles").glob("*.py"))]
    modules.append(base / "cli" / "commands" / "articles.py")
    network = {"socket", "http", "urllib", "smtplib", "ssl", "requests", "httpx", "aiohttp", "ftplib", "caldav"}
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in network, f"{path.name} imports {name}"


def test_validate_changed_sees_a_source_edit_turn_a_translation_stale(org_copy) -> None:
    """A branch that only edits the source text (no TOML changed) still hears about the stale translation."""
    from redflag_coord.check.changed import validate_changed

    source = "collectives/el-salvador/articles/maquilas.es.md"
    (org_copy / source).write_text("# Otro texto\n", encoding="utf-8")
    outcome = validate_changed(org_copy, [source])
    (stale,) = [p for p in outcome.problems if p.code == "stale-translation"]
    assert (stale.file, stale.severity, stale.key) == (ARTICLE, "warning", ("translation", 0, "from_rev"))


HINDI = "ic-2026-06-hindi-edition"


def test_a_translation_that_carries_out_a_minutes_commitment_is_that_commitment(run, org_copy) -> None:
    # One fact, one place: the minutes' "translate the maquilas article" and the article's Hindi translation
    # are one commitment; its status follows the translation (done when reviewed), not a second, overdue copy.
    tasks = _india_tasks(run, org_copy)
    assert "maquilas-hi" not in tasks
    task = tasks[HINDI]
    assert (task["kind"], task["status"], task["status_date"], task["overdue"]) == (
        "commitment",
        "done",
        "2026-11-25",
        False,
    )
    _edit(org_copy, 'state = "reviewed"', 'state = "declined"')
    assert _india_tasks(run, org_copy)[HINDI]["status"] == "dropped"


def test_a_source_edit_reopens_the_commitment_the_translation_carries_out(run, org_copy) -> None:
    source = org_copy / "collectives/el-salvador/articles/maquilas.es.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nUna línea más.\n", encoding="utf-8")
    tasks = _india_tasks(run, org_copy)
    assert "maquilas-hi" not in tasks and tasks[HINDI]["status"] == "open"


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("ic-2026-06-hindi-editon", "is in no minutes"),
        ("ic-2026-06-dudula-article", "is owed by 'south-africa', not by 'india'"),
    ],
)
def test_a_translation_names_only_its_own_collectives_commitment(run, org_copy, ref: str, says: str) -> None:
    _edit(org_copy, f'commitment = "{HINDI}"', f'commitment = "{ref}"')
    out = _validate(run, org_copy)
    line = _line_of(org_copy, "commitment =")
    assert f"{ARTICLE}:{line}:1: warning[unresolved-ref]: translation[0].commitment:" in out, out
    assert says in out
    tasks = _india_tasks(run, org_copy)  # not carried: the translation is a commitment of its own, nothing lost
    assert tasks["maquilas-hi"]["status"] == "done" and tasks[HINDI]["status"] == "open"
