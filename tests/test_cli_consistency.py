"""One tool, not eleven: every registered command and option, walked and held to the same rules.

A new command or option joins these checks by being registered; nothing here lists them by hand
except the examples (cli/app.py EXAMPLES), which every command must have.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from redflag_coord.cli.app import EXAMPLES, make_app
from redflag_coord.cli.commands.options import DURATION_HELP, RENAMED, DurationParser

EXE = Path(sys.executable).parent / "redflag-coord"


def _commands() -> dict[str, object]:
    """'agenda' -> its click command, 'report new' -> ..., for every registered command."""
    found: dict[str, object] = {}

    def walk(prefix: str, cmd) -> None:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found[prefix] = cmd

    walk("", typer.main.get_command(make_app()))
    return found


COMMANDS = _commands()
ROOT = typer.main.get_command(make_app())


def _every_option() -> list[tuple[str, object]]:
    """(command, option) for every option of every command, and the tool's own (--version ...) as ''.
    Called by tests, not at import: get_params names arguments, which the parametrize lists below read."""
    ctx = ROOT.make_context("redflag-coord", [], resilient_parsing=True)
    found = [("", p) for p in ROOT.params if p.param_type_name == "option"]
    for name, cmd in COMMANDS.items():
        found += [(name, p) for p in cmd.get_params(ctx) if p.param_type_name == "option"]  # type: ignore[attr-defined]
    return [(name, p) for name, p in found if "--help" not in p.opts]


def _options(cmd) -> list:
    return [p for p in cmd.params if p.param_type_name == "option"]


def _long(p) -> str:
    return max((o for o in p.opts if o.startswith("--")), key=len)


def test_every_command_is_walked():
    assert {"validate", "agenda", "invite", "report new", "report status", "report remind"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_teaches_with_an_example_and_readable_metavars(name, run):
    r = run(*name.split(), "--help")
    assert r.exit_code == 0
    assert "Examples:" in r.stdout, f"{name}: add its examples to EXAMPLES in cli/app.py"
    for example in EXAMPLES[name]:
        assert example.startswith(f"redflag-coord {name}")
        assert example in r.stdout
    for raw in ("<str>", "<int", "<path>", "list[", "{", "}"):
        assert raw not in r.stdout, f"{name} --help shows {raw!r}"


# --for names whom an output is made for (docs/guide.md, "One name, one meaning"): a collective's view of
# an agenda, or a comrade's own follow-ups (calendar, issue 33). Exactly these two kinds, nothing else.
WHOM = {"--for": {"agenda": "COLLECTIVE", "calendar": "HANDLE"}}


def _whom(option: str, by: dict) -> bool:
    allowed = WHOM.get(option)
    if allowed is None:
        return False
    seen = {name: str(kind) for kind, names in by.items() for name in names}
    return set(seen) == set(allowed) and all(allowed[name] in kind for name, kind in seen.items())


def test_the_same_option_means_the_same_thing_everywhere():
    """Same long name -> same short alias, same flag-or-value, same kind of value (metavar)."""
    shapes: dict[str, dict[tuple, list[str]]] = {}
    for name, cmd in COMMANDS.items():
        params = cmd.get_params(
            typer.main.get_command(make_app()).make_context("redflag-coord", [], resilient_parsing=True)
        )  # type: ignore[attr-defined]
        for p in params:
            if p.param_type_name != "option" or "--help" in p.opts:
                continue
            shorts = tuple(sorted(o for o in p.opts if not o.startswith("--")))
            choice = getattr(p, "type_descriptor", None) is not None and p.type_descriptor.is_choice
            kind = None if p.is_flag else ("one of a list" if choice else p.metavar)  # lists differ by command
            shape = (shorts, p.is_flag, kind)
            shapes.setdefault(_long(p), {}).setdefault(shape, []).append(name)
    differing = {opt: by for opt, by in shapes.items() if len(by) > 1 and not _whom(opt, by)}
    assert differing == {}, "options that differ between commands: " + json.dumps(
        {k: {str(s): c for s, c in v.items()} for k, v in differing.items()}, indent=1
    )


def test_each_short_flag_stands_for_one_long_name():
    """-l is --lang in every command, -o is --output (a file): never a second meaning somewhere."""
    longs: dict[str, dict[str, list[str]]] = {}
    for name, p in _every_option():
        for short in (o for o in p.opts if not o.startswith("--")):
            longs.setdefault(short, {}).setdefault(_long(p), []).append(name or "redflag-coord")
    assert {s: by for s, by in longs.items() if len(by) > 1} == {}
    assert set(longs["-l"]) == {"--lang"} and set(longs["-o"]) == {"--output"}


def _kind(p) -> str:
    """What an option's value is: flag, one of a list, a duration, else its Python type and metavar."""
    desc = p.type_descriptor
    if p.is_flag:
        return "flag"
    if desc.is_choice:
        return "one of a list"
    if isinstance(desc.parameter_info.parser, DurationParser):
        return "duration"
    return f"{desc.annotation} {p.metavar}"


def test_each_long_name_has_one_kind_of_value():
    """--since is a date wherever it appears, --from an address, --output a file, --length a duration."""
    kinds: dict[str, dict[str, list[str]]] = {}
    for name, p in _every_option():
        kinds.setdefault(_long(p), {}).setdefault(_kind(p), []).append(name or "redflag-coord")
    assert {o: by for o, by in kinds.items() if len(by) > 1 and not _whom(o, by)} == {}
    assert list(kinds["--output"]) == [f"{Path} FILE"] and list(kinds["--output-dir"]) == [f"{Path} DIR"]


# Options that count whole units their name does not carry, documented in docs/guide.md ("One name,
# one meaning"). Every other span of time is a DURATION, or a count named for its unit (--days).
COUNTED_IN = {"--window": "days", "--caldav-timeout": "seconds"}
UNITS = re.compile(r"\b(minute|hour|second|day|week)s?\b", re.IGNORECASE)


def test_every_span_of_time_is_a_duration_or_names_its_unit():
    for name, p in _every_option():
        if p.is_flag:
            continue
        long, text = _long(p), f"{p.help or ''} {p.metavar or ''}"
        if _kind(p) == "duration":
            assert p.metavar == "DURATION" and DURATION_HELP in (p.help or ""), (name, long)
            continue
        unit = UNITS.search(text)
        if unit is None:
            continue
        word = unit[1].lower()
        assert word not in ("minute", "hour"), f"{name} {long}: minutes or hours are a DURATION (duration_option)"
        assert word in long or COUNTED_IN.get(long) == f"{word}s", f"{name} {long}: counts {word}s; say so in its name"


def test_every_duration_option_reads_the_one_syntax(run, example_root):
    durations = {(name, _long(p)) for name, p in _every_option() if _kind(p) == "duration"}
    assert {
        ("slots", "--length"),
        ("slots", "--step"),
        ("new meeting", "--duration"),
        ("invite", "--reminder"),
    } <= durations
    for name, long in sorted(durations):
        r = run(*name.split(), long, "1.5h", "--root", str(example_root))
        assert r.exit_code == 2, (name, long)
        assert f"'{long}'" in r.stderr and "write 90 (minutes), 90m, 2h or 1h30m" in r.stderr, (name, r.stderr)


# The names of formats: the same word for the same format in every command.
FORMATS = {"text", "markdown", "html", "json", "ics", "github", "eml", "csv"}
DEPRECATED_FORMATS = {("report remind", "txt"): "text"}  # kept one release, with a note (issue 31)


def test_format_choices_use_one_word_per_format():
    for name, p in _every_option():
        if _long(p) != "--format":
            continue
        assert p.opts == ["--format", "-f"] or sorted(p.opts) == ["--format", "-f"], name
        for choice in (c.value for c in p.type_descriptor.choices):
            assert choice in FORMATS or (name, choice) in DEPRECATED_FORMATS, f"{name} --format {choice}"


def test_a_deprecated_format_still_works_with_a_note(org_copy, tmp_path, run):
    old = run(
        "report", "remind", "ic-2026-12", "--format", "txt", "--output-dir", str(tmp_path / "old"), "-C", str(org_copy)
    )
    new = run(
        "report", "remind", "ic-2026-12", "--format", "text", "--output-dir", str(tmp_path / "new"), "-C", str(org_copy)
    )
    assert old.exit_code == new.exit_code and old.exit_code in (0, 1), old.stderr
    assert "--format txt is deprecated; write --format text" in old.stderr
    assert "deprecated" not in new.stderr
    assert sorted(f.name for f in (tmp_path / "old").iterdir()) == sorted(f.name for f in (tmp_path / "new").iterdir())
    assert all(f.suffix == ".txt" for f in (tmp_path / "new").iterdir())


@pytest.mark.parametrize(("command", "option"), sorted(RENAMED))
def test_a_renamed_option_says_what_to_write(command, option, run, example_root):
    meeting = ["ic-2026-12"] if command in ("slots", "report remind") else []
    r = run(*command.split(), *meeting, option, "x", "--root", str(example_root))
    assert r.exit_code == 2
    assert f"No such option: {option}; write {RENAMED[(command, option)]}" in r.stderr


def test_every_command_and_option_has_help():
    for name, cmd in COMMANDS.items():
        assert (cmd.help or "").strip(), f"{name}: no help text (its docstring)"  # type: ignore[attr-defined]
    for name, p in _every_option():
        assert (p.help or "").strip(), f"{name or 'redflag-coord'} {_long(p)}: no help text"


def test_every_format_follows_the_output_suffix(example_root, tmp_path, run):
    with_formats = [n for n, c in COMMANDS.items() if any(_long(p) == "--format" for p in _options(c))]
    meeting_first = {"agenda": "ic-2026-12", "slots": "ic-2026-12", "report status": "ic-2026-12",
                     "report remind": "ic-2026-12", "minutes show": "ic-2026-06",
                     "roles next": "ic-2026-12"}  # fmt: skip
    checked = 0
    for name in with_formats:
        fmt = next(p for p in _options(COMMANDS[name]) if _long(p) == "--format")
        output = next((p for p in _options(COMMANDS[name]) if _long(p) == "--output"), None)
        if output is None:
            continue
        assert fmt.default is None, f"{name}: --format must default to the --output suffix"
        if "json" not in (fmt.type_descriptor.choices and [c.value for c in fmt.type_descriptor.choices]):
            continue
        target = tmp_path / f"{name.replace(' ', '-')}.json"
        args = [*name.split(), *([meeting_first[name]] if name in meeting_first else []), "--output", str(target)]
        r = run(*args, "--root", str(example_root))
        assert r.exit_code in (0, 1), (name, r.stderr)
        json.loads(target.read_text(encoding="utf-8"))
        folder = run(*args[:-1], str(tmp_path) + "/", "--root", str(example_root))
        assert folder.exit_code == 2 and "--output" in folder.stderr, (name, folder.stderr)
        checked += 1
    assert checked >= 3


def _takes(name: str, metavar: str) -> bool:
    cmd = COMMANDS[name]
    return any(p.param_type_name == "argument" and p.metavar == metavar for p in cmd.params)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", [n for n in sorted(COMMANDS) if _takes(n, "MEETING")])
def test_an_unknown_meeting_gets_one_wording_with_did_you_mean(name, example_root, run):
    args = [*name.split(), "IC-2026-12"] if name != "report new" else ["report", "new", "france", "IC-2026-12"]
    r = run(*args, "--root", str(example_root))
    assert r.exit_code == 2
    assert "no meeting 'IC-2026-12'; did you mean 'ic-2026-12'? (known meetings: ic-2026-06" in r.stderr


@pytest.mark.parametrize("name", [n for n in sorted(COMMANDS) if _takes(n, "COLLECTIVE")])
def test_an_unknown_collective_gets_one_wording_with_did_you_mean(name, example_root, run):
    args = [*name.split(), "South-Africa"] + (["ic-2026-12"] if name == "report new" else [])
    r = run(*args, "--root", str(example_root))
    assert r.exit_code == 2
    assert "no collective 'South-Africa'; did you mean 'south-africa'? (known collectives:" in r.stderr


def test_a_file_name_is_forgiven_for_an_id(example_root, run):
    r = run("agenda", "ic-2026-12.toml", "--root", str(example_root))
    assert r.exit_code == 0 and "ic-2026-12" in r.stdout
    r = run("agenda", "collectives/international-committee/meetings/ic-2026-12.toml", "--root", str(example_root))
    assert r.exit_code == 0


def test_option_errors_are_in_plain_words_naming_the_option(example_root, run, monkeypatch):
    monkeypatch.chdir(example_root)
    checked = 0
    for name, cmd in COMMANDS.items():
        for p in _options(cmd):
            desc = getattr(p, "type_descriptor", None)
            if p.is_flag or desc is None or not (desc.annotation is int or desc.is_choice):
                continue
            r = run(*name.split(), _long(p), "xml-not-this")
            assert r.exit_code == 2, (name, _long(p))
            assert _long(p) in r.stderr
            for leak in ("Input should", "Value error", "pydantic", "Traceback"):
                assert leak not in r.stderr, (name, _long(p), r.stderr)
            checked += 1
    assert checked >= 8


def test_values_out_of_range_name_the_option(example_root, run):
    r = run("slots", "--collectives", "india,mexico", "--days", "0", "--root", str(example_root))
    assert r.exit_code == 2 and "--days must be at least 1, not 0" in r.stderr
    r = run("slots", "--collectives", "india,mexico", "--dst-days", "-1", "--root", str(example_root))
    assert r.exit_code == 2 and "--dst-days must be at least 0" in r.stderr
    r = run("network", "--stale-weeks", "0", "--root", str(example_root))
    assert r.exit_code == 2 and "'--stale-weeks': must be at least 1" in r.stderr


def test_top_level_help_lists_every_exit_code(run):
    text = " ".join(run("--help").stdout.split())
    assert "0 ok, 1 problems in the data, 2 usage error, 70 a bug in this tool" in text


def test_completion_in_a_real_bash(example_root, tmp_path):
    """`redflag-coord <TAB>` completes commands and `agenda <TAB>` meeting ids, in bash."""
    bash = shutil.which("bash")
    assert bash
    env = {**os.environ, "PATH": f"{EXE.parent}{os.pathsep}{os.environ['PATH']}", "SHELL": bash}
    env.pop("REDFLAG_ROOT", None)
    script = (
        'eval "$(redflag-coord --show-completion bash)"\n'
        "complete -p redflag-coord >/dev/null || exit 9\n"
        "ask() { COMP_WORDS=($1); COMP_CWORD=$2; _redflag_coord_completion redflag-coord; "
        "printf '%s\\n' \"${COMPREPLY[@]}\"; echo ---; }\n"
        "ask 'redflag-coord ag' 1\n"
        "ask 'redflag-coord agenda ic' 2\n"
        "ask 'redflag-coord network so' 2\n"
        "ask 'redflag-coord report status ' 3\n"
    )
    out = subprocess.run([bash, "--norc", "-c", script], cwd=example_root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    commands, meetings, collectives, status, _ = out.stdout.split("---\n")
    assert commands.split() == ["agenda"]
    assert meetings.split() == ["ic-2026-06", "ic-2026-12"]
    assert collectives.split() == ["south-africa"]
    assert "la-study-group" in status.split()


def test_install_completion_is_offered(run):
    text = run("--help").stdout
    assert "--install-completion SHELL" in text and "--show-completion SHELL" in text


# What only that shell's script holds, and how that shell asks the tool for completions (the variables
# its script sets) and what the answer looks like in it.
ASK = {"_TYPER_COMPLETE_ARGS": "redflag-coord ag"}
SHELLS = {
    "bash": (
        "complete -o default -F _redflag_coord_completion redflag-coord",
        {"COMP_WORDS": "redflag-coord ag", "COMP_CWORD": "1"},
        "agenda\n",
    ),
    "zsh": ("#compdef redflag-coord", ASK, '(("agenda":'),
    "fish": ("complete --command redflag-coord", {**ASK, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}, "agenda\t"),
    "powershell": (
        "Register-ArgumentCompleter -Native -CommandName redflag-coord",
        {**ASK, "_TYPER_COMPLETE_WORD_TO_COMPLETE": "ag"},
        "agenda:::",
    ),
    "pwsh": (
        "Register-ArgumentCompleter -Native -CommandName redflag-coord",
        {**ASK, "_TYPER_COMPLETE_WORD_TO_COMPLETE": "ag"},
        "agenda:::",
    ),
}


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_show_completion_prints_the_shell_named(shell, example_root):
    """`--show-completion zsh` prints zsh's script even when run from bash (typer's flag printed the
    parent shell's), and the tool answers that shell's requests in that shell's format."""
    marker, asks, answer = SHELLS[shell]
    env = {**os.environ, "SHELL": "/bin/bash"}
    env.pop("REDFLAG_ROOT", None)
    shown = subprocess.run([EXE, "--show-completion", shell], env=env, capture_output=True, text=True, cwd=example_root)
    assert shown.returncode == 0, shown.stderr
    assert marker in shown.stdout
    for other, (their_marker, _, _) in SHELLS.items():
        if their_marker != marker:
            assert their_marker not in shown.stdout, (shell, other)
    protocol = re.search(r"_REDFLAG_COORD_COMPLETE=(complete_\w+)", shown.stdout) or re.search(
        r'_REDFLAG_COORD_COMPLETE = "(complete_\w+)"', shown.stdout
    )
    assert protocol is not None
    asked = subprocess.run(
        [EXE],
        env={**env, "_REDFLAG_COORD_COMPLETE": protocol[1], **asks},
        capture_output=True,
        text=True,
        cwd=example_root,
    )
    assert asked.returncode == 0, asked.stderr
    assert answer in asked.stdout, (shell, asked.stdout)


def test_show_completion_refuses_an_unknown_shell():
    done = subprocess.run([EXE, "--show-completion", "tcsh"], capture_output=True, text=True)
    assert done.returncode == 2 and "'tcsh' is not one of 'bash', 'zsh', 'fish', 'powershell', 'pwsh'" in done.stderr


# Every command that takes a collective says the same when it names none: exit 2, nothing written, the one
# wording with "did you mean". Some `secrets` commands answered "no approval yet" or "no pending value" with
# exit 0 for a typo: a reader would believe a collective has nothing to approve.
TYPO_COMMANDS = [
    ["secrets", "show", "los-angelos"],
    ["secrets", "recipients", "los-angelos"],
    ["secrets", "accept", "los-angelos", "--yes"],
    ["secrets", "approve", "los-angelos", "--yes"],
    ["secrets", "encrypt", "los-angelos"],
    ["secrets", "reencrypt", "los-angelos"],
    ["secrets", "migrate", "los-angelos"],
    ["secrets", "forget", "los-angelos", "--member", "rosa"],
    ["report", "new", "los-angelos", "ic-2026-12"],
    ["commitments", "los-angelos"],
    ["agenda", "ic-2026-12", "--for", "los-angelos"],
]


@pytest.mark.parametrize("args", TYPO_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_collective_that_does_not_exist_is_a_usage_error_everywhere(args, org_copy) -> None:
    from conftest import DEMO_IDENTITY

    before = {p: p.read_bytes() for p in org_copy.rglob("*") if p.is_file()}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("redflag-coord")), *args, "--root", str(org_copy)],
        capture_output=True,
        text=True,
        env={**os.environ, "REDFLAG_IDENTITY": str(DEMO_IDENTITY)},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    assert "los-angeles" in done.stderr and "Traceback" not in done.stderr, done.stderr  # did you mean
    assert {p: p.read_bytes() for p in org_copy.rglob("*") if p.is_file()} == before


def test_every_lang_option_names_every_built_in_catalog() -> None:
    """--lang helps that list languages list them all (they said "en, es or fr" when hi and pt existed)."""
    from redflag_coord.i18n.labels import LOCALES

    built_in = sorted(p.stem for p in LOCALES.glob("*.toml"))
    for name, p in _every_option():
        if _long(p) == "--lang" and re.search(r"\ben\b", p.help or ""):
            assert all(re.search(rf"\b{code}\b", p.help or "") for code in built_in), (name, p.help, built_in)
