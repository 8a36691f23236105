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
