"""schema: JSON Schemas generated from the models."""

from __future__ import annotations

import datetime as dt
import json
import tomllib

import pytest
from jsonschema import Draft202012Validator

from redflag_coord.edit.fmt import kind_of
from redflag_coord.org.model import FILE_MODELS


def _jsonable(data):
    return json.loads(json.dumps(data, default=lambda o: o.isoformat() if isinstance(o, (dt.date, dt.time)) else o))


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory):
    from typer.testing import CliRunner

    from redflag_coord.cli.app import app

    out = tmp_path_factory.mktemp("schemas")
    result = CliRunner().invoke(app, ["schema", "--output-dir", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_one_schema_per_kind(schema_dir):
    assert sorted(p.name for p in schema_dir.iterdir()) == sorted(f"{k}.schema.json" for k in FILE_MODELS)
    for path in schema_dir.iterdir():
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_example_data_passes_the_schemas(schema_dir, example_root):
    checked = 0
    for path in sorted((example_root / "collectives").rglob("*.toml")):
        kind = kind_of(path)
        schema = json.loads((schema_dir / f"{kind}.schema.json").read_text())
        errors = list(Draft202012Validator(schema).iter_errors(_jsonable(tomllib.loads(path.read_text()))))
        assert errors == [], f"{path}: {errors[0].message}"
        checked += 1
    assert checked == 40  # with the maquilas article, roles.toml and the two motions


def test_schemas_catch_what_validate_catches(schema_dir):
    members = json.loads((schema_dir / "members.schema.json").read_text())
    bad = {"member": [{"handle": "Rosa M", "emial": "x"}]}
    messages = [e.message for e in Draft202012Validator(members).iter_errors(bad)]
    assert any("emial" in m for m in messages)
    assert any("does not match" in m for m in messages)
    report = json.loads((schema_dir / "report.schema.json").read_text())
    assert "article" in report["properties"] and "articles" not in report["properties"]  # TOML names
    assert set(report["required"]) == {"filed", "summary"}


def test_private_fields_are_marked(schema_dir):
    marked = set()

    def walk(node):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if isinstance(prop, dict) and prop.get("x-private"):
                    marked.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in schema_dir.iterdir():
        walk(json.loads(path.read_text()))
    follow_ups = {"next_step", "next_due", "date", "kind"}  # issue 33: a conversation's date and kind too
    assert marked == {"email", "phone", "pseudonym", "workplace", "notes", "note", "site", *follow_ups}


def test_schema_to_stdout_and_no_overwrite(run, schema_dir):
    result = run("schema")
    assert result.exit_code == 0
    assert sorted(json.loads(result.stdout)) == sorted(FILE_MODELS)
    one = run("schema", "--kind", "meeting")
    assert json.loads(one.stdout)["title"] == "Meeting"
    assert run("schema", "--kind", "nope").exit_code == 2
    again = run("schema", "--output-dir", str(schema_dir))
    assert again.exit_code == 2 and "not overwriting" in again.stderr
    assert run("schema", "--output-dir", str(schema_dir), "--force").exit_code == 0
