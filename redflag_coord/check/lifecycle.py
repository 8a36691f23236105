"""The minutes' lifecycle checked: draft → circulated → approved (a later meeting's minutes say so in
`approves`) → locked; approved minutes change only by an amendment recorded with the meeting that approved
them, and locked ones never. The facts are org.lifecycle's; the history comes from git (repo.gitinfo).

The history check reads every first-parent version of every minutes file with one `git log` and one
`git cat-file` (repo.gitinfo.versions and blobs), plus the working tree: linear in the versions.
A file deleted and added again is judged on its whole history, so deleting approved minutes and
writing them anew as a draft does not wipe their approval.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from redflag_coord.org.lifecycle import approvers
from redflag_coord.org.load import COLLECTIVES, Organisation, rel_path
from redflag_coord.org.model import MinutesStatus
from redflag_coord.org.problems import Problems
from redflag_coord.org.rota import body_meetings

APPROVED = MinutesStatus.approved.rank
LOCKED = MinutesStatus.locked.rank


def check_approvals(org: Organisation, out: Problems) -> None:
    """Each `approves` names earlier minutes of the same body; a status says approved exactly when some
    later minutes approve them; amendments are recorded with the meeting that approved those minutes."""
    for c in org.collectives.values():
        if not c.minutes:
            continue
        by = approvers(org, c.slug)
        order = [mid for _, mid in body_meetings(org, c.slug)]
        for mid, minutes in c.minutes.items():
            rel = rel_path("minutes", c.slug, mid)
            for i, approved in enumerate(minutes.approves):
                if approved not in c.minutes:
                    out.add(
                        rel,
                        "unresolved-ref",
                        f"no minutes of {approved!r} in {c.slug}/minutes/ to approve",
                        ("approves", i),
                    )
                elif mid in order and approved in order and order.index(approved) >= order.index(mid):
                    out.add(
                        rel,
                        "minutes-status",
                        f"meeting {mid!r} cannot approve the minutes of {approved!r}, which is not an earlier meeting",
                        ("approves", i),
                    )
            for i, amendment in enumerate(minutes.amendments):
                if amendment.minutes not in minutes.approves:
                    out.add(
                        rel,
                        "minutes-status",
                        f"an amendment to the minutes of {amendment.minutes!r} is recorded with the meeting that "
                        f"approved them; {mid!r} does not approve them (its 'approves')",
                        ("amendment", i, "minutes"),
                    )
            _status(rel, mid, minutes.status, by.get(mid, []), out)


def _status(rel: str, mid: str, status: MinutesStatus, approved_by: list[str], out: Problems) -> None:
    if status.rank >= APPROVED and not approved_by:
        out.add(
            rel,
            "minutes-status",
            f"status is {status.value!r}, but no later meeting's minutes approve them: add approves = [{mid!r}] "
            "to the minutes of the meeting that approved them, or set status = 'circulated'",
            ("status",),
        )
    elif approved_by and status.rank < APPROVED:
        out.add(
            rel,
            "minutes-status",
            f"the minutes of {approved_by[0]!r} approve these, but their status is {status.value!r}: "
            "set status = 'approved'",
            ("status",),
        )


# -- the history ------------------------------------------------------------------------


def _rank(data: dict[str, Any]) -> int:
    try:
        return MinutesStatus(data.get("status", "draft")).rank
    except ValueError:
        return 0  # an unknown status: the schema check names it


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "status"}


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def history(root: Path) -> dict[str, list[dict[str, Any]]]:
    """Each minutes file's versions along first-parent history, then the working tree's when it differs."""
    from redflag_coord.repo import gitinfo

    if not gitinfo.history_usable(root):
        return {}
    found = gitinfo.versions(root, [f"{COLLECTIVES}/*/minutes/*.toml"], whole=True)
    contents = gitinfo.blobs(root, [v.blob for listed in found.values() for v in listed if v.blob.strip("0")])
    out: dict[str, list[dict[str, Any]]] = {}
    for path, listed in found.items():
        parsed = [_parse(contents[v.blob]) for v in listed if v.blob in contents]
        out[path] = [d for d in parsed if d is not None]
    return out


def judge(versions: list[dict[str, Any]]) -> tuple[int, bool, bool]:
    """Along one file's versions: edits since it was first approved, whether its status went back after
    approval, and whether it changed once locked."""
    edits, back, locked_changed = 0, False, False
    approved = locked = False
    prev: dict[str, Any] | None = None
    for data in versions:
        if prev is not None and approved:
            back = back or _rank(data) < _rank(prev)
            if _content(data) != _content(prev):
                edits += 1
                locked_changed = locked_changed or locked
        approved = approved or _rank(data) >= APPROVED
        locked = locked or _rank(data) >= LOCKED
        prev = data
    return edits, back, locked_changed


def check_history(org: Organisation, out: Problems) -> None:
    """Approved minutes change only by an amendment recorded with the approving meeting; locked ones never."""
    found = history(org.root)
    for c in org.collectives.values():
        by = approvers(org, c.slug)
        for mid in c.minutes:
            rel = rel_path("minutes", c.slug, mid)
            listed = list(found.get(rel, []))
            current = _parse((org.root / rel).read_bytes()) if (org.root / rel).is_file() else None
            if current is not None and (not listed or listed[-1] != current):
                listed.append(current)
            edits, back, locked_changed = judge(listed)
            _refuse(org, rel, mid, by.get(mid, []), edits, back, locked_changed, out)


def _refuse(
    org: Organisation,
    rel: str,
    mid: str,
    approved_by: list[str],
    edits: int,
    back: bool,
    locked_changed: bool,
    out: Problems,
) -> None:
    slug = rel.split("/")[1]
    c = org.collectives[slug]
    amendments = sum(1 for a in approved_by for m in c.minutes[a].amendments if m.minutes == mid)
    where = (
        ", ".join(rel_path("minutes", slug, a) for a in approved_by) or "the minutes of the meeting that approved them"
    )
    if back:
        out.add(
            rel,
            "approved-changed",
            "these minutes were approved, and their status has since gone back: approved minutes stay approved "
            "(or are locked); restore the status",
            ("status",),
        )
    if locked_changed:
        out.add(rel, "approved-changed", "these minutes are locked and were changed since: undo the change")
    elif edits > amendments:
        out.add(
            rel,
            "approved-changed",
            f"these minutes were approved and have changed {edits} time(s) since (committed or not), but "
            f"{amendments} amendment(s) to them are recorded: undo the change, or record it as an [[amendment]] "
            f"(minutes = {mid!r}, text = '…') in {where}",
        )
