"""Characters drawn as nothing: the one table that textcheck (every text value) and the model (handles) read."""

from __future__ import annotations

import re
import unicodedata

# Default-ignorable code points (Unicode DerivedCoreProperties): drawn as nothing, so "Ro\u200bsa"
# looks like "Rosa". Bidi marks (ALM, LRM, RLM) are among them.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def invisible_at(text: str) -> int | None:
    """Where the first invisible (default-ignorable) character is, or None.

    Emoji sequences keep theirs: a variation selector after a symbol, a ZWJ between symbols.
    """
    for m in INVISIBLE.finditer(text):
        i, ch = m.start(), m.group()
        before = unicodedata.category(text[i - 1]) if i else ""
        after = text[i + 1 : i + 2]
        if ch in "\ufe0e\ufe0f" and before == "So":
            continue
        if (
            ch == "\u200d"
            and (before == "So" or text[i - 1 : i] == "\ufe0f")
            and after
            and unicodedata.category(after) == "So"
        ):
            continue
        return i
    return None
