"""Build a corpus case: the small valid organisation in base/ with a case's changes applied.

A case changes files under collectives/ (paths below are relative to it):

    "la/members.toml": "text"            replace the file with this text (str) or these bytes
    "la/members.toml": Sub("a", "b")     edit the base file: replace the first "a" with "b"
    "la/members.toml": (Sub(), Sub())    several edits of one file
    "la/members.toml": Add("text")       append to the base file
    "la/members.toml": None              delete the file or folder
    "la/members.toml": DIR               an empty folder instead
    "la/members.toml": FIFO              a named pipe instead
    "la/members.toml": Link("target")    a symbolic link ("{outside}" = a file outside the repository)
    "la/members.toml": Big(2_000_000)    a file of that many bytes

and says the exact lines `redflag-coord validate` prints (tests/corpus/expected/<id>.txt).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

BASE = Path(__file__).resolve().parent / "base"
EXPECTED = Path(__file__).resolve().parent / "expected"


@dataclass(frozen=True)
class Sub:
    old: str
    new: str


@dataclass(frozen=True)
class Add:
    text: str


@dataclass(frozen=True)
class Link:
    target: str


@dataclass(frozen=True)
class Big:
    size: int


DIR = object()
FIFO = object()  # a named pipe: reading it would wait forever


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, object]
    about: str = ""
    args: tuple[str, ...] = ()  # extra validate options, e.g. ("--strict",) for a warning
    exit_code: int = 1
    needs: str = ""  # a capability the filesystem must have; the case is skipped without it
    extra: dict[str, object] = field(default_factory=dict)


def build(case: Case, tmp: Path) -> Path:
    """Write the case's organisation under tmp; returns its root."""
    root = tmp / "org"
    shutil.copytree(BASE, root, symlinks=True)
    outside = tmp / "outside.toml"
    outside.write_text('name = "Outside"\n', encoding="utf-8")
    base = root / "collectives"
    for rel, content in case.files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Sub):
            content = (content,)
        if isinstance(content, tuple):  # edits of the base file
            text = path.read_text(encoding="utf-8")
            for sub in content:
                if sub.old not in text:
                    raise ValueError(f"case {case.id}: {sub.old!r} is not in {rel}")
                text = text.replace(sub.old, sub.new, 1)
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
            continue
        if isinstance(content, Add):
            with path.open("ab") as f:
                f.write(content.text.encode("utf-8", "surrogatepass"))
            continue
        _remove(path)
        if content is None:
            continue
        if content is DIR:
            path.mkdir()
        elif content is FIFO:
            os.mkfifo(path)
        elif isinstance(content, Link):
            os.symlink(content.target.replace("{outside}", str(outside)), path)
        elif isinstance(content, Big):
            path.write_bytes(b"# " + b"x" * (content.size - 3) + b"\n")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(str(content).encode("utf-8", "surrogatepass"))
    return root


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
