"""`redflag-coord secrets whoami|recipients|approve|accept|migrate`: who reads, approved by who reads (issue 28)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redflag_coord.cli.commands.common import (
    EXIT_DATA,
    EXIT_USAGE,
    collective_folder_or_exit,
    fail,
    find_root_or_exit,
    read_identity_or_exit,
)
from redflag_coord.cli.commands.options import IdentityOption, RootOption

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask (for scripts): approve what is shown.")]
SignerOption = Annotated[
    list[str] | None,
    typer.Option(
        "--signer",
        help="RECIPIENT=SIGNING-KEY of a new reader or mail sender, from their 'secrets whoami'; repeatable.",
        show_default=False,
    ),
]


def _identity(option: Path | None, why: str):
    ids = read_identity_or_exit(option)
    if ids is None:
        fail(f"{why} needs your identity: --identity FILE or REDFLAG_IDENTITY", EXIT_USAGE)
    return ids


def _extra(signers: list[str] | None) -> dict[str, str]:
    out = {}
    for item in signers or []:
        recipient, sep, key = item.rpartition("=")
        if not sep or not recipient:
            fail(f"--signer {item!r}: give RECIPIENT=SIGNING-KEY", EXIT_USAGE)
        # a base64 key ends in '=': split at the '=' before 'ed25519:'
        cut = item.find("=ed25519:")
        if cut > 0:
            recipient, key = item[:cut], item[cut + 1 :]
        out[recipient.strip()] = key.strip()
    return out


def _slugs(root: Path, collective: str | None, all_: bool) -> list[str]:
    from redflag_coord.org.trustcheck import slugs_with_recipients

    listed = slugs_with_recipients(root)
    if collective is None and not all_:
        fail("name a collective, or give --all", EXIT_USAGE)
    if collective is not None:
        return [collective_folder_or_exit(root, collective)]
    return listed


def whoami(identity: IdentityOption = None, root: RootOption = None) -> None:
    """Print your recipient and its signing key (RECIPIENT=SIGNING-KEY), for a reader's 'secrets approve --signer'."""
    from redflag_coord.crypt import CryptError
    from redflag_coord.crypt.trust import signers

    ids = _identity(identity, "whoami")
    try:
        for s in signers(ids):
            typer.echo(f"{s.recipient}={s.public}")
    except CryptError as e:
        fail(str(e), EXIT_USAGE)


def recipients(
    collective: Annotated[str, typer.Argument(help="A collective's slug.")], root: RootOption = None
) -> None:
    """Show whom COLLECTIVE's values are sealed to (the last approval) and any change nobody approved yet."""
    from redflag_coord.org import trustcheck

    base = find_root_or_exit(root)
    collective = collective_folder_or_exit(base, collective)
    trust = trustcheck.load(base)
    last = trust.latest(collective)
    if collective in trust.broken:
        fail(f"{trustcheck.trust_rel(collective)}: {trust.broken[collective]}")
    if last is None:
        typer.echo(f"{collective}: no approval yet (values are sealed to the listed recipients; run 'secrets migrate')")
        return
    keys = dict(last.signers)
    typer.echo(f"{collective}: approval {last.version}, sealed to:")
    for r in last.recipients:
        typer.echo(f"  reader       {r}  signs with {keys.get(r, '(no signing key)')}")
    for r in last.mail_senders:
        typer.echo(f"  mail sender  {r}  signs with {keys.get(r, '(no signing key)')}  (emails and phones)")
    for _, _, message, _ in trustcheck.describe_change(collective, last, trustcheck.listed(base, collective)):
        typer.echo(f"  NOT APPROVED: {message}")


def approve(
    collective: Annotated[str | None, typer.Argument(help="A collective's slug.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every collective that lists recipients.")] = False,
    signer: SignerOption = None,
    yes: YesOption = False,
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Approve COLLECTIVE's recipients, mail senders and `require` as the files list them now, signed with your key.

    For the committee of a repository with sources.toml, also its sources (each url, branch, shares and
    signing keys, and [sources] require_signed): `sources fetch` refuses sources changed since.
    Only a reader of the last approval can approve; the change is shown and asked about first. A new
    reader gives you RECIPIENT=SIGNING-KEY ('secrets whoami'): pass it with --signer so they can sign too.
    Then run 'secrets reencrypt' so the new list holds.
    """
    from redflag_coord.crypt import CryptError
    from redflag_coord.errors import RedflagError
    from redflag_coord.org import trustcheck
    from redflag_coord.repo.fsio import WriteError

    base = find_root_or_exit(root)
    ids = _identity(identity, "approving")
    trust = trustcheck.load(base)
    extra = _extra(signer)
    chosen = []
    for slug in _slugs(base, collective, all_):
        try:
            p = trustcheck.propose(trust, slug, ids, extra)
        except (RedflagError, CryptError) as e:
            fail(str(e), EXIT_USAGE if getattr(e, "usage", False) else EXIT_DATA)
        if p is None:
            typer.echo(f"{slug}: already approved as listed", err=True)
            continue
        typer.echo(f"{slug}: approval {p.new.version}, signed by {p.signer.recipient}:", err=True)
        for line in p.changes:
            typer.echo(f"  {line}", err=True)
        if not yes and not typer.confirm(f"approve these readers of {slug}?", default=False, err=True):
            fail("nothing was approved")
        chosen.append(p)
    try:  # every approval at once (repo.journal): all or nothing
        for rel in trustcheck.write_approvals(trust, chosen):
            typer.echo(f"approved {rel}")
    except WriteError as e:
        fail(str(e))
    typer.echo("next: 'redflag-coord secrets reencrypt' so every value follows the approved list", err=True)


def accept(
    collective: Annotated[str, typer.Argument(help="A collective's slug.")],
    yes: YesOption = False,
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Show the pending values of COLLECTIVE (added by someone who is not a reader) and accept them, signed.

    Do not forward what it shows. A pending value is used by nothing (no invitation) until accepted.
    """
    from redflag_coord.crypt import CryptError
    from redflag_coord.edit.secrets import files
    from redflag_coord.edit.trustseal import reseal
    from redflag_coord.errors import RedflagError
    from redflag_coord.org.load import load_organisation
    from redflag_coord.org.settings import settings_or_defaults

    base = find_root_or_exit(root)
    collective = collective_folder_or_exit(base, collective)
    ids = _identity(identity, "accepting")
    org = load_organisation(base)
    settings = settings_or_defaults(base)
    try:
        seen = reseal(org, [collective], settings, ids, "accept", files(), write=False)
        if not seen.pending:
            typer.echo(f"{collective}: no pending value", err=True)
            return
        for rel, key, value in seen.pending:
            typer.echo(f"{rel}: {key} = {value!r}")
        if not yes and not typer.confirm(f"accept these {len(seen.pending)} value(s)?", default=False, err=True):
            fail("nothing was accepted")
        done = reseal(org, [collective], settings, ids, "accept", files())
    except (RedflagError, CryptError) as e:
        fail(str(e))
    typer.echo(f"{len(done.pending)} value(s) accepted in {len(done.files)} file(s)", err=True)


def migrate(
    collective: Annotated[str | None, typer.Argument(help="A collective's slug.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every collective that lists recipients.")] = False,
    signer: SignerOption = None,
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """Move an organisation to approved readers and bound values: approve (first approval) and bind every value.

    Run by a reader of each collective, with their identity; idempotent; checks everything before
    writing anything. Give the mail senders' signing keys with --signer (from their 'secrets whoami').
    """
    from redflag_coord.crypt import CryptError
    from redflag_coord.edit.secrets import files
    from redflag_coord.edit.trustseal import migrate as run
    from redflag_coord.errors import RedflagError
    from redflag_coord.org.load import load_organisation
    from redflag_coord.org.settings import settings_or_defaults
    from redflag_coord.repo.fsio import WriteError

    base = find_root_or_exit(root)
    ids = _identity(identity, "migrating")
    chosen = _slugs(base, collective, all_)  # a typo is a usage error (exit 2), before anything is read
    org = load_organisation(base)
    try:
        done = run(org, chosen, settings_or_defaults(base), ids, _extra(signer), files())
    except (RedflagError, CryptError, WriteError) as e:
        fail(str(e))
    for rel in done.approved + done.files:
        typer.echo(f"migrated {rel}")
    typer.echo(f"{len(done.approved)} approval(s), {done.sealed} value(s) bound and signed", err=True)


def vouch(
    collective: Annotated[str, typer.Argument(help="A collective's slug.")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask (for scripts): vouch for every date shown.")
    ] = False,
    identity: IdentityOption = None,
    root: RootOption = None,
) -> None:
    """List COLLECTIVE's retention dates no reader vouched for, and vouch for them, signed with your key.

    A date (`expires`, or `left` where [retention] counts from it) removes sealed values only once a
    current reader vouched for it: anyone who can commit can change a date. Each is shown with its
    place, the day it removes from and the last commit that changed its line; check who set it and why.
    Without an identity it only lists; with one it asks about each date on a terminal, or vouches for all
    with --yes. Never shows a private value.
    """
    listing, signer = _vouch_listing(find_root_or_exit(root), collective, identity)
    if listing is None:
        return
    for item in listing.items:
        typer.echo(item.describe())
    if signer is None:
        typer.echo(f"nothing was signed: a reader of {collective!r} runs this with --identity FILE to vouch", err=True)
        return
    _vouch_sign(listing, signer, yes)


def _vouch_listing(base: Path, collective: str, identity: Path | None):  # -> (edit.vouch.Listing | None, Signer)
    """The dates waiting for a vouch (None: there are none) and the reader's signing key (None: no identity)."""
    from redflag_coord.edit.vouch import VouchError, pending, signer_for
    from redflag_coord.org.vouch import Vouching

    collective = collective_folder_or_exit(base, collective)
    ids = read_identity_or_exit(identity)
    vouching = Vouching(base)
    try:
        listing = pending(base, collective, vouching)
        signer = signer_for(vouching, collective, ids) if ids is not None else None
    except VouchError as e:
        fail(str(e), EXIT_USAGE if e.usage else EXIT_DATA)
    if not listing.items:
        typer.echo(f"{collective}: every retention date is vouched for", err=True)
        return None, signer
    return listing, signer


def _vouch_sign(listing, signer, yes: bool) -> None:
    """Sign every date shown (--yes) or each one the reader confirms on a terminal."""
    import sys

    from redflag_coord.edit.vouch import sign
    from redflag_coord.repo.fsio import WriteError

    if not yes and not sys.stdin.isatty():
        fail("nothing was signed: give --yes to vouch for every date shown (or run it on a terminal)", EXIT_USAGE)
    chosen = listing.items if yes else [i for i in listing.items if typer.confirm(f"vouch for {i.where}?", err=True)]
    try:
        written, signed = sign(listing.root, listing, chosen, signer)
    except WriteError as e:
        fail(str(e))
    for rel in written:
        typer.echo(f"vouched {rel}")
    typer.echo(f"{signed} date(s) vouched, {len(listing.items) - signed} left as they were", err=True)


def register(app: typer.Typer) -> None:
    """Add these commands to the `secrets` group (cli/app.py), once however often the app is built."""
    present = {info.name for info in app.registered_commands}
    for command in (whoami, recipients, approve, accept, migrate, vouch):
        if command.__name__ not in present:
            app.command(command.__name__)(command)
