"""`redflag-coord init DIR`"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redflag_coord.cli.commands.common import EXIT_DATA, EXIT_USAGE, fail
from redflag_coord.cli.commands.options import RootOption

if TYPE_CHECKING:
    from redflag_coord.scaffold.init import Made


def init(
    folder: Annotated[
        Path | None, typer.Argument(help="A new or empty folder. Default: --root.", show_default=False)
    ] = None,
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA zone of the committee, e.g. 'America/Los_Angeles'.")
    ] = "UTC",
    language: Annotated[str, typer.Option("--language", help="Language code of the committee.")] = "en",
    install_spec: Annotated[
        str | None,
        typer.Option(
            "--install-spec",
            help="What the CI workflow gives to 'pip install' to get redflag-coord (a git URL such as "
            "'redflag-coord @ git+https://host/org/redflag-coord@v0.2', or a version on your package index). "
            "Default: where this redflag-coord was installed from.",
            show_default=False,
        ),
    ] = None,
    allow_local_spec: Annotated[
        bool,
        typer.Option(
            "--allow-local-spec",
            help="Write the workflow even when it installs redflag-coord from a path on this machine "
            "(a runner on another machine cannot reach it). Default: refuse (exit 1).",
        ),
    ] = False,
    recipient: Annotated[
        list[str] | None,
        typer.Option(
            "--recipient",
            help="An existing public key ('age1…') that reads both collectives instead of a new key; repeatable. "
            "Its holder then runs 'secrets approve --all' (or give --identity to sign now).",
            show_default=False,
        ),
    ] = None,
    identity: Annotated[
        Path | None,
        typer.Option(
            "--identity",
            "-i",
            help="Use this existing identity (age or ssh-ed25519, protected or not) as the first key, instead of "
            "making one: it reads both collectives and signs their first approval.",
            show_default=False,
        ),
    ] = None,
    identity_out: Annotated[
        Path | None,
        typer.Option(
            "--identity-out",
            metavar="FILE",
            help="Where the new identity goes, outside the repository (refused inside it). "
            "Default: $XDG_CONFIG_HOME/redflag-coord/identity-FOLDER.txt (~/.config/...).",
            show_default=False,
        ),
    ] = None,
    passphrase: Annotated[
        bool,
        typer.Option(
            "--passphrase",
            help="Protect the new identity with a passphrase (asked twice, or REDFLAG_PASSPHRASE_COMMAND's "
            "output): recommended, a seized or copied file then yields nothing without it.",
        ),
    ] = False,
    no_encryption: Annotated[
        bool,
        typer.Option(
            "--no-encryption",
            help="Make no key and write require = false: private values stay plain text that every clone "
            "reads, and validate warns on each. Not recommended.",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Start a new organisation repository: a committee, one collective, one meeting,
    its first key, a .gitignore, a GitHub Actions workflow that checks pull requests, and JSON
    Schemas with a taplo config so editors check the TOML files while typing.

    Encryption is on: a new identity (secret key) is written outside the repository (or --identity,
    --recipient give existing keys), both collectives list its recipient, organisation.toml says
    require = true and the first approval of who reads is signed (trust/). Back the identity up.

    Refuses a folder that is not empty, an identity inside the repository, and a workflow that installs
    from this machine's disk unless --allow-local-spec. Exit 0 done, 1 an install spec a forge cannot
    reach, 2 usage error.
    """
    from redflag_coord.org.clock import today_default
    from redflag_coord.scaffold.init import Keys, Options, init_repository

    folder = folder or root
    if folder is None:
        fail("give the new organisation's folder: redflag-coord init FOLDER (or --root FOLDER)", EXIT_USAGE)
    keys = Keys(not no_encryption, tuple(recipient or ()), identity, identity_out, passphrase)
    try:
        made = init_repository(
            folder, Options(timezone, language, install_spec, allow_local_spec, keys), today_default()
        )
    except OSError as e:  # not a RedflagError: a folder the system refuses is said as a data problem (exit 1)
        fail(str(e), EXIT_DATA)
    for rel in made.written:
        typer.echo(f"wrote {folder / rel}")
    _tell_keys(made)
    if install_spec is None:
        from redflag_coord import __version__
        from redflag_coord.scaffold.init import install_source

        spec, known = install_source(__version__)
        typer.echo(f"The CI workflow installs {spec!r}.", err=True)
        if allow_local_spec:
            typer.echo(
                "redflag-coord: warning: that is a path on this machine: a runner elsewhere cannot install it",
                err=True,
            )
        if not known:
            typer.echo(
                "redflag-coord: warning: this copy was installed from a package index, where that version may not "
                "be published; if CI cannot install it, run init again with --install-spec "
                "'redflag-coord @ git+https://...' (or edit .github/workflows/check.yml)",
                err=True,
            )
    typer.echo(f"Next: cd {folder} && git init && redflag-coord validate")


def _tell_keys(made: Made) -> None:
    """Where the first key is and what to back up, or that encryption is off."""
    if not made.recipients:
        typer.echo(
            "redflag-coord: warning: encryption is off (--no-encryption): emails, phones and pseudonyms are stored "
            "in plain text that every clone reads, and validate warns on each; see docs/privacy.md, Private "
            "values encrypted at rest",
            err=True,
        )
        return
    readers = ", ".join(made.recipients)
    if made.identity is None:
        typer.echo(f"Both collectives are read by {readers}")
        typer.echo(
            "No approval of who reads is signed yet: the holder of that key runs "
            "'redflag-coord secrets approve --all --identity THEIR-KEY' (validate warns until then)",
            err=True,
        )
        return
    if made.new_identity:
        how = "protected with your passphrase" if made.protected else "NOT protected by a passphrase"
        typer.echo(f"wrote the first key (identity) {made.identity}, mode 0600, {how}")
        typer.echo(
            "Back it up now, outside the repository (a password manager, an encrypted USB stick): without it "
            "nobody can read or approve the private values; with it, anyone can. Never commit it.",
            err=True,
        )
    typer.echo(f"Both collectives are read by {readers}, approved in trust/")
    typer.echo(f"Use it with: export REDFLAG_IDENTITY={made.identity}")
