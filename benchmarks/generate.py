"""A synthetic organisation of realistic shape, deterministic by seed, for benchmarks.

Collectives (one is the International Committee) with members, relationships and
availability; meetings with items and participants; one report (about 1 KB) per
participant per meeting. Every file is valid and every reference resolves, so
`redflag-coord validate` finds nothing: the benchmark measures a clean run, the
case of a pre-commit hook.

    python benchmarks/generate.py OUT --files 10000 [--seed 0]

Written to a folder you give (the runner uses a temporary one); never committed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PLACES = [  # (city slug, zone, country, languages)
    ("los-angeles", "America/Los_Angeles", "US", ["es", "en"]),
    ("san-salvador", "America/El_Salvador", "SV", ["es"]),
    ("durban", "Africa/Johannesburg", "ZA", ["zu", "en"]),
    ("mumbai", "Asia/Kolkata", "IN", ["hi", "en"]),
    ("mexico-city", "America/Mexico_City", "MX", ["es"]),
    ("tegucigalpa", "America/Tegucigalpa", "HN", ["es"]),
    ("manila", "Asia/Manila", "PH", ["tl", "en"]),
    ("paris", "Europe/Paris", "FR", ["fr"]),
    ("tunis", "Africa/Tunis", "TN", ["ar", "fr"]),
    ("colombo", "Asia/Colombo", "LK", ["si", "ta"]),
    ("chicago", "America/Chicago", "US", ["en", "es"]),
    ("sao-paulo", "America/Sao_Paulo", "BR", ["pt"]),
    ("lagos", "Africa/Lagos", "NG", ["en", "yo"]),
    ("dhaka", "Asia/Dhaka", "BD", ["bn"]),
    ("jakarta", "Asia/Jakarta", "ID", ["id"]),
    ("berlin", "Europe/Berlin", "DE", ["de"]),
]
HANDLES = [
    "rosa",
    "chepe",
    "lupita",
    "neto",
    "thandi",
    "sipho",
    "asha",
    "ravi",
    "mai",
    "jun",
    "ines",
    "luc",
    "amal",
    "kofi",
    "nadia",
    "tomas",
    "dolores",
    "yusuf",
    "ana",
    "marisol",
]
NATURES = ["co-worker", "friend", "family", "neighbour", "fellow-student", "former-co-worker", "community"]
STAGES = ["contact", "reader", "writer", "study-group", "recruit", "member"]
WORDS = [
    "workers",
    "comrades",
    "factory",
    "shift",
    "maquila",
    "garment",
    "cleaning",
    "service",
    "union",
    "decree",
    "repression",
    "fascism",
    "relationships",
    "study",
    "group",
    "readers",
    "Red",
    "Flag",
    "distribution",
    "leaflet",
    "neighbours",
    "family",
    "co-workers",
    "wages",
    "rent",
    "strike",
    "meeting",
    "collective",
    "leadership",
    "communist",
    "masses",
    "line",
    "struggle",
    "night",
    "morning",
    "bus",
    "market",
    "school",
    "church",
    "mosque",
    "temple",
    "dock",
    "warehouse",
    "hospital",
    "kitchen",
]
SITES = [
    "factory gate",
    "bus stop at shift change",
    "market",
    "hand to hand in the workshop",
    "church social",
    "union hall",
    "warehouse canteen",
    "neighbourhood meeting",
]
ITEM_KINDS = ["report", "discussion", "discussion", "report"]
FIRST_DAY = dt.date(2023, 1, 2)  # meetings run from here for about three years, all before "today"


@dataclass(frozen=True)
class Plan:
    collectives: int
    meetings: int
    participants: int  # per meeting, not counting the convener
    reports: bool = True
    big_meeting: int = 0  # participants of one extra meeting 'ic-big' (for the agenda figure)
    committee_convenes: bool = False  # every meeting the committee's (the sources layout: its repository holds them)

    @property
    def files(self) -> int:
        per_meeting = 1 + (self.participants if self.reports else 0)
        big = (1 + (self.big_meeting if self.reports else 0)) if self.big_meeting else 0
        return 3 * self.collectives + self.meetings * per_meeting + big


def plan_for(files: int, big_meeting: int = 0) -> Plan:
    """About `files` files: a collective per hundred files (at least 5), 20 participants a meeting."""
    collectives = max(5, files // 100, big_meeting + 1)
    participants = min(20, collectives - 1)
    rest = files - 3 * collectives - ((1 + big_meeting) if big_meeting else 0)
    return Plan(collectives, max(1, rest // (participants + 1)), participants, True, big_meeting)


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def toml_list(values: list) -> str:
    return "[" + ", ".join(toml_str(v) if isinstance(v, str) else str(v) for v in values) + "]"


def slug_of(i: int) -> str:
    return "international-committee" if i == 0 else f"{PLACES[i % len(PLACES)][0]}-{i}"


def sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, k=n)
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        s = sentence(rng, rng.randint(8, 16))
        out.append(s)
        size += len(s) + 1
    return " ".join(out)


def collective_toml(i: int) -> str:
    city, zone, country, langs = PLACES[i % len(PLACES)]
    if i == 0:
        return (
            'name = "International Committee"\nkind = "committee"\ntimezone = "America/Los_Angeles"\n'
            'languages = ["en", "es", "fr"]\n'
            'description = "Meets across all the collectives\' timezones."\n'
        )
    name = city.replace("-", " ").title()
    return (
        f'name = "{name} {i}"\nkind = "collective"\ntimezone = "{zone}"\nlanguages = {toml_list(langs)}\n'
        f'country = "{country}"\ncity = "{name}"\nsectors = ["garment", "service", "cleaning"]\n'
        f'description = "Workers in {name}: relationships at work and in the neighbourhood."\n\n'
        '[availability]\nweekdays = ["18:00-22:00"]\nsaturday = ["09:00-19:00"]\nsunday = ["10:00-18:00"]\n'
        "avoid = [2026-12-24, 2026-12-31]\n"
    )


def handles_of(i: int, n: int = 8) -> list[str]:
    return [f"{HANDLES[(i + k) % len(HANDLES)]}-{i}-{k}" for k in range(n)]


def members_toml(i: int) -> str:
    langs = PLACES[i % len(PLACES)][3]
    parts = []
    for k, handle in enumerate(handles_of(i)):
        block = f'[[member]]\nhandle = "{handle}"\nlanguages = {toml_list(langs)}\njoined = 202{k % 5}-0{1 + k % 9}-1{k % 10}\n'
        if k == 0:
            block += f'role = "responsible for the collective"\nemail = "{handle}@example.org"\ninvite = true\n'
        parts.append(block)
    return "\n".join(parts)


def relationships_toml(i: int, rng: random.Random, n: int = 12) -> str:
    handles = handles_of(i)
    parts = ['natures = ["church"]\n']
    for k in range(n):
        since = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 360))
        steps = sorted(rng.sample(range(len(STAGES)), rng.randint(1, 3)))
        stage = STAGES[steps[-1]]
        block = (
            f'[[relationship]]\npseudonym = "Pseudonym {i}-{k}"\nnature = "{rng.choice(NATURES + ["church"])}"\n'
            f'stage = "{stage}"\ncomrade = "{rng.choice(handles)}"\nsince = {since}\n'
            f"last_contact = {since + dt.timedelta(days=200 + k)}\n"
        )
        if k % 3 == 0:
            block += f'workplace = "workshop {k}"\n'
        day = since
        for s in steps:
            block += f'\n[[relationship.history]]\ndate = {day}\nstage = "{STAGES[s]}"\n'
            day += dt.timedelta(days=rng.randint(10, 60))
        parts.append(block)
    return "\n".join(parts)


def meeting_toml(convener: int, k: int, participants: list[str], rng: random.Random) -> str:
    zone = "America/Los_Angeles" if convener == 0 else PLACES[convener % len(PLACES)][1]
    day = FIRST_DAY + dt.timedelta(days=(k * 7 + convener) % 1000)
    leads = participants[:4] or [slug_of(convener)]
    out = (
        f'title = "Meeting {k}: relationships, Red Flag and the struggle against fascism"\n'
        f'start = {day}T15:00:00\ntimezone = "{zone}"\nduration_minutes = 180\n'
        f"participants = {toml_list(participants)}\n"
    )
    if participants:
        out += f'opens = "{participants[0]}"\n'
    out += (
        f'reports_due = {day - dt.timedelta(days=7)}\nsequence = {k % 3}\nstatus = "confirmed"\n'
        f'language = "en"\nlocation = "Online; each collective receives the link"\nreminders_minutes = [1440, 60]\n'
        f'description = """\n{paragraph(rng, 200)}"""\n'
    )
    out += '\n[[item]]\nkind = "opening"\ntopic = "Opening"\nduration_minutes = 20\n'
    if participants:
        out += f'lead = "{participants[0]}"\n'
    for j, lead in enumerate(leads):
        out += (
            f'\n[[item]]\nkind = "{ITEM_KINDS[j % len(ITEM_KINDS)]}"\nlead = "{lead}"\n'
            f'topic = "{sentence(rng, 8)[:-1]}"\nduration_minutes = 25\n'
        )
    out += f'\n[[item]]\nkind = "closing"\nlead = "{slug_of(convener)}"\ntopic = "Next steps"\nduration_minutes = 15\n'
    return out


def site(rng: random.Random, author: int) -> str:
    """A distribution site: private (sealed where the organisation encrypts), so publish refuses any page
    that shows it; a numbered place, not a bare word that ordinary text holds ("market"). The number
    draws nothing from `rng`, so everything else generated stays as it was."""
    return f"{rng.choice(SITES)} no. {author % 97 + 1}"


def report_toml(author: int, meeting_day: dt.date, rng: random.Random, to: str) -> str:
    filed = meeting_day - dt.timedelta(days=rng.randint(1, 14))
    stages = ", ".join(f"{s} = {rng.randint(0, 9)}" for s in STAGES[:4])
    return (
        f'filed = {filed}\nfiled_by = "{handles_of(author)[0]}"\n'
        f'summary = """\n{paragraph(rng, 480)}"""\nrecruits = {rng.randint(0, 3)}\n\n'
        f"[red_flag]\nreaders = {rng.randint(5, 80)}\n\n"
        f'[[red_flag.distribution]]\nsite = "{site(rng, author)}"\ncopies = {rng.randint(10, 200)}\n\n'
        f'[[red_flag.distribution]]\nsite = "{site(rng, author)}"\ncopies = {rng.randint(5, 50)}\n\n'
        f"[relationships]\nby_stage = {{ {stages} }}\nby_nature = {{ co-worker = {rng.randint(0, 9)}, "
        f"neighbour = {rng.randint(0, 5)} }}\nnew = {rng.randint(0, 4)}\nmoved_up = {rng.randint(0, 3)}\n\n"
        f'[[article]]\ntitle = "{sentence(rng, 7)[:-1]}"\nlanguage = "en"\nstatus = "drafting"\n\n'
        f'[[request]]\nto = "{to}"\ntext = "{sentence(rng, 12)}"\n'
    )


def generate(root: Path | str, plan: Plan, seed: int = 0) -> int:
    """Write the organisation under root/collectives (replacing it); returns the number of files."""
    root = Path(root)
    base = root / "collectives"
    if base.exists():
        shutil.rmtree(base)
    rng = random.Random(seed)
    slugs = [slug_of(i) for i in range(plan.collectives)]
    folders: set[Path] = set()
    written = 0

    def write(rel: str, text: str) -> None:
        nonlocal written
        path = base / rel
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        path.write_text(text, encoding="utf-8")
        written += 1

    for i, slug in enumerate(slugs):
        write(f"{slug}/collective.toml", collective_toml(i))
        write(f"{slug}/members.toml", members_toml(i))
        write(f"{slug}/relationships.toml", relationships_toml(i, rng))
    meetings = [
        (0 if plan.committee_convenes else k % plan.collectives, f"m{k:05d}", plan.participants)
        for k in range(plan.meetings)
    ]
    if plan.big_meeting:
        meetings.append((0, "ic-big", plan.big_meeting))
    for k, (convener, mid, n) in enumerate(meetings):
        others = [j for j in range(plan.collectives) if j != convener]
        chosen = sorted(rng.sample(others, n))
        text = meeting_toml(convener, k, [slugs[j] for j in chosen], rng)
        write(f"{slugs[convener]}/meetings/{mid}.toml", text)
        if plan.reports:
            day = FIRST_DAY + dt.timedelta(days=(k * 7 + convener) % 1000)
            for j in chosen:
                to = slugs[convener] if convener != j else slugs[0]
                write(f"{slugs[j]}/reports/{mid}.toml", report_toml(j, day, rng, to))
    return written


# -- the sources layout (issue 34): a committee's repository and one repository per collective ---------

SHARED_DATE = "1764000000 +0000"  # 2025-11-24: every generated commit, so both layouts date reports alike
SHARED_BRANCH = "redflag-shared"


@dataclass(frozen=True)
class SourcesLayout:
    single: Path  # the whole organisation in one git repository
    committee: Path  # the committee's repository: its own collective, meetings and sources.toml
    remotes: Path  # one bare repository per collective: its shared branch
    slugs: list[str]  # the sources, in sources.toml's order
    files: int  # files of the whole organisation (the single repository)


def sources_plan(sources: int) -> Plan:
    """`sources` collectives and a committee convening every meeting: a meeting per 20 collectives, each
    with 20 participants (so a collective files about one report)."""
    return Plan(sources + 1, max(2, sources // 20), min(20, sources), True, 0, committee_convenes=True)


def _git(args: list[str], cwd: Path, data: bytes | None = None) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.org",
        "GIT_AUTHOR_DATE": SHARED_DATE,
        "GIT_COMMITTER_DATE": SHARED_DATE,
    }
    subprocess.run(["git", *args], cwd=cwd, input=data, env=env, check=True, capture_output=True)


def shared_commit(slug: str, files: dict[str, bytes], parent: bool, message: str = "shared files") -> bytes:
    """A `git fast-import` stream of one commit on the shared branch, as `sources share` writes it: the
    collective as author, only its shared files (`parent`: on top of the branch, changing the files given)."""
    who = f"{slug} <{slug}@sources.invalid> {SHARED_DATE}"
    msg = message.encode()
    out = [f"commit refs/heads/{SHARED_BRANCH}\nauthor {who}\ncommitter {who}\ndata {len(msg)}\n".encode() + msg]
    if parent:
        out.append(f"\nfrom refs/heads/{SHARED_BRANCH}^0".encode())
    for rel, data in sorted(files.items()):
        out.append(f"\nM 100644 inline {rel}\ndata {len(data)}\n".encode() + data)
    return b"".join(out) + b"\n"


def generate_sources(work: Path, sources: int, seed: int = 0, jobs: int = 4) -> SourcesLayout:
    """The same organisation twice: in one git repository (`single`), and as a committee's repository
    whose sources.toml lists `sources` collectives, each a local bare repository holding its shared branch
    (collective.toml and reports/, what `sources share` would push). Run `sources fetch` in the committee's
    to receive them."""
    from concurrent.futures import ThreadPoolExecutor

    single, committee, remotes = work / "single", work / "committee", work / "remotes"
    for folder in (single, committee, remotes):
        if folder.exists():
            shutil.rmtree(folder)
    files = generate(single, sources_plan(sources), seed)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "organisation"]):
        _git(args, single)
    slugs = [slug_of(i) for i in range(1, sources + 1)]
    remotes.mkdir(parents=True)

    def bare(slug: str) -> None:
        folder = single / "collectives" / slug
        shared = {f"collectives/{slug}/collective.toml": (folder / "collective.toml").read_bytes()}
        for report in sorted((folder / "reports").glob("*.toml")):
            shared[f"collectives/{slug}/reports/{report.name}"] = report.read_bytes()
        target = remotes / f"{slug}.git"
        _git(["init", "-q", "--bare", "--template=", str(target)], remotes)  # no sample hooks: 2,000 of them
        _git(["fast-import", "--quiet"], target, shared_commit(slug, shared, parent=False))

    with ThreadPoolExecutor(max_workers=jobs) as ex:
        list(ex.map(bare, slugs))
    own = slug_of(0)
    shutil.copytree(single / "collectives" / own, committee / "collectives" / own)
    listed = "".join(
        f'[[source]]\ncollective = "{slug}"\nurl = {toml_str(str(remotes / f"{slug}.git"))}\n'
        'shares = ["collective.toml", "reports/"]\n\n'
        for slug in slugs
    )
    (committee / "sources.toml").write_text(listed, encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "the committee"]):
        _git(args, committee)
    return SourcesLayout(single, committee, remotes, slugs, files)


def change_source(layout: SourcesLayout, slug: str, n: int) -> str:
    """A new commit on one source's shared branch, its first report changed (still valid): what a
    collective pushes when it corrects a report. Returns the report's path."""
    folder = layout.single / "collectives" / slug / "reports"
    report = sorted(folder.glob("*.toml"))[0]
    text = report.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^recruits = \d+$", f"recruits = {n % 10}", text) + f"# correction {n}\n"
    rel = f"collectives/{slug}/reports/{report.name}"
    stream = shared_commit(slug, {rel: changed.encode()}, parent=True, message=f"correction {n}")
    _git(["fast-import", "--quiet"], layout.remotes / f"{slug}.git", stream)
    return rel


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write (its collectives/ is replaced)")
    ap.add_argument("--files", type=int, default=1000, help="about this many files")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--big-meeting", type=int, default=0, help="add meeting 'ic-big' with this many participants")
    args = ap.parse_args(argv)
    n = generate(args.out, plan_for(args.files, args.big_meeting), args.seed)
    print(f"wrote {n} files to {args.out / 'collectives'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
