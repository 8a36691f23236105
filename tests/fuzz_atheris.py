#!/usr/bin/env python3
"""Coverage-guided fuzzing of the loader with atheris (libFuzzer).

Each input is one file: its first byte picks the kind (collective, members, relationships,
meeting, report), the rest is the file's bytes. The loader must turn anything into problems
that render in every format: no exception escapes, no raw control character is printed.

    .venv/bin/python tests/fuzz_atheris.py -runs=200000 -max_len=4096      # a longer run
    .venv/bin/python tests/fuzz_atheris.py -runs=2000 SEED_DIR              # what the test runs

libFuzzer prints "Done N runs" at the end. tests/test_fuzz.py runs it briefly when atheris is installed.
"""

from __future__ import annotations

import re
import sys

import atheris
from pydantic import ValidationError  # not instrumented: only our code guides the fuzzer

with atheris.instrument_imports(include=["redflag_coord"]):
    from redflag_coord.org import locate, parse, problems

KINDS = ("collective", "members", "relationships", "meeting", "report")
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def check_bytes(data: bytes) -> list[problems.Problem]:
    """What validate does with one file's bytes, without the disk."""
    kind = KINDS[data[0] % len(KINDS)] if data else "report"
    raw = data[1:]
    parsed, found = parse.parse_toml(raw, "f.toml")
    if parsed is not None:
        model = parse.FILE_MODELS[kind]
        try:
            model.model_validate(parsed)
        except ValidationError as err:
            found = parse.schema_problems("f.toml", model, err)
        except RecursionError:
            found = [problems.Problem("f.toml", "too-deep", "values nested too deeply to check")]
        table = locate.positions(raw.decode("utf-8"))
        found = [problems.replace(p, line=locate.locate("", p.key, table)[0]) if p.key else p for p in found]
    return found


def test_one_input(data: bytes) -> None:
    found = check_bytes(data)
    for render in (problems.render_text, problems.render_github):
        out = render(found)
        if RAW_CONTROL.search(out) or out.count("\n") != max(len(found) - 1, 0):
            raise AssertionError(f"{render.__name__} let a value change the output: {out!r}")
    problems.render_json(found)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
