"""`redflag-coord rename collective OLD NEW`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_DATA, fail, load_valid_or_exit, read_identity_or_exit
from redflag_coord.cli.commands.options import IdentityOption, RootOption
from redflag_coord.repo.fsio import explain

app = typer.Typer(
    name="rename",
    help="Rename a collective: move its folder and update every reference, in one step.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("collective")
def collective(
    old: Annotated[str, typer.Argument(help="The current slug.", show_default=False)],
    new: Annotated[str, typer.Argument(help="The new slug.", show_default=False)],
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Move collectives/OLD to collectives/NEW and rewrite the meetings' participants, opens and
    item leads, the reports' requests and organisation.toml's organisers. Refuses if NEW exists;
    the data must validate first. A collective with approved readers (trust/OLD.toml) needs a current
    reader's identity: the rename is an approval they sign, and its sealed values stay valid.
    Exit 0 done, 1 problems in the data, 2 usage error.
    """
    from redflag_coord.scaffold.rename import rename_collective

    org = load_valid_or_exit(root)
    ids = read_identity_or_exit(identity) if (org.root / "trust" / f"{old}.toml").exists() else None
    try:
        done = rename_collective(org.root, org, old, new, ids)
    except OSError as e:  # not a RedflagError: the system refused the move; the library undid its part
        fail(explain(Path(e.filename) if e.filename else org.root / "collectives" / old, e), EXIT_DATA)
    typer.echo(f"moved {done.moved[0]} -> {done.moved[1]}")
    for rel in done.edited:
        typer.echo(f"updated {rel}")
    typer.echo("Next: redflag-coord validate, then commit (git add -A) so the move shows as a rename")
