"""Golden agendas: each format and language of the example meeting, through the CLI.

Regenerate after a deliberate change with REDFLAG_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "agenda"
SUFFIX = {"text": "txt", "markdown": "md", "html": "html", "json": "json"}

CASES = [
    *[("ic-2026-12", fmt, lang, None) for fmt in ("text", "markdown", "html") for lang in ("en", "es", "fr")],
    ("ic-2026-12", "json", "en", None),
    ("ic-2026-12", "text", None, "india"),
    ("ic-2026-12", "text", None, "el-salvador"),
    ("ic-2026-12", "json", None, "el-salvador"),
    ("la-study-group", "text", None, None),
    ("la-study-group", "markdown", "en", "los-angeles"),
]


def _name(meeting: str, fmt: str, lang: str | None, who: str | None) -> str:
    parts = [meeting, f"for-{who}" if who else None, lang]
    return ".".join(p for p in parts if p) + "." + SUFFIX[fmt]


@pytest.mark.parametrize("meeting,fmt,lang,who", CASES, ids=[_name(*c) for c in CASES])
def test_golden(run, example_root, meeting, fmt, lang, who):
    args = ["agenda", meeting, "--format", fmt, "--root", str(example_root)]
    args += ["--lang", lang] if lang else []
    args += ["--for", who] if who else []
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    path = GOLDEN / _name(meeting, fmt, lang, who)
    if os.environ.get("REDFLAG_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(r.stdout, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with REDFLAG_UPDATE_GOLDEN=1"
    assert r.stdout == path.read_text(encoding="utf-8")


def test_every_golden_file_is_used():
    used = {_name(*c) for c in CASES}
    assert {p.name for p in GOLDEN.iterdir()} == used
