"""Journey: a motion from filing to review, through the console script in a temporary git repository.

Los Angeles files a motion by pull request for the December committee → Mexico amends it, Los Angeles
accepts the amendment → the meeting decides it: the quorum is checked and the result computed by the
organisation's rule, a forged result is refused naming the rule and the figures → the decision's
commitment names it → the agenda of the first meeting after its review date lists it again.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from git_helpers import example_repo

EXE = shutil.which("redflag-coord", path=str(Path(sys.executable).parent)) or shutil.which("redflag-coord")
IC = "collectives/international-committee"
MOTION = "collectives/los-angeles/motions/paper-rota.toml"
AFTER = "2026-12-14T12:00:00Z"  # the December meeting is held (12 December)


def cli(root: Path, *args: str, code: int = 0, now: str = "2026-11-27T12:00:00Z") -> str:
    env = {**os.environ, "REDFLAG_TODAY": now[:10], "REDFLAG_NOW": now, "REDFLAG_DTSTAMP": "2026-11-27T12:00:00Z"}
    proc = subprocess.run([EXE, *args], cwd=root, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == code, f"{args}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc.stdout + proc.stderr


MOTION_TEXT = """title = "A rota for the paper's distribution"
text = "Every collective names a week each month when it hands out Red Flag at a new workplace."
filed = 2026-11-20
seconds = ["SECOND"]
meeting = "ic-2026-12"
"""

AMENDMENT = """
[[amendment]]
text = "At a workplace where a member already works."
by = "mexico"
status = "STATUS"
"""

MINUTES = """chair = "secretariat"

[attendance]
present = [PRESENT]

[[decision]]
text = "Every collective names a week each month for handing out Red Flag at a new workplace."
motion = "paper-rota"
result = "RESULT"
review = 2027-02-01
commitments = ["ic-2026-12-rota-weeks"]

[[decision.vote]]
collective = "los-angeles"
for = 2

[[decision.vote]]
collective = "india"
for = 1

[[decision.vote]]
collective = "mexico"
for = 3

[[decision.vote]]
collective = "south-africa"
against = 2

[[decision.vote]]
collective = "el-salvador"
for = 1

[[commitment]]
id = "ic-2026-12-rota-weeks"
text = "Send the committee the week each collective chose."
owner = "los-angeles"
due = 2027-01-15
"""

NEXT_MEETING = """title = "International Committee, March"
start = 2027-03-13T07:00:00
timezone = "America/Los_Angeles"
duration_minutes = 120
participants = ["south-africa", "el-salvador", "india", "los-angeles", "mexico"]
"""


def _dicts(data: object) -> list[dict]:
    """Every object inside a JSON document."""
    if isinstance(data, dict):
        return [data, *(d for v in data.values() for d in _dicts(v))]
    if isinstance(data, list):
        return [d for v in data for d in _dicts(v)]
    return []


def test_a_motion_is_filed_amended_decided_and_comes_back(tmp_path: Path) -> None:
    if EXE is None:
        pytest.skip("the console script is not installed")
    repo = example_repo(tmp_path, drop_reports=None)
    root = repo.root
    with (root / "organisation.toml").open("a", encoding="utf-8") as f:  # the organisation's rule
        f.write('\n[decisions]\nmethod = "vote"\nthreshold = "two-thirds"\nquorum = "2/3"\n')
    repo.commit("decisions by two-thirds of the votes cast, two-thirds of the collectives present")

    # 1. Los Angeles files the motion on a branch; seconding its own motion is refused
    repo.git("checkout", "-q", "-b", "los-angeles-motion")
    repo.write(MOTION, MOTION_TEXT.replace("SECOND", "los-angeles"))
    out = cli(root, "validate", code=1)
    assert "error[self-second]" in out and MOTION in out
    repo.write(MOTION, MOTION_TEXT.replace("SECOND", "india"))
    assert "0 error(s)" in cli(root, "validate")
    repo.commit("los-angeles: a motion for the December committee")

    # 2. Mexico amends it; settled without saying who accepted it is refused, then recorded
    (root / MOTION).write_text(MOTION_TEXT.replace("SECOND", "india") + AMENDMENT.replace("STATUS", "proposed"))
    assert "0 error(s)" in cli(root, "validate")
    accepted = MOTION_TEXT.replace("SECOND", "india") + AMENDMENT.replace("STATUS", "accepted")
    (root / MOTION).write_text(accepted)
    assert "error[amendment-state]" in cli(root, "validate", code=1)
    (root / MOTION).write_text(accepted + 'accepted_by = "los-angeles"\ndate = 2026-11-24\n')
    assert "0 error(s)" in cli(root, "validate")
    repo.commit("mexico's amendment, accepted by los-angeles")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge the motion", "los-angeles-motion")

    # 3. The meeting: three of eight collectives present is no quorum (2/3 of 8 needs 6)
    minutes = root / IC / "minutes/ic-2026-12.toml"
    few = '"los-angeles", "india", "mexico"'
    minutes.write_text(MINUTES.replace("PRESENT", few).replace("RESULT", "carried"))
    out = cli(root, "validate", code=1, now=AFTER)
    assert "error[wrong-result]" in out and "gives 'no-quorum'" in out
    assert "entitled 8, present 3 (quorum 6: not met)" in out
    many = '"los-angeles", "india", "mexico", "south-africa", "el-salvador", "france"'
    # a forged result: the figures say it carried (4 of 5 collectives' voices for: 4 >= 2/3 of 5)
    minutes.write_text(MINUTES.replace("PRESENT", many).replace("RESULT", "failed"))
    out = cli(root, "validate", code=1, now=AFTER)
    assert "recorded 'failed' but the rule (vote; two-thirds of cast, one voice per collective" in out
    assert "for 4, against 1, abstain 0; two-thirds of 5 needs 10/3" in out
    minutes.write_text(MINUTES.replace("PRESENT", many).replace("RESULT", "carried"))
    assert "0 error(s)" in cli(root, "validate", now=AFTER)
    repo.commit("the minutes of the December committee")

    decided = json.loads(cli(root, "decisions", "--format", "json", now=AFTER))["decisions"]
    (ours,) = [d for d in decided if d["motion"] == "paper-rota"]
    assert ours["mover"] == "los-angeles" and ours["seconds"] == ["india"]
    assert ours["computed"]["result"] == "carried" and ours["computed"]["for"] == "4"
    # collectives, not people: how many members of a collective voted shows only with [publish] members
    rows = list(csv.DictReader(io.StringIO(cli(root, "decisions", "--format", "csv", now=AFTER))))
    mine = [r for r in rows if r["motion"] == "paper-rota" and r["collective"]]
    assert {r["collective"]: r["vote"] for r in mine}["mexico"] == "for"
    assert all(r["for"] == "" for r in mine)
    assert all("members" not in c and "for" not in c for c in ours["collectives"])

    # 4. The commitment it created names its decision
    listed = json.loads(cli(root, "commitments", "--format", "json", now=AFTER, code=0))
    flat = json.dumps(listed)
    assert '"id": "ic-2026-12-rota-weeks"' in flat
    (task,) = [s for s in _dicts(listed) if s.get("id") == "ic-2026-12-rota-weeks"]
    assert task["decision"] == 1

    # 5. The first meeting after the review date (1 February) lists it on its agenda; not before
    repo.write(f"{IC}/meetings/ic-2027-03.toml", NEXT_MEETING)
    repo.commit("the March committee")
    agenda = json.loads(cli(root, "agenda", "ic-2027-03", "--format", "json", now=AFTER))
    (review,) = agenda["reviews"]
    assert (review["meeting"], review["motion"], review["review"]) == ("ic-2026-12", "paper-rota", "2027-02-01")
    assert "Decisions to review" in cli(root, "agenda", "ic-2027-03", now=AFTER)
    assert "Decisiones para revisar" in cli(root, "agenda", "ic-2027-03", "--lang", "es", now=AFTER)
    repo.write(f"{IC}/meetings/ic-2027-01.toml", NEXT_MEETING.replace("2027-03-13", "2027-01-16"))
    assert json.loads(cli(root, "agenda", "ic-2027-01", "--format", "json", now=AFTER))["reviews"] == []
