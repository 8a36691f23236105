"""fmt: one canonical layout, comments and unknown keys kept, idempotent."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.edit.fmt import FormatError, format_text

EXAMPLE_FILES = sorted((Path(__file__).resolve().parent.parent / "collectives").rglob("*.toml"))


def _kind(path: Path) -> str | None:
    from redflag_coord.edit.fmt import kind_of

    return kind_of(path)


def _comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def test_example_data_is_canonical(run, example_root):
    result = run("fmt", "--check", str(example_root / "collectives"))
    assert result.exit_code == 0, result.stdout
    assert "0 of 40 file(s) would be reformatted" in result.stderr


def _scramble(text: str) -> str:
    """Same data, untidy layout: wide separators, doubled blank lines, literal strings, spread arrays."""
    out = []
    for line in text.splitlines():
        m = re.match(r'^([a-z_]+) = "([^"\\\']*)"$', line)
        if m:
            out.append(f"{m.group(1)}   =   '{m.group(2)}'")
        elif re.match(r"^[a-z_]+ = \[[^\]#]*\]$", line) and "," in line:
            key, _, values = line.partition(" = ")
            out.append(f"{key}=[\n" + ",\n".join("    " + v.strip() for v in values[1:-1].split(",")) + "\n]")
        else:
            out.append(line)
        if line == "":
            out.append("")
    return "\n".join(out) + "\n\n"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: "/".join(p.parts[-3:]))
def test_fmt_restores_every_example_file_byte_for_byte(path):
    original = path.read_text(encoding="utf-8")
    untidy = _scramble(original)
    assert tomllib.loads(untidy) == tomllib.loads(original)
    formatted = format_text(untidy, _kind(path))
    assert formatted == original
    assert _comment_lines(formatted) == _comment_lines(original)


def test_fmt_command_keeps_every_comment_of_the_example(org_copy, run):
    files = sorted((org_copy / "collectives").rglob("*.toml"))
    before = {p: p.read_text() for p in files}
    for p in files:
        p.write_text(_scramble(before[p]))
    result = run("fmt", str(org_copy / "collectives"))
    assert result.exit_code == 0, result.stderr
    for p in files:
        assert p.read_text() == before[p]
    assert run("validate", str(org_copy)).exit_code == 0


def test_keys_follow_the_model_and_comments_move_with_them():
    text = (
        '[[item]]\n# who leads\nlead = "mexico"  # a comment on the line\nkind = "report"\n'
        'topic = "Mexico"\nduration_minutes = 15\n'
    )
    assert format_text(text, "meeting") == (
        '[[item]]\ntopic = "Mexico"\nduration_minutes = 15\n# who leads\n'
        'lead = "mexico"  # a comment on the line\nkind = "report"\n'
    )


def test_unknown_keys_stay_after_the_known_ones():
    text = 'zzz = 1\nsummary = "s"\nfiled = 2026-11-20\n[extra]\na = 1\n[red_flag]\nreaders = 2\n'
    assert format_text(text, "report") == (
        'filed = 2026-11-20\nsummary = "s"\nzzz = 1\n\n[red_flag]\nreaders = 2\n\n[extra]\na = 1\n'
    )


def test_inline_forms_of_model_tables_become_tables():
    text = (
        'filed = 2026-11-20\nsummary = "s"\nred_flag = { readers = 3, distribution = [{ site = "a", copies = 1 }] }\n'
        'article = [{ language = "es", title = "t" }]\n'
    )
    assert format_text(text, "report") == (
        'filed = 2026-11-20\nsummary = "s"\n\n[red_flag]\nreaders = 3\n\n[[red_flag.distribution]]\nsite = "a"\n'
        'copies = 1\n\n[[article]]\ntitle = "t"\nlanguage = "es"\n'
    )


def test_quoting_spacing_and_arrays():
    text = (
        "\"name\"='A'\ntimezone = \"UTC\"\nlanguages = [\n 'en',\n]\n"
        'sectors = ["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccc", '
        '"dddddddddddddddddd"]\n'
        '\n\n\n[availability]\n  weekdays = [ "18:00-22:00" ]   # evenings\n'
    )
    assert format_text(text, "collective") == (
        'name = "A"\ntimezone = "UTC"\nlanguages = ["en"]\nsectors = [\n  "aaaaaaaaaaaaaaaaaaaa",\n'
        '  "bbbbbbbbbbbbbbbbbbbbbbbbb",\n  "cccccccccccccccccccccccc",\n  "dddddddddddddddddd",\n]\n\n'
        '[availability]\nweekdays = ["18:00-22:00"]   # evenings\n'
    )


def test_arrays_with_comments_are_left_as_written():
    text = 'participants = [\n  "a",  # opens\n  "b",\n]\ntitle = "t"\n'
    out = format_text(text, "meeting")
    assert out == 'title = "t"\nparticipants = [\n  "a",  # opens\n  "b",\n]\n'


def test_invalid_toml_is_an_error_naming_the_line():
    with pytest.raises(FormatError) as err:
        format_text('a = 1\nb = "open\n')
    assert err.value.line == 2


def test_dotted_keys_are_refused_not_mangled():
    with pytest.raises(FormatError, match="dotted key"):
        format_text('red_flag.readers = 3\nsummary = "s"\n', "report")


def test_check_lists_and_diffs_without_writing(org_copy, run, monkeypatch):
    path = org_copy / "collectives/france/collective.toml"
    path.write_text(path.read_text().replace('name = "France"', 'name="France"'))
    untidy = path.read_text()
    monkeypatch.chdir(org_copy)
    result = run("fmt", "--check", "--diff")
    assert result.exit_code == 1
    assert "would reformat collectives/france/collective.toml" in result.stdout
    assert '-name="France"\n+name = "France"' in result.stdout
    assert path.read_text() == untidy
    assert run("fmt").exit_code == 0
    assert run("fmt", "--check").exit_code == 0


def test_a_file_that_cannot_be_read_is_reported_and_left_alone(org_copy, run):
    path = org_copy / "collectives/france/members.toml"
    path.write_text("[[member]]\nhandle = \n")
    result = run("fmt", str(path))
    assert result.exit_code == 1
    assert "members.toml:2:" in result.stderr
    assert path.read_text() == "[[member]]\nhandle = \n"


def test_missing_path_is_a_usage_error(run, tmp_path):
    assert run("fmt", str(tmp_path / "nope.toml")).exit_code == 2


# -- idempotency on generated files ------------------------------------------------------------

_keys = st.sampled_from(["filed", "summary", "recruits", "filed_by", "zz_unknown", "a-b", "odd key"])
_scalars = st.one_of(
    st.integers(-(10**6), 10**6),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x7f"), max_size=30),
    st.dates().map(lambda d: d),
    st.booleans(),
)
_values = st.one_of(
    _scalars,
    st.lists(st.integers(0, 10**9), max_size=12),
    st.dictionaries(st.sampled_from(["contact", "reader", "x y"]), st.integers(0, 9), max_size=3),
)


@st.composite
def _documents(draw) -> str:
    import tomlkit

    doc = tomlkit.document()
    for key, value in draw(st.dictionaries(_keys, _values, max_size=6)).items():
        if draw(st.booleans()):
            doc.add(tomlkit.comment(draw(st.text("abc éñ#", max_size=10))))
        doc[key] = value
    for name in draw(st.lists(st.sampled_from(["red_flag", "relationships", "extra"]), unique=True, max_size=3)):
        table = tomlkit.table()
        for key, value in draw(st.dictionaries(st.sampled_from(["readers", "new", "q"]), _scalars, max_size=3)).items():
            table[key] = value
        doc[name] = table
    if draw(st.booleans()):
        aot = tomlkit.aot()
        for _ in range(draw(st.integers(1, 3))):
            t = tomlkit.table()
            t["title"] = draw(st.text(max_size=8))
            t["language"] = "en"
            aot.append(t)
        doc["article"] = aot
    text = tomlkit.dumps(doc)
    return text.replace(" = ", draw(st.sampled_from([" = ", "=", "   =  "])))


@settings(max_examples=150, deadline=None)
@given(_documents())
def test_fmt_is_idempotent_and_keeps_the_data(text):
    once = format_text(text, "report")
    assert format_text(once, "report") == once
    assert tomllib.loads(once) == tomllib.loads(text)


@pytest.mark.parametrize("path", EXAMPLE_FILES[:12], ids=lambda p: "/".join(p.parts[-3:]))
def test_crlf_files_get_lf_line_ends(path):
    original = path.read_text(encoding="utf-8")
    assert format_text(original.replace("\n", "\r\n"), _kind(path)) == original


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(EXAMPLE_FILES), st.integers(0, 10_000), st.integers(1, 5), st.text(" =[]{}\"'#.,\n\\x1", max_size=3)
)
def test_damaged_files_give_a_format_error_or_the_same_data(path, at, length, insert):
    text = path.read_text(encoding="utf-8")
    at %= len(text)
    damaged = text[:at] + insert + text[at + length :]
    try:
        out = format_text(damaged, _kind(path))
    except FormatError as e:
        assert str(e)
        return
    assert tomllib.loads(out) == tomllib.loads(damaged)
    assert format_text(out, _kind(path)) == out
