"""`sources status`: each source's last good commit, how old it is, and what is wrong with it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from redflag_coord.repo import sourcestore
from redflag_coord.sources import gitrun
from redflag_coord.sources.fetch import configured, last_attempt


@dataclass(frozen=True)
class SourceStatus:
    collective: str
    url: str
    branch: str
    commit: str | None  # sources.lock: the last good commit
    committed: str | None  # that commit's date, in the source's history
    age_days: int | None  # days since that date
    here: str | None  # the commit this machine holds
    problems: list[str] = field(default_factory=list)


def status(root: Path, now: dt.datetime | None = None) -> list[SourceStatus]:
    now = now or dt.datetime.now(dt.UTC)
    lock = sourcestore.read_lock(root)
    out = []
    for s in configured(root).source:
        locked = lock.get(s.collective)
        here = sourcestore.materialised(root, s.collective)
        committed, age = _date(root, s.collective, locked.commit if locked else None, now)
        problems = []
        if locked is None:
            problems.append("never fetched: run 'redflag-coord sources fetch'")
        elif here != locked.commit:
            problems.append(f"this machine holds {here[:12] if here else 'nothing'}: run 'redflag-coord sources fetch'")
        attempt = last_attempt(root, s.collective)
        if attempt and attempt.get("result") == "refused":
            problems.append(f"last fetch ({attempt.get('when')}) refused: {attempt.get('reason')}")
        out.append(
            SourceStatus(
                s.collective, s.url, s.branch, locked.commit if locked else None, committed, age, here, problems
            )
        )
    return out


def _date(root: Path, slug: str, commit: str | None, now: dt.datetime) -> tuple[str | None, int | None]:
    kept = sourcestore.bare_of(root, slug)
    if commit is None or kept is None or not kept.exists():
        return None, None
    done = gitrun.run(kept, "log", "-1", "--format=%cI", commit, check=False)
    text = done.stdout.decode().strip()
    if done.returncode != 0 or not text:
        return None, None
    when = dt.datetime.fromisoformat(text)
    return text, (now - when).days


def render_text(found: list[SourceStatus]) -> str:
    if not found:
        return "no sources in sources.toml\n"
    lines = []
    for s in found:
        commit = s.commit[:12] if s.commit else "none"
        age = f", {s.age_days} days old ({s.committed})" if s.age_days is not None else ""
        lines.append(f"{s.collective}: {commit}{age} — {s.url} ({s.branch})")
        lines += [f"  problem: {p}" for p in s.problems]
    return "\n".join(lines) + "\n"


def render_json(found: list[SourceStatus]) -> str:
    return json.dumps([asdict(s) for s in found], ensure_ascii=False, indent=2) + "\n"
