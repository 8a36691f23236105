"""`redflag-coord schema [--output-dir DIR]`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_DATA, EXIT_USAGE, fail
from redflag_coord.cli.commands.options import RootOption


def schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            help="Write one <kind>.schema.json per kind "
            "of file into this folder. Default: print them all as one JSON object.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help="Only this kind: collective, members, relationships, meeting or report.", show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing schema files.")] = False,
    root: RootOption = None,
) -> None:
    """JSON Schemas of the data files, generated from the data model, for editors and other tools.

    Private fields are marked "x-private": true. A relative --output-dir is inside --root
    (or REDFLAG_ROOT) when one is given. Exit 0 ok, 2 usage error.
    """
    import json

    from redflag_coord.org.schema import schemas

    all_schemas = schemas()
    if kind is not None:
        if kind not in all_schemas:
            fail(f"no kind {kind!r}; choose one of {', '.join(all_schemas)}", EXIT_USAGE)
        all_schemas = {kind: all_schemas[kind]}
    if output is None:
        one = next(iter(all_schemas.values())) if kind else all_schemas
        typer.echo(json.dumps(one, ensure_ascii=False, indent=2))
        return
    if root is not None and not output.is_absolute():
        if not root.is_dir():
            fail(f"{root}: no such folder", EXIT_USAGE)
        output = root / output
    for path in _write(output, all_schemas, force):
        typer.echo(f"wrote {path}")


def _write(output: Path, all_schemas: dict, force: bool) -> list[Path]:
    """One file per kind in `output`, all or none."""
    from redflag_coord.org.schema import dumps, schema_file_name
    from redflag_coord.repo.fsio import Batch

    written = []
    try:
        with Batch() as batch:  # a failure removes what this run wrote and the folders it made
            batch.folder(output)
            for k, s in all_schemas.items():
                batch.write(output / schema_file_name(k), dumps(s).encode("utf-8"), overwrite=force)
                written.append(output / schema_file_name(k))
    except OSError as e:  # not a RedflagError: the system refused the folder
        fail(f"cannot write to {output}: {e.strerror or e}", EXIT_DATA)
    return written
