from redflag_coord import __version__


def test_help_lists_commands(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in ("validate", "summary"):
        assert command in result.stdout


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"redflag-coord {__version__}"


def test_example_validates_clean(run, example_root):
    result = run("validate", str(example_root))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert "0 error(s), 0 warning(s)" in result.stderr


def test_summary(run, example_root):
    result = run("summary", "--root", str(example_root))
    assert result.exit_code == 0
    assert "9 collectives" in result.stdout
    assert "ic-2026-12" in result.stdout
    assert "2026-12-12 15:00 UTC" in result.stdout
    assert "@example.org" not in result.stdout


def test_main_registers_only_the_command_it_runs_and_lists_them_all_for_help(run):
    """`main` builds a small app for speed; its help must list what the full app lists."""
    import os
    import subprocess
    import sys

    def commands_section(text: str) -> list[str]:  # names in order, and the start of their help
        return [line.split()[:3] for line in text.split("Commands:", 1)[1].splitlines() if line.strip()]

    env = {**os.environ, "REDFLAG_TODAY": "2026-11-27"}
    for args in (["--help"], ["-h"]):
        proc = subprocess.run([sys.executable, "-m", "redflag_coord", *args], capture_output=True, text=True, env=env)
        assert proc.returncode == 0
        assert commands_section(proc.stdout) == commands_section(run("--help").stdout)
    proc = subprocess.run([sys.executable, "-m", "redflag_coord", "valdate"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "Did you mean 'validate'?" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "redflag_coord", "report", "status", "--help"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0 and "Filed, late, draft or missing" in proc.stdout


def test_errors_escape_what_the_user_typed(run, tmp_path):
    folder = tmp_path / "evil\x1b]0;pwned\x07name"
    result = run("validate", str(folder))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b]0;pwned\\x07name" in result.stderr
