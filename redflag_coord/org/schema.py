"""JSON Schemas for the data files, generated from the models (never written by hand),
and the taplo configuration that lets editors check TOML files against them while typing."""

from __future__ import annotations

import json

from redflag_coord.org.model import FILE_MODELS

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
GLOBS = {
    "collective": "collectives/*/collective.toml",
    "members": "collectives/*/members.toml",
    "relationships": "collectives/*/relationships.toml",
    "meeting": "collectives/*/meetings/*.toml",
    "report": "collectives/*/reports/*.toml",
    "organisation": "organisation.toml",
    "minutes": "collectives/*/minutes/*.toml",
    "roles": "collectives/*/roles.toml",
    "article": "collectives/*/articles/*.toml",
    "motion": "collectives/*/motions/*.toml",
}
SCHEMA_DIR = "schemas"


def schema_for(kind: str) -> dict:
    """The JSON Schema of one kind of file, by TOML key names; private fields carry "x-private": true."""
    model = FILE_MODELS[kind]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": SCHEMA_DRAFT, "$id": f"{kind}.schema.json", **schema}


def schemas() -> dict[str, dict]:
    return {kind: schema_for(kind) for kind in FILE_MODELS}


def schema_file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def dumps(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def taplo_config(schema_dir: str = SCHEMA_DIR) -> str:
    """A .taplo.toml mapping each kind of file to its schema (for the Even Better TOML editor extension)."""
    lines = [
        "# Editors with taplo (e.g. the Even Better TOML extension) check the data files",
        "# against these schemas while you type. Regenerate them with:",
        f"#   redflag-coord schema --output-dir {schema_dir} --force",
        "",
        'include = ["collectives/**/*.toml"]',
    ]
    for kind in FILE_MODELS:
        lines += [
            "",
            "[[rule]]",
            f'include = ["{GLOBS[kind]}"]',
            "",
            "[rule.schema]",
            f'path = "./{schema_dir}/{schema_file_name(kind)}"',
        ]
    return "\n".join(lines) + "\n"
