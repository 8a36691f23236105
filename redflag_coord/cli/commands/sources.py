"""`redflag-coord sources fetch|status|share|bundle`: need-to-know repositories (docs/sources.md)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import find_root_or_exit, read_identity_or_exit, write_output
from redflag_coord.cli.commands.options import IdentityOption, RootOption

app = typer.Typer(
    name="sources",
    help="Need-to-know repositories: the committee receives only what each collective's own repository shares.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Format(str, Enum):
    text = "text"
    json = "json"


class History(str, Enum):
    """split: what each new repository starts with (sources.split.History, imported only when split runs)."""

    fresh = "fresh"
    keep = "keep"


CollectiveOption = Annotated[
    str | None,
    typer.Option("--collective", help="The collective whose files are shared. Default: the only one with members."),
]
ShareOption = Annotated[
    list[str] | None,
    typer.Option(
        "--share",
        help="A path in the collective's folder to share (repeat; a folder ends with '/'). "
        "Default: collective.toml, reports/, articles/. Never members.toml or relationships.toml.",
        show_default=False,
    ),
]
BranchOption = Annotated[str, typer.Option("--branch", help="The branch that holds the shared files.")]
SignOption = Annotated[
    bool, typer.Option("--sign", help="Sign each shared commit (git's user.signingkey, gpg.format).")
]


@app.command("fetch")
def fetch(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Sources to fetch (their collective's slug), or a FILE.bundle to take. Default: all."),
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Fetch each source, verify it, and keep it read-only; a refused source keeps its last good commit (exit 1).

    Verified: the new commit descends from the last good one, everything it brings lies in the collective's
    shared paths, its files pass validate, and (with [sources] require_signed) every new commit is signed
    by a key sources.toml lists. The commits accepted are recorded in sources.lock: commit it.
    """
    from redflag_coord.sources.fetch import fetch as run
    from redflag_coord.sources.fetch import render, split_names

    where = find_root_or_exit(root)
    slugs, bundle = split_names(names or [])
    outcomes = run(where, slugs, bundle, read_identity_or_exit(identity) if bundle else None)
    said, refused = render(outcomes, format.value)
    if said:
        typer.echo(said, nl=False)
    if refused:
        typer.echo(refused, err=True, nl=False)
        raise typer.Exit(1)


@app.command("status")
def status(
    format: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
    root: RootOption = None,
) -> None:
    """Each source's last good commit, its age and its problems (never fetched, refused, not on this machine)."""
    from redflag_coord.sources.status import render_json, render_text
    from redflag_coord.sources.status import status as run

    found = run(find_root_or_exit(root))
    write_output(render_json(found) if format is Format.json else render_text(found), None)


@app.command("share")
def share(
    collective: CollectiveOption = None,
    shares: ShareOption = None,
    branch: BranchOption = "redflag-shared",
    sign: SignOption = False,
    root: RootOption = None,
) -> None:
    """In a collective's repository: bring the branch of its shared files up to the current branch (push it).

    One commit per commit that changed a shared file, with its dates; author: the collective, not a member.
    """
    from redflag_coord.sources.share import share as run

    done = run(find_root_or_exit(root), collective, shares, branch, sign)
    head = done.commit[:12] if done.commit else "nothing shared yet"
    typer.echo(f"{done.slug}: branch {done.branch} at {head} ({done.added} commits added)")


@app.command("bundle")
def bundle(
    out: Annotated[Path, typer.Option("--output", "-o", help="The bundle file to write (e.g. mexico.bundle).")],
    recipient: Annotated[
        list[str] | None,
        typer.Option("--recipient", help="Seal the bundle with age to this recipient (repeat).", show_default=False),
    ] = None,
    collective: CollectiveOption = None,
    shares: ShareOption = None,
    branch: BranchOption = "redflag-shared",
    sign: SignOption = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
    root: RootOption = None,
) -> None:
    """In a collective's repository: the shared branch as a git bundle, for a USB stick or an email.

    Only the shared files' commits are in it (no object of the rest of the history); with --recipient it is
    sealed with age, and `sources fetch FILE.bundle.age --identity KEY` opens it.
    """
    from redflag_coord.sources.share import bundle as run

    done = run(find_root_or_exit(root), out, collective, shares, branch, sign, recipient, force)
    typer.echo(f"{done.slug}: wrote {out} (branch {done.branch} at {(done.commit or '')[:12]})")


def split(
    out: Annotated[Path, typer.Option("--output", "-o", help="A new folder for the repositories.")],
    committee: Annotated[
        str | None, typer.Option("--committee", help="The committee's collective. Default: the one of kind committee.")
    ] = None,
    history: Annotated[
        History,
        typer.Option(
            "--history",
            help="fresh: each repository starts with the current files in one commit. keep: each gets the "
            "history of its own paths (first-parent, messages and authors kept; needs everything committed).",
        ),
    ] = History.fresh,
    root: RootOption = None,
) -> None:
    """Split one repository into a committee's repository and one repository per collective (docs/sources.md).

    Each is committed with its shared branch built; the old repository is left as it was (its clones still
    hold everything). Then push each and run `sources fetch` in the committee's.
    """
    from redflag_coord.sources.split import History as Kept
    from redflag_coord.sources.split import split as run

    done = run(find_root_or_exit(root), out, committee, Kept(history.value))
    typer.echo(f"committee: {done.committee}")
    for slug, folder in done.collectives.items():
        typer.echo(f"{slug}: {folder}")
