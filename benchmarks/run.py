"""Benchmarks for redflag-coord: prints a Markdown table of every figure with its ratio.

    python benchmarks/run.py                       # sizes 100, 1000, 10000; 5 runs each
    python benchmarks/run.py --curve               # also 50,000 files, to show the growth
    python benchmarks/run.py --sizes 100 --repeat 1 --no-peers   # the quick check CI runs

Every figure is the median of --repeat runs of a command in a fresh process, and
its reference (the floor, a peer, `python -c "import typer"`) is timed in the same
loop, run for run, so a busy machine slows both alike and the ratio holds.
Organisations are generated (benchmarks/generate.py) into a temporary folder
that is deleted afterwards (--keep to keep it).

The floor is benchmarks/floor.py: find, read and tomllib-parse the same files
in one process. Peers check the same files against JSON Schemas generated from
redflag_coord.org.model: taplo (Rust) and check-jsonschema (Python), when installed
(`pip install taplo check-jsonschema`). Commands that are not there yet
(agenda, calendar, slots, validate --changed) are reported as not available.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import Plan, change_source, generate, generate_sources, plan_for  # noqa: E402

PY = sys.executable
TODAY = "2026-11-27"
ARG_LIMIT = 100_000  # characters of file names per check-jsonschema call
KINDS = {  # kind -> glob from the root (taplo) and the folder pattern (check-jsonschema)
    "collective": "collectives/*/collective.toml",
    "members": "collectives/*/members.toml",
    "relationships": "collectives/*/relationships.toml",
    "meeting": "collectives/*/meetings/*.toml",
    "report": "collectives/*/reports/*.toml",
}


@dataclass
class Row:
    figure: str
    files: str
    value: float | None  # seconds (or MiB for memory)
    ref_name: str
    ref: float | None
    target: str = ""
    note: str = ""
    unit: str = "s"
    cpu: float | None = None  # CPU seconds (user + system) of the command and its worker processes
    ref_cpu: float | None = None

    @property
    def ratio(self) -> str:
        if self.value is None or not self.ref:
            return "–"
        return f"{self.value / self.ref:.2f}×"

    @property
    def cpu_ratio(self) -> str:
        if self.cpu is None or not self.ref_cpu:
            return "–"
        return f"{self.cpu / self.ref_cpu:.2f}×"

    def cells(self) -> list[str]:
        return [
            self.figure,
            self.files,
            _fmt(self.value, self.unit),
            self.ref_name,
            _fmt(self.ref, self.unit),
            self.ratio,
            self.cpu_ratio,
            self.target,
            self.note,
        ]


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "–"
    if unit == "MiB":
        return f"{v:.0f} MiB"
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s"


@dataclass
class Env:
    cli: list[str]
    peers: bool
    commands: set[str] = field(default_factory=set)
    validate_help: str = ""

    def has(self, command: str) -> bool:
        return command in self.commands


# -- running things ---------------------------------------------------------------


class Failed(Exception):
    pass


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None, ok=(0,)) -> tuple[float, float]:
    """Wall and CPU time (of the process and those it waited for) of one run of a command.

    Raises Failed if it exits with another code."""
    cpu = _children_cpu()
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if p.returncode not in ok:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Failed(f"exit {p.returncode}: {(err[-1] if err else '')[:160]}")
    return elapsed, _children_cpu() - cpu


CPU: dict[str, float] = {}  # median CPU seconds of the last timed() call, by name


def timed(
    commands: dict[str, list[list[str]] | None],
    repeat: int,
    cwd: Path | None = None,
    env: dict | None = None,
    ok: dict[str, tuple[int, ...]] | None = None,
) -> dict[str, float | str]:
    """Median wall seconds per named command (a list of processes run one after the other), interleaved.

    The median CPU seconds go to CPU[name]; a failure is its message instead of a number."""
    times: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    out: dict[str, float | str] = {}
    for _ in range(repeat):
        for name, procs in commands.items():
            if procs is None or name in out:
                continue
            try:
                runs = [run(p, cwd, env, (ok or {}).get(name, (0,))) for p in procs]
            except Failed as e:
                out[name] = str(e)
                continue
            times[name].append(sum(w for w, _ in runs))
            cpus[name].append(sum(c for _, c in runs))
    for name, ts in times.items():
        if name not in out and ts:
            out[name] = statistics.median(ts)
            CPU[name] = statistics.median(cpus[name])
    return out


def peak_mib(cmd: list[str], env: dict | None = None) -> float:
    """Peak resident memory of a command and of the processes it starts (the largest of them)."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PY, "-c", probe, *cmd], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024  # KiB on Linux


def cli_command() -> list[str]:
    script = Path(PY).parent / "redflag-coord"
    return [str(script)] if script.exists() else [PY, "-m", "redflag_coord"]


def probe_env(peers: bool) -> Env:
    cli = cli_command()
    env = Env(cli, peers)
    help_text = subprocess.run([*cli, "--help"], capture_output=True, text=True).stdout
    in_commands = False
    for line in help_text.splitlines():  # click lists them under "Commands:", two spaces in
        if line.strip().rstrip(":").lower() == "commands":
            in_commands = True
        elif in_commands and line.startswith("  ") and line.strip():
            env.commands.add(line.split()[0])
        elif in_commands and line.strip() and not line.startswith(" "):
            in_commands = False
    env.validate_help = subprocess.run([*cli, "validate", "--help"], capture_output=True, text=True).stdout
    return env


def base_env() -> dict:
    env = dict(os.environ)
    env["REDFLAG_TODAY"] = TODAY
    env.pop("REDFLAG_ROOT", None)
    env.pop("REDFLAG_WORKERS", None)
    # Installed programs run from their compiled bytecode; with this set, every run would compile the
    # tool's modules again while the floor (typer, from site-packages) is compiled already.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Every figure is of a first (cold) run unless its row says warm (cache_rows): no cache read or kept.
    env["REDFLAG_NO_CACHE"] = "1"
    return env


def compile_once() -> None:
    """Bytecode for the tool's modules before any timing, as an installed copy has (pip compiles them)."""
    import compileall

    import redflag_coord

    compileall.compile_dir(Path(redflag_coord.__file__).parent, quiet=1)


# -- peers ----------------------------------------------------------------------------------


def tool(name: str) -> str | None:
    local = Path(PY).parent / name
    return str(local) if local.exists() else shutil.which(name)


def write_schemas(folder: Path) -> dict[str, Path]:
    """JSON Schemas by alias from the models; local date-times lose format 'date-time' for taplo."""
    from redflag_coord.org.model import FILE_MODELS

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for kind, model in FILE_MODELS.items():
        text = json.dumps(model.model_json_schema(by_alias=True), indent=1)
        # A TOML local date-time has no offset, which RFC 3339 'date-time' (taplo's check) requires.
        text = text.replace('"format": "date-time",', "")
        out[kind] = folder / f"{kind}.json"
        out[kind].write_text(text, encoding="utf-8")
    return out


def taplo_config(folder: Path, schemas: dict[str, Path]) -> Path:
    lines = ['include = ["collectives/**/*.toml"]']
    for kind, pattern in KINDS.items():
        lines += ["", "[[rule]]", f'include = ["{pattern}"]', "[rule.schema]", f'path = "{schemas[kind].as_uri()}"']
    path = folder / "taplo.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def peer_commands(root: Path, work: Path) -> dict[str, list[list[str]] | None]:
    schemas = write_schemas(work / "schemas")
    taplo, cjs = tool("taplo"), tool("check-jsonschema")
    out: dict[str, list[list[str]] | None] = {"taplo": None, "check-jsonschema": None}
    if taplo:
        out["taplo"] = [[taplo, "check", "--no-auto-config", "--config", str(taplo_config(work, schemas))]]
    if cjs:
        procs = []
        for kind, pattern in KINDS.items():
            files = sorted(str(p.relative_to(root)) for p in root.glob(pattern))
            batch: list[str] = []
            for f in files + [None]:  # type: ignore[list-item]
                if f is None or sum(map(len, batch)) + len(f) > ARG_LIMIT:
                    if batch:
                        procs.append([cjs, "--schemafile", str(schemas[kind]), *batch])
                    batch = []
                if f is not None:
                    batch.append(f)
        out["check-jsonschema"] = procs
    return out


# -- the figures ---------------------------------------------------------------------------


def cold_start(env: Env, repeat: int) -> list[Row]:
    t = timed(
        {"help": [[*env.cli, "--help"]], "version": [[*env.cli, "--version"]], "typer": [[PY, "-c", "import typer"]]},
        max(repeat, 5),
        env=base_env(),
    )
    ref, cpu = _num(t["typer"]), dict(CPU)
    return [
        Row(
            f"`redflag-coord {flag}` (cold start)",
            "–",
            _num(t[name]),
            '`python -c "import typer"`',
            ref,
            "≤ 1.3×" if flag == "--help" else "≤ 2.5×",
            _err(t[name]),
            cpu=cpu.get(name),
            ref_cpu=cpu.get("typer"),
        )
        for name, flag in (("help", "--help"), ("version", "--version"))
    ]


REPO = HERE.parent
IDENTITY = REPO / "tests" / "keys" / "demo-identity.txt"  # the example's demo key (tests/keys/README.md)


def example_commands(work: Path) -> list[tuple[str, list[str], str]]:
    """(label, arguments, target) for every command on the example organisation at the repository root."""
    key = ["--identity", str(IDENTITY)]
    out = work / "example-out"
    return [
        ("`validate`", ["validate"], "≤ 2.5×"),
        ("`agenda ic-2026-12`", ["agenda", "ic-2026-12"], "≤ 2.5×"),
        ("`summary`", ["summary"], "≤ 2.5×"),
        ("`network`", ["network"], "≤ 2.5×"),
        ("`slots ic-2026-12`", ["slots", "ic-2026-12"], "≤ 2.5×"),
        (
            "`invite ic-2026-12`",
            ["invite", "ic-2026-12", "--method", "none", "--output", str(out / "i.ics"), "--force"],
            "≤ 2.5×",
        ),
        ("`calendar`", ["calendar"], "≤ 2.5×"),
        ("`report status ic-2026-12`", ["report", "status", "ic-2026-12"], "≤ 2.5×"),
        ("`fmt --check`", ["fmt", "--check"], "≤ 2.5×"),
        ("`schema`", ["schema"], "≤ 2.5×"),
        ("`minutes show ic-2026-06` (new)", ["minutes", "show", "ic-2026-06"], "≤ 2.5×"),
        ("`commitments` (new)", ["commitments"], "≤ 2.5×"),
        ("`publish DIR` (new, whole site)", ["publish", str(out / "site")], "≤ 2.5×"),
        ("`agenda` with the demo identity (new: encrypted read)", ["agenda", "ic-2026-12", *key], "≤ 2.5×"),
        ("`network` with the demo identity (new: encrypted read)", ["network", *key], "≤ 2.5×"),
        ("`secrets show los-angeles` (new: encrypted read)", ["secrets", "show", "los-angeles", *key], "≤ 2.5×"),
        # issue 35: the commands that load only what they read, each against the same floor
        ("`commitments india` (issue 35)", ["commitments", "india"], "≤ 2×"),
        ("`decisions` (issue 35)", ["decisions"], "≤ 2×"),
        ("`articles status` (issue 35)", ["articles", "status"], "≤ 2×"),
        ("`network mexico` (issue 35)", ["network", "mexico"], "≤ 2×"),
        ("`calendar india` (issue 35)", ["calendar", "india"], "≤ 2×"),
    ]


def example_rows(env: Env, repeat: int, work: Path) -> list[Row]:
    """Every command on the example organisation against the floor of a typer program, in one loop."""
    listed = example_commands(work)
    commands: dict[str, list[list[str]] | None] = {"typer": [[PY, "-c", "import typer"]]}
    for label, args, _ in listed:
        commands[label] = [[*env.cli, *args]] if env.has(args[0]) else None
    environment = base_env()
    environment.pop("REDFLAG_IDENTITY", None)  # no key unless the row gives one
    files = f"{sum(1 for _ in (REPO / 'collectives').glob('*/**/*.toml'))}"
    (work / "example-out").mkdir(parents=True, exist_ok=True)
    # report status exits 1 while reports are missing or late, as in the example (its exit says so)
    t = timed(commands, repeat, cwd=REPO, env=environment, ok={"`report status ic-2026-12`": (0, 1)})
    ref, cpu = _num(t["typer"]), dict(CPU)
    return [
        Row(
            f"{label} on the example",
            files,
            _num(t.get(label)),
            '`python -c "import typer"`',
            ref,
            target,
            _err(t.get(label)) or ("" if commands[label] else f"not available (`{args[0]}`)"),
            cpu=cpu.get(label),
            ref_cpu=cpu.get("typer"),
        )
        for label, args, target in listed
    ]


FMT_FIGURES = [  # (timed name, figure, note): fmt beside validate at every size
    ("fmt", "`fmt --check` vs `validate`", ""),
    ("fmt-diff", "`fmt --check --diff` vs `validate`", "prints the diff of every file it would change"),
]


def validate_sizes(env: Env, sizes: list[int], repeat: int, work: Path, keep: bool) -> tuple[list[Row], list[tuple]]:
    rows, growth = [], []
    for size in sizes:
        root = work / f"org-{size}"
        files = generate(root, plan_for(size), seed=size)
        reps = repeat if size <= 10_000 else max(1, min(repeat, 3))
        cmds: dict[str, list[list[str]] | None] = {
            "validate": [[*env.cli, "validate", str(root)]],
            "floor": [[PY, str(HERE / "floor.py"), str(root)]],
            "fmt": [[*env.cli, "fmt", "--check", "--root", str(root)]],
            "fmt-diff": [[*env.cli, "fmt", "--check", "--diff", "--root", str(root)]],
        }
        if size == 10_000 or (size == max(sizes) and size < 10_000):
            cmds["serial"] = [[*env.cli, "validate", str(root)]]
        peers = peer_commands(root, work / f"peers-{size}") if env.peers and size <= 10_000 else {}
        cmds.update(peers)
        t = timed(  # peers: paths from root; fmt --check exits 1 on the files it would reformat
            {k: v for k, v in cmds.items() if k != "serial"},
            reps,
            cwd=root,
            env=base_env(),
            ok={"fmt": (0, 1), "fmt-diff": (0, 1)},
        )
        cpu = dict(CPU)
        if "serial" in cmds:
            serial_env = {**base_env(), "REDFLAG_WORKERS": "1"}
            t.update(timed({"serial": cmds["serial"], "floor-2": cmds["floor"]}, reps, env=serial_env))
            cpu.update(CPU)
        label = f"{files:,}"
        v, floor = _num(t["validate"]), _num(t["floor"])
        rows.append(
            Row(
                "`validate` vs the floor",
                label,
                v,
                "read + tomllib parse (floor.py)",
                floor,
                "≤ 0.5× at 10,000 (two cores)",
                _err(t["validate"]) or _err(t["floor"]),
                cpu=cpu.get("validate"),
                ref_cpu=cpu.get("floor"),
            )
        )
        for name, figure, note in FMT_FIGURES:
            rows.append(
                Row(
                    figure,
                    label,
                    _num(t[name]),
                    "`validate` of the same files",
                    v,
                    "≤ 1.5× at 10,000",
                    _err(t[name]) or note,
                    cpu=cpu.get(name),
                    ref_cpu=cpu.get("validate"),
                )
            )
        if "serial" in t:
            rows.append(
                Row(
                    "`validate`, one process (REDFLAG_WORKERS=1)",
                    label,
                    _num(t["serial"]),
                    "read + tomllib parse (floor.py)",
                    _num(t["floor-2"]),
                    "",
                    _err(t["serial"]),
                    cpu=cpu.get("serial"),
                    ref_cpu=cpu.get("floor-2"),
                )
            )
        for peer in ("taplo", "check-jsonschema"):
            if not env.peers:
                continue
            if size > 10_000:
                continue
            if peers.get(peer) is None:
                rows.append(
                    Row(
                        f"`validate` vs {peer}",
                        label,
                        v,
                        f"{peer} (not installed)",
                        None,
                        "",
                        f"`pip install {peer}` to compare",
                    )
                )
            else:
                rows.append(
                    Row(
                        f"`validate` vs {peer}",
                        label,
                        v,
                        f"{peer} with the JSON Schemas",
                        _num(t[peer]),
                        "≤ 1.0×" if peer == "taplo" and size == 10_000 else "",
                        _err(t[peer]) or "schema only: no cross-file check",
                        cpu=cpu.get("validate"),
                        ref_cpu=cpu.get(peer),
                    )
                )
        if v is not None and floor is not None:
            growth.append((files, v / files * 1000, floor / files * 1000, cpu["validate"] / files * 1000))
        if not keep and size != 10_000:
            shutil.rmtree(root, ignore_errors=True)
    return rows, growth


def cache_rows(env: Env, work: Path, size: int, repeat: int) -> list[Row]:
    """The cache of checked files (docs/cache.md): `validate` with a warm cache and one report changed
    before each run, against `validate --no-cache` run for run; and the pre-commit hooks (`validate`,
    `validate --changed`) on one changed report in a git repository, warm."""
    root = work / f"org-cache-{size}"
    files = generate(root, plan_for(size), seed=size)
    warm = {**base_env(), "XDG_CACHE_HOME": str(work / "xdg-cache")}
    warm.pop("REDFLAG_NO_CACHE")
    git = {**warm, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.org"}
    git.update(GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.org")
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "org"]):
        subprocess.run(cmd, cwd=root, env=git, check=True, capture_output=True)
    report = sorted(root.glob("collectives/*/reports/*.toml"))[len(KINDS)]
    text = report.read_text(encoding="utf-8")
    validate = [*env.cli, "validate", str(root)]
    cold_fill = run(validate, env=warm)[0]  # fills the cache (and files settle, so their stat is kept)
    run(validate, env=warm)
    times: dict[str, list[float]] = {"warm": [], "cold": [], "hook": [], "changed": [], "agenda": []}
    cpus: dict[str, list[float]] = {k: [] for k in times}
    cmds = {
        "warm": (validate, None, warm),
        "cold": ([*env.cli, "--no-cache", "validate", str(root)], None, warm),
        "hook": ([*env.cli, "validate"], root, git),
        "changed": ([*env.cli, "validate", "--changed"], root, git),
        "agenda": ([*env.cli, "agenda", "m00000", "--root", str(root)], None, warm),  # filled by the runs above
    }
    try:
        for i in range(repeat):
            report.write_text(re.sub(r"(?m)^recruits = \d+$", f"recruits = {i + 1}", text), encoding="utf-8")
            for name, (cmd, cwd, e) in cmds.items():
                wall, used = run(cmd, cwd=cwd, env=e)
                times[name].append(wall)
                cpus[name].append(used)
    except Failed as e:
        return [Row("`validate`, warm cache, one file changed", f"{files:,}", None, "", None, "", str(e))]
    med = {k: statistics.median(v) for k, v in times.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    ref = "`validate --no-cache` (cold)"
    return [
        Row(
            "`validate`, warm cache, one report changed",
            f"{files:,}",
            med["warm"],
            ref,
            med["cold"],
            "≤ 0.25×",
            f"filling an empty cache: {cold_fill:.2f} s",
            cpu=cpu["warm"],
            ref_cpu=cpu["cold"],
        ),
        Row(
            "pre-commit hook `validate`, one changed report, warm",
            f"{files:,}",
            med["hook"],
            ref,
            med["cold"],
            "≤ 0.5 s",
            cpu=cpu["hook"],
            ref_cpu=cpu["cold"],
        ),
        Row(
            "pre-commit hook `validate --changed`, one changed report, warm",
            f"{files:,}",
            med["changed"],
            ref,
            med["cold"],
            "≤ 0.5 s",
            cpu=cpu["changed"],
            ref_cpu=cpu["cold"],
        ),
        Row(
            "`agenda` of one meeting, warm cache, one report changed",
            f"{files:,}",
            med["agenda"],
            ref,
            med["cold"],
            "≤ 0.2×, ≤ 0.3 s",
            cpu=cpu["agenda"],
            ref_cpu=cpu["cold"],
        ),
    ]


def memory(env: Env, work: Path, size: int) -> list[Row]:
    root = work / f"org-{size}"
    if not root.exists():
        generate(root, plan_for(size), seed=size)
    files = sum(1 for _ in root.glob("collectives/**/*.toml"))
    v = peak_mib([*env.cli, "validate", str(root)], base_env())
    f = peak_mib([PY, str(HERE / "floor.py"), str(root)], base_env())
    return [Row("peak memory of `validate` (largest process)", f"{files:,}", v, "floor.py", f, "≤ 40 MiB", "", "MiB")]


def hostile_rows(corpus: bool) -> list[Row]:
    """`fmt` and `validate` on hostile input (benchmarks/hostile.py): worst CPU time and peak memory."""
    import hostile

    results = hostile.run_all(corpus)
    what = "pathological files" + (" + corpus" if corpus else "")
    rows = []
    for command in ("validate", "fmt"):
        _, busy, big = hostile.worst(results, command)
        n = sum(m.command == command for m in results)
        rows.append(
            Row(f"`{command}` on hostile input, worst CPU time", f"{n} {what}", busy.cpu, "", None, "≤ 2 s", busy.case)
        )
        rows.append(
            Row(
                f"`{command}` on hostile input, peak memory",
                f"{n} {what}",
                big.mib,
                "",
                None,
                "≤ 300 MiB",
                big.case,
                "MiB",
            )
        )
    return rows


def changed(env: Env, work: Path, size: int, repeat: int) -> list[Row]:
    label = f"{size:,}"
    if "--changed" not in env.validate_help:
        return [
            Row(
                "`validate --changed`, one file changed",
                label,
                None,
                "full `validate`",
                None,
                "< 0.5 s",
                "not available yet (`validate --changed` is not on this branch)",
            )
        ]
    if shutil.which("git") is None:
        return [
            Row(
                "`validate --changed`, one file changed",
                label,
                None,
                "full `validate`",
                None,
                "< 0.5 s",
                "git not installed",
            )
        ]
    root = work / f"org-{size}"
    if not root.exists():
        generate(root, plan_for(size), seed=size)
    git = {
        **base_env(),
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.org",
    }
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "org"]):
        subprocess.run(cmd, cwd=root, env=git, check=True, capture_output=True)
    report = sorted(root.glob("collectives/*/reports/*.toml"))[len(KINDS)]
    text = report.read_text(encoding="utf-8")
    report.write_text(re.sub(r"(?m)^recruits = \d+$", "recruits = 7", text), encoding="utf-8")  # still valid
    t = timed(
        {"changed": [[*env.cli, "validate", "--changed"]], "full": [[*env.cli, "validate", str(root)]]},
        repeat,
        cwd=root,
        env=git,
    )
    return [
        Row(
            "`validate --changed`, one file changed",
            f"{sum(1 for _ in root.glob('collectives/**/*.toml')):,}",
            _num(t["changed"]),
            "full `validate`",
            _num(t["full"]),
            "< 0.5 s",
            _err(t["changed"]),
            cpu=CPU.get("changed"),
            ref_cpu=CPU.get("full"),
        )
    ]


def command_figure(
    env: Env, work: Path, repeat: int, command: str, figure: str, plan: Plan, args: list[str], target: str = ""
) -> Row:
    if not env.has(command):
        return Row(
            figure,
            f"{plan.files:,}",
            None,
            "`validate` of the same organisation",
            None,
            "",
            f"not available yet (`{command}` is not on this branch)",
        )
    root = work / f"org-{command}"
    files = generate(root, plan, seed=7)
    t = timed(
        {"cmd": [[*env.cli, command, *args, "--root", str(root)]], "validate": [[*env.cli, "validate", str(root)]]},
        repeat,
        env=base_env(),
    )
    shutil.rmtree(root, ignore_errors=True)
    return Row(
        figure,
        f"{files:,}",
        _num(t["cmd"]),
        "`validate` of the same organisation",
        _num(t["validate"]),
        target,
        _err(t["cmd"]) or "includes loading and checking the organisation",
        cpu=CPU.get("cmd"),
        ref_cpu=CPU.get("validate"),
    )


def feed_rows(env: Env, work: Path, repeat: int, meetings: int) -> list[Row]:
    """publish's feeds in one process (benchmarks/feeds.py), beside a whole `validate`, run for run."""
    if not env.has("publish"):
        return []
    root = work / "org-feeds"
    files = generate(root, Plan(collectives=30, meetings=meetings, participants=5, reports=False), seed=7)
    seconds: dict[str, list[float]] = {"validate": [], "all": [], "organisation": [], "collectives": []}
    for _ in range(repeat):
        seconds["validate"].append(run([*env.cli, "validate", str(root)], env=base_env())[0])
        out = subprocess.run(
            [PY, str(HERE / "feeds.py"), str(root)], env=base_env(), capture_output=True, text=True, check=True
        )
        for key, value in json.loads(out.stdout).items():
            if key in seconds:
                seconds[key].append(value)
    shutil.rmtree(root, ignore_errors=True)
    median = {k: statistics.median(v) for k, v in seconds.items()}
    label, ref = f"{files:,}", "`validate` of the same organisation"
    return [
        Row(
            "`publish`: the per-collective feeds together (30)",
            label,
            median["collectives"],
            ref,
            median["validate"],
            "≤ 2×",
            "in one process (benchmarks/feeds.py); they reuse the events the organisation's feed built",
        ),
        Row(
            "`publish`: every feed (the organisation's and 30 collectives')",
            label,
            median["all"],
            ref,
            median["validate"],
            "",
            f"the organisation's feed alone: {median['organisation']:.2f} s",
        ),
    ]


def other_commands(env: Env, work: Path, repeat: int, small: bool = False) -> list[Row]:
    """`small`: a twentieth of the meetings, for the quick run that keeps this script working in CI."""
    from generate import slug_of

    slots_slugs = ",".join(slug_of(i) for i in range(1, 31))
    return [
        command_figure(
            env,
            work,
            repeat,
            "agenda",
            "`agenda`, a meeting of 200 participants with reports",
            plan_for(1000, big_meeting=200),
            ["ic-big"],
        ),
        command_figure(  # issue 35: one meeting's files and what their checks need, not the organisation
            env,
            work,
            repeat,
            "agenda",
            f"`agenda` of one meeting, {1000 if small else 10000:,} files, no cache (cold)",
            plan_for(1000 if small else 10000),
            ["m00000"],
            "≤ 1.1× (≤ 0.2× warm, with the cache)",
        ),
        command_figure(
            env,
            work,
            repeat,
            "slots",
            "`slots`, 30 collectives over 90 days",
            Plan(collectives=31, meetings=30, participants=5),
            ["--collectives", slots_slugs, "--since", "2026-12-01", "--days", "90"],
        ),
    ]


def sources_rows(env: Env, work: Path, sources: int, repeat: int) -> list[Row]:
    """Issue 34 at scale: a committee's repository with `sources` collective repositories (local bare ones,
    benchmarks/generate.py), each figure against the same organisation as one repository, run for run.
    `sources fetch` with one source changed is set against `validate` there (the check every change gets in
    one repository: the pre-commit hook, CI); `agenda` and `report status` against themselves there."""
    if sources <= 0 or not env.has("sources") or shutil.which("git") is None:
        return []
    layout = generate_sources(work / f"sources-{sources}", sources)
    single, committee = layout.single, layout.committee
    label = f"{sources:,} sources ({layout.files:,} files)"
    one_repo = "the same organisation in one repository"
    bench = base_env()
    first = run([*env.cli, "sources", "fetch"], cwd=committee, env=bench)  # the first fetch: every source
    ref = run([*env.cli, "validate", str(single)], env=bench)
    rows = [
        Row(
            f"`sources fetch`, first fetch of all {sources:,} sources",
            label,
            first[0],
            f"`validate`, {one_repo}",
            ref[0],
            "",
            "one run; every source fetched, checked by git, then one `validate` of all",
            cpu=first[1],
            ref_cpu=ref[1],
        )
    ]
    changed = next(s for s in layout.slugs if (single / "collectives" / s / "reports").is_dir())
    fetch_s, fetch_c, val_s, val_c, same_s, same_c = [], [], [], [], [], []
    for n in range(repeat):
        change_source(layout, changed, n + 1)  # a new commit on one source, outside the timing
        w, c = run([*env.cli, "sources", "fetch"], cwd=committee, env=bench)
        fetch_s.append(w)
        fetch_c.append(c)
        w, c = run([*env.cli, "sources", "fetch"], cwd=committee, env=bench)  # again: nothing changed
        same_s.append(w)
        same_c.append(c)
        w, c = run([*env.cli, "validate", str(single)], env=bench)
        val_s.append(w)
        val_c.append(c)
    offered = subprocess.run(
        ["git", "rev-parse", "refs/heads/redflag-shared"], cwd=layout.remotes / f"{changed}.git", capture_output=True
    )
    if offered.stdout.decode().strip() not in (committee / "sources.lock").read_text(encoding="utf-8"):
        raise Failed(f"`sources fetch` did not take {changed}'s new commit")  # a figure of nothing done is no figure
    med = statistics.median
    rows += [
        Row(
            f"`sources fetch`, one of {sources:,} sources changed",
            label,
            med(fetch_s),
            f"`validate`, {one_repo}",
            med(val_s),
            "",
            f"each source's branch read from its folder, one fetch, one `validate`; CPU {med(fetch_c):.2f} s",
            cpu=med(fetch_c),
            ref_cpu=med(val_c),
        ),
        Row(
            f"`sources fetch`, none of {sources:,} sources changed",
            label,
            med(same_s),
            f"`validate`, {one_repo}",
            med(val_s),
            "",
            f"each source's branch read from its folder, nothing else; CPU {med(same_c):.2f} s",
            cpu=med(same_c),
            ref_cpu=med(val_c),
        ),
    ]
    rows.append(_over_transport(env, layout, label, repeat, med(val_s), med(val_c)))
    for command, args in (("agenda", ["m00000"]), ("report", ["status", "m00000"])):
        if not env.has(command):
            continue
        t = timed(
            {
                "committee": [[*env.cli, command, *args, "--root", str(committee)]],
                "single": [[*env.cli, command, *args, "--root", str(single)]],
            },
            repeat,
            env=bench,
        )
        rows.append(
            Row(
                f"`{command} {' '.join(args)}` after `sources fetch`, {sources:,} sources",
                label,
                _num(t["committee"]),
                f"the same command, {one_repo}",
                _num(t["single"]),
                "",
                _err(t["committee"]) or _err(t["single"]) or "no cache (cold); filed dates from each source's history",
                cpu=CPU.get("committee"),
                ref_cpu=CPU.get("single"),
            )
        )
    shutil.rmtree(work / f"sources-{sources}", ignore_errors=True)
    return rows


def _over_transport(env: Env, layout, label: str, repeat: int, ref: float, ref_cpu: float) -> Row:
    """`sources fetch` with nothing changed when every URL is `file://`: git's transport, one `git ls-remote`
    per source (8 at once), as a forge's sources are asked (without the network's wait)."""
    listed = layout.committee / "sources.toml"
    text = listed.read_text(encoding="utf-8")
    listed.write_text(text.replace(f'url = "{layout.remotes}', f'url = "file://{layout.remotes}'), encoding="utf-8")
    try:
        t = timed({"fetch": [[*env.cli, "sources", "fetch"]]}, repeat, cwd=layout.committee, env=base_env())
    finally:
        listed.write_text(text, encoding="utf-8")
    return Row(
        f"`sources fetch`, none of {len(layout.slugs):,} sources changed, `file://` URLs",
        label,
        _num(t["fetch"]),
        "`validate`, the same organisation in one repository",
        ref,
        "",
        _err(t["fetch"]) or "one `git ls-remote` per source (8 at once), as for a forge's URLs, without the network",
        cpu=CPU.get("fetch"),
        ref_cpu=ref_cpu,
    )


def feed_figures(env: Env, work: Path, repeat: int, meetings: int) -> list[Row]:
    """`calendar` and `publish` of many meetings, each beside `validate` of the same organisation."""
    plan = Plan(collectives=30, meetings=meetings, participants=5, reports=False)
    return [
        command_figure(env, work, repeat, "calendar", f"`calendar`, {meetings:,} meetings", plan, [], "≤ 1.5×"),
        command_figure(
            env,
            work,
            repeat,
            "publish",
            f"`publish`, {meetings:,} meetings (whole site: index, agendas, feeds)",
            plan,
            [str(work / "site")],
            "feeds ≤ 2×",
        ),
    ]


def _num(v: float | str | None) -> float | None:
    return v if isinstance(v, float) else None


def _err(v: float | str | None) -> str:
    return v if isinstance(v, str) else ""


# -- output ----------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or model
    try:
        load = " load average {:.1f}, {:.1f}, {:.1f};".format(*os.getloadavg())
    except OSError:
        load = ""
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()};{load} {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


def table(rows: list[Row]) -> str:
    head = ["figure", "files", "redflag-coord", "against", "its time", "ratio", "CPU ratio", "target", "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def growth_table(growth: list[tuple]) -> str:
    """Per file: the whole run divided by the files (start-up included), and the marginal cost of
    the files added since the previous size, which is what must stay flat."""
    lines = [
        "| files | `validate` per file | floor per file | ratio | `validate` per added file | floor per added file |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    previous = None
    for files, v, f, _cpu in growth:
        added = "– | –"
        if previous is not None and files > previous[0]:
            n = files - previous[0]
            added = (
                f"{(v * files - previous[1] * previous[0]) / n:.3f} ms | "
                f"{(f * files - previous[2] * previous[0]) / n:.3f} ms"
            )
        lines.append(f"| {files:,} | {v:.3f} ms | {f:.3f} ms | {v / f:.2f}× | {added} |")
        previous = (files, v, f)
    return "\n".join(lines)


# `--only`: the groups of rows, in the order they run
GROUPS = ("cold_start", "example", "sizes", "changed", "cache", "memory", "other", "feed", "hostile", "sources")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark redflag-coord; prints a Markdown table.")
    ap.add_argument("--sizes", default="100,1000,10000", help="comma-separated file counts (default 100,1000,10000)")
    ap.add_argument("--curve", action="store_true", help="add 50,000 files (slow) to show the growth")
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is shown (default 5)")
    ap.add_argument("--no-peers", dest="peers", action="store_false", help="skip taplo and check-jsonschema")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    ap.add_argument(
        "--hostile-corpus", action="store_true", help="hostile-input rows over tests/corpus too (about 250 runs)"
    )
    ap.add_argument(
        "--only",
        action="append",
        choices=sorted(GROUPS),
        help="run only this group of rows (repeatable): " + ", ".join(sorted(GROUPS)),
    )
    ap.add_argument(
        "--sources",
        type=int,
        help="collective repositories for the sources rows (issue 34; default 2000, 20 when every size is "
        "under 1,000; 0 leaves them out)",
    )
    args = ap.parse_args(argv)
    only = set(args.only or GROUPS)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()} | ({50_000} if args.curve else set()))
    compile_once()
    env = probe_env(args.peers)
    work = args.keep or Path(tempfile.mkdtemp(prefix="redflag-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        rows: list[Row] = []
        growth: list[tuple] = []
        rows += cold_start(env, args.repeat) if "cold_start" in only else []
        rows += example_rows(env, args.repeat, work) if "example" in only else []
        if "sizes" in only:
            size_rows, growth = validate_sizes(env, sizes, args.repeat, work, args.keep is not None)
            rows += size_rows
        big = max([s for s in sizes if s <= 10_000] or [min(sizes)])
        rows += changed(env, work, big, args.repeat) if "changed" in only else []
        rows += cache_rows(env, work, big, args.repeat) if "cache" in only else []
        rows += memory(env, work, big) if "memory" in only else []
        rows += other_commands(env, work, args.repeat, small=max(sizes) < 1000) if "other" in only else []
        if "feed" in only:  # `calendar` and `publish` of many meetings, and publish's feeds in one process
            meetings = 50 if max(sizes) < 1000 else 1000
            rows += feed_figures(env, work, args.repeat, meetings) + feed_rows(env, work, args.repeat, meetings)
        rows += hostile_rows(args.hostile_corpus) if "hostile" in only else []
        many = args.sources if args.sources is not None else (20 if max(sizes) < 1000 else 2000)
        rows += sources_rows(env, work, many, args.repeat) if "sources" in only else []
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Machine: {machine()}\n")
    print(f"Command: `python benchmarks/run.py {' '.join(argv if argv is not None else sys.argv[1:])}`".rstrip() + "\n")
    print(table(rows))
    if growth:
        print("\nGrowth (time per file, median of the same runs):\n")
        print(growth_table(growth))
    return 0


if __name__ == "__main__":
    sys.exit(main())
