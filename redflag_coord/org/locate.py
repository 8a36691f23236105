"""Find where a key path sits in TOML text (line and column, 1-based).

Only used to report a problem, so files are read quickly with tomllib and
located here only when something is wrong. One linear scan records the
position of every key, table header, array-of-tables entry and array element.
"""

from __future__ import annotations

from collections.abc import Sequence

Path = tuple[str | int, ...]
Pos = tuple[int, int]

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)
        self.line_starts = [0]
        for k, ch in enumerate(text):
            if ch == "\n":
                self.line_starts.append(k + 1)
        self.out: dict[Path, Pos] = {}
        self.aot: dict[Path, int] = {}

    # -- positions -------------------------------------------------------
    def pos(self, i: int) -> Pos:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= i:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, i - self.line_starts[lo] + 1

    def mark(self, path: Path, i: int) -> None:
        self.out.setdefault(path, self.pos(i))

    # -- lexing helpers --------------------------------------------------
    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < self.n else ""

    def skip_ws(self, newlines: bool = False) -> None:
        while self.i < self.n:
            c = self.s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#" and newlines:
                self.skip_comment()
            else:
                break

    def skip_comment(self) -> None:
        while self.i < self.n and self.s[self.i] != "\n":
            self.i += 1

    def skip_line(self) -> None:
        self.skip_comment()
        if self.i < self.n:
            self.i += 1

    def string(self) -> str:
        s, q = self.s, self.s[self.i]
        if s.startswith(q * 3, self.i):
            end = s.find(q * 3, self.i + 3)
            while q == '"' and end > 0 and _escaped(s, end):
                end = s.find(q * 3, end + 1)
            if end < 0:
                self.i = self.n
                return ""
            while s.startswith(q, end + 3):  # up to two quotes may close the string
                end += 1
            value = s[self.i + 3 : end]
            self.i = end + 3
            return value
        j = self.i + 1
        buf: list[str] = []
        while j < self.n and s[j] != q and s[j] != "\n":
            if q == '"' and s[j] == "\\" and j + 1 < self.n:
                buf.append(_unescape(s[j + 1]))
                j += 2
                continue
            buf.append(s[j])
            j += 1
        self.i = min(j + 1, self.n)
        return "".join(buf)

    def key(self) -> list[tuple[str, int]]:
        """A dotted key: parts with their start offsets."""
        parts = []
        while self.i < self.n:
            self.skip_ws()
            start = self.i
            c = self.peek()
            if c in "\"'":
                parts.append((self.string(), start))
            else:
                j = self.i
                while j < self.n and self.s[j] in _BARE:
                    j += 1
                if j == self.i:
                    break
                parts.append((self.s[self.i : j], start))
                self.i = j
            self.skip_ws()
            if self.peek() == ".":
                self.i += 1
                continue
            break
        return parts

    # -- values ------------------------------------------------------------
    def value(self, path: Path) -> None:
        c = self.peek()
        if c in "\"'":
            self.string()
        elif c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        else:
            while self.i < self.n and self.s[self.i] not in ",]}\n#":
                self.i += 1

    def array(self, path: Path) -> None:
        self.i += 1
        k = 0
        while self.i < self.n:
            self.skip_ws(newlines=True)
            if self.peek() == "]":
                self.i += 1
                return
            if self.peek() == ",":
                self.i += 1
                continue
            if not self.peek():
                return
            self.mark(path + (k,), self.i)
            before = self.i
            self.value(path + (k,))
            k += 1
            if self.i == before:
                self.i += 1

    def inline_table(self, path: Path) -> None:
        self.i += 1
        while self.i < self.n:
            self.skip_ws()
            c = self.peek()
            if c in "}\n" or not c:
                self.i += c == "}"
                return
            if c == ",":
                self.i += 1
                continue
            before = self.i
            self.keyval(path)
            if self.i == before:
                self.i += 1

    def keyval(self, table: Path) -> None:
        parts = self.key()
        if not parts:
            self.skip_line()
            return
        full = table
        for name, start in parts:
            full = full + (name,)
            self.mark(full, start)
        self.skip_ws()
        if self.peek() == "=":
            self.i += 1
            self.skip_ws()
            self.value(full)

    # -- document ----------------------------------------------------------
    def header(self) -> Path:
        start = self.i
        is_aot = self.s.startswith("[[", self.i)
        self.i += 2 if is_aot else 1
        parts = self.key()
        resolved: Path = ()
        for idx, (name, _) in enumerate(parts):
            resolved = resolved + (name,)
            last = idx == len(parts) - 1
            if last and is_aot:
                n = self.aot.get(resolved, -1) + 1
                self.aot[resolved] = n
                self.mark(resolved, start)
                resolved = resolved + (n,)
            elif resolved in self.aot:
                resolved = resolved + (self.aot[resolved],)
            self.mark(resolved, start)
        self.skip_line()
        return resolved

    def document(self) -> dict[Path, Pos]:
        table: Path = ()
        while self.i < self.n:
            self.skip_ws(newlines=True)
            if self.i >= self.n:
                break
            if self.peek() == "[":
                table = self.header()
            else:
                before = self.i
                self.keyval(table)
                self.skip_ws()
                if self.peek() == "#":
                    self.skip_comment()
                if self.i == before:
                    self.skip_line()
        return self.out


def _escaped(s: str, i: int) -> bool:
    k, j = 0, i - 1
    while j >= 0 and s[j] == "\\":
        k += 1
        j -= 1
    return k % 2 == 1


def _unescape(c: str) -> str:
    return {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r", "b": "\b", "f": "\f"}.get(c, c)


def positions(text: str) -> dict[Path, Pos]:
    """Every key path in a TOML document mapped to its (line, column)."""
    try:
        return _Scanner(text).document()
    except RecursionError:
        return {}


def locate(text: str, path: Sequence[str | int], table: dict[Path, Pos] | None = None) -> Pos:
    """The position of `path`, or of its nearest located ancestor; (1, 1) if none."""
    table = positions(text) if table is None else table
    p = tuple(path)
    while p:
        if p in table:
            return table[p]
        p = p[:-1]
    return (1, 1)
