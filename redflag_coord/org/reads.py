"""Which files a command reads, so that a problem elsewhere in the organisation does not stop it.

Each function returns a `Reads`: given the loaded organisation, a test of a repository-relative
path. The commands stop on a problem in a file they read and only count the others
(`validate` stays whole-organisation and strict).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from redflag_coord.org.load import COLLECTIVES, Organisation

PathTest = Callable[[str], bool]
Reads = Callable[[Organisation], PathTest]


def _parts(rel: str) -> tuple[str, str, str, str]:
    """(collective, folder or '', file stem, file name) of collectives/<slug>/[folder/]<file>."""
    parts = rel.split("/")
    if len(parts) < 3 or parts[0] != COLLECTIVES:
        return ("", "", "", "")
    name = parts[-1]
    folder = parts[2] if len(parts) == 4 else ""
    return parts[1], folder, name.removesuffix(".toml"), name


def for_meeting(
    meeting_id: str, *, collectives: Iterable[str] = (), members: bool = False, all_meetings: bool = False
) -> Reads:
    """A command about one meeting: its file, every report to it, the convener's other meetings and their
    reports (the previous meeting), the collective.toml of everyone involved, and with `members` their
    members.toml (addresses). `collectives`: more collectives named on the command line. `all_meetings`:
    every meeting file (e.g. past meetings for fairness)."""
    extra = set(collectives)

    def reads(org: Organisation) -> PathTest:
        found = org.find_meeting(meeting_id)
        involved = set(extra)
        convener_meetings: set[str] = {meeting_id}
        if found is not None:
            convener, meeting = found
            involved |= {convener, *meeting.participants, *org.reports_for(meeting_id)}
            convener_meetings |= set(org.collectives[convener].meetings)

        def test(rel: str) -> bool:
            slug, folder, stem, name = _parts(rel)
            if folder == "meetings":
                return all_meetings or stem in convener_meetings
            if folder == "reports":
                return stem in convener_meetings
            if folder == "articles":  # translations owed between the collectives (org.commitments)
                return True
            if slug in involved:
                return name == "collective.toml" or (members and name == "members.toml")
            return False

        return test

    return reads


def for_collective(slug: str, *, meetings: bool = True) -> Reads:
    """A command about one collective: all of its files, and every meeting file (for dates)."""

    def reads(org: Organisation) -> PathTest:
        def test(rel: str) -> bool:
            owner, folder, _, _ = _parts(rel)
            return owner == slug or (meetings and folder == "meetings")

        return test

    return reads


def for_commitments(collectives: Iterable[str] | None = None) -> Reads:
    """Commitments (`commitments`, the open ones in `minutes show`): every minutes file (where they are made
    and closed), every report (requests and answers), every meeting file (dates), and the collective.toml of
    the collectives named (their zones and names; None: every collective's). A broken members.toml, or
    another collective's collective.toml, does not stop them."""
    named = None if collectives is None else set(collectives)

    def reads(org: Organisation) -> PathTest:
        def test(rel: str) -> bool:
            owner, folder, _, name = _parts(rel)
            if folder in ("minutes", "reports", "meetings", "articles", "motions"):
                return True
            return name == "collective.toml" and (named is None or owner in named)

        return test

    return reads


def for_articles() -> Reads:
    """`articles status`: every article file and every collective.toml (names and languages)."""

    def reads(org: Organisation) -> PathTest:
        def test(rel: str) -> bool:
            _, folder, _, name = _parts(rel)
            return folder == "articles" or (folder == "" and name == "collective.toml")

        return test

    return reads


def either(*scopes: Reads) -> Reads:
    def reads(org: Organisation) -> PathTest:
        tests = [s(org) for s in scopes]
        return lambda rel: any(t(rel) for t in tests)

    return reads
