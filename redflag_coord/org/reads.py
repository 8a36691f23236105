"""Which files a command reads, so that a problem elsewhere in the organisation does not stop it.

Each function returns a `Reads`: given the loaded organisation, a test of a repository-relative
path. The commands stop on a problem in a file they read and only count the others
(`validate` stays whole-organisation and strict).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redflag_coord.org.load import COLLECTIVES, Organisation

if TYPE_CHECKING:
    from redflag_coord.org.parse import Entry

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


# -- loading what a command reads --------------------------------------------------------------------
#
# A command with `reads` parses and checks only the files it reads and those their checks and its
# output need, never the rest. The rule, the same for every such command (`agenda`, `invite`,
# `report status|new|remind`, `minutes show`, `commitments`, `decisions`, `articles status`,
# `network COLLECTIVE`, `calendar COLLECTIVE`, `slots`):
#
# 1. The tree is listed (names only); its problems (a bad name, a link out) are all kept.
# 2. Always parsed (few files; the checks of any file read look into them): every collective.toml
#    (names, zones, look-alike names, the regions of phone numbers), relationships.toml (pseudonyms the
#    private-text check looks for), meeting (ids, participants, dates), roles.toml, article and motion
#    file, and every minutes file (what a meeting is to approve and review, commitments and updates).
# 3. Then the files `reads` selects, again until the selection stops growing (it depends on what is
#    loaded: a meeting's participants, the collectives that report to it).
# 4. What the checks of those files, and what the command shows, need besides:
#    - a report read: its collective's members.toml (filed by a member);
#    - a members.toml, relationships.toml, article, motion or minutes read, or a rota anywhere: every
#      members.toml (handles are unique across the organisation; reviewers, seconders, holders and
#      comrades name members of any collective);
#    - a report read that answers a commitment, or any minutes read: every file (its answers and
#      the minutes' commitments resolve against every report's requests);
#    - a request in a report read, or any minutes or article (commitments are shown): every report
#      that may answer one (its text holds "answer" or an escape that could spell it: the bytes are
#      looked at, only those are parsed), so a commitment's status is the same as in a whole load.
# 5. Every other file is left unparsed and counts as not loaded, so no check judges a reference
#    into it (as for a file that does not parse).
#
# The note "N problem(s) in files this command does not read" then counts the problems of the tree
# and of the files loaded beside those read (their own problems, not those of checks across files,
# which may depend on files left unparsed): a broken file the command neither reads nor needs is not
# parsed, so not counted; `validate` reads every file. REDFLAG_READ_ALL=1 loads the whole
# organisation for every command (the old way; tests/test_partial_load.py compares the two).

ALWAYS = frozenset({"collective", "relationships", "meeting", "roles", "article", "motion", "minutes"})
_EVERY_MEMBER = frozenset({"members", "relationships", "article", "motion", "minutes"})


def load_read(root: Path | str, reads: Reads, workers: int | None = None) -> Organisation:
    """The organisation with the files `reads` selects and what their checks need (the rule above)."""
    from redflag_coord.org.load import begin

    base, entries = begin(root)
    loader = _Loader(base, entries, workers)
    loader.load(e for e in entries if e.kind in ALWAYS)
    while True:  # the selection depends on what is loaded: until it stops growing
        test = reads(loader.assemble())
        if not loader.load(e for e in entries if test(e.rel)):
            break
    chosen = [e for e in entries if test(e.rel)]
    kinds = {e.kind for e in chosen}
    reports = [loader.model(e) for e in chosen if e.kind == "report"]
    if "minutes" in kinds or any(getattr(r, "answers", None) for r in reports):
        loader.load(entries)
        return loader.assemble(final=True)
    if kinds & _EVERY_MEMBER or any(loader.model(e) is not None for e in entries if e.kind == "roles"):
        loader.load(e for e in entries if e.kind == "members")
    else:
        owners = {e.slug for e in chosen if e.kind == "report"}
        loader.load(e for e in entries if e.kind == "members" and e.slug in owners)
    shown = any(e.kind in ("minutes", "article") for e in entries)
    if shown or any(getattr(r, "requests", None) for r in reports):
        from redflag_coord.org.cached import passing  # the bytes of thousands of reports: kept by stat

        unread = [e for e in entries if e.kind == "report" and e.rel not in loader.checked]
        loader.load(passing("may-answer", unread, _may_answer))
    return loader.assemble(final=True)


def _may_answer(entry: Entry) -> bool:
    """Whether a report file may hold an answer, from its bytes (no parsing): the key's name, or an
    escape that could spell it in a quoted key. A file that cannot be read is parsed (and fails there)."""
    from redflag_coord.org.parse import read_bytes

    data, _ = read_bytes(entry.path, entry.rel)  # as every data file is read: a pipe must not block
    if data is None:
        return True
    return b"answer" in data or b"\\u" in data or b"\\U" in data


class _Loader:
    """Files parsed and checked once each (org.pool), attached in the tree's order whatever the order
    they were loaded in, so dictionaries and problems read as in a whole load."""

    def __init__(self, base: Organisation, entries: list[Entry], workers: int | None) -> None:
        self.base, self.entries, self.workers = base, entries, workers
        self.checked: dict[str, tuple] = {}

    def load(self, wanted: Iterable[Entry]) -> bool:
        """Parse and check the entries not loaded yet; whether there were any."""
        from redflag_coord.org.pool import check_entries

        todo = [e for e in wanted if e.rel not in self.checked]
        for entry, result in zip(todo, check_entries(todo, self.workers)):
            self.checked[entry.rel] = result
        return bool(todo)

    def model(self, entry: Entry) -> Any:
        return self.checked.get(entry.rel, (None, []))[0]

    def assemble(self, final: bool = False) -> Organisation:
        from redflag_coord.org.load import CollectiveData, take

        org = Organisation(
            root=self.base.root,
            collectives={slug: CollectiveData(slug) for slug in self.base.collectives},
            problems=type(self.base.problems)(list(self.base.problems)),
            failed=set(self.base.failed),
            files=list(self.base.files),
            fetched=dict(self.base.fetched),  # sources' collectives (issue 34): read-only, checked at their source
        )
        loaded = [e for e in self.entries if e.rel in self.checked]
        take(org, loaded, [self.checked[e.rel] for e in loaded])
        if final:  # not parsed: like a file that did not load, no check judges a reference into it
            org.failed.update(e.rel for e in self.entries if e.rel not in self.checked)
        return org
