"""Text -> normalized text + an offset map back to the original.

Normalization is one-to-one character translation (full-width -> half-width, traditional ->
simplified) followed by deletions (page footers, pinyin readings, spaces, line breaks inside a
word). Deletions only remove characters, so the map is piecewise linear: a list of chunks,
each (start in normalized text, start in original text).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

import opencc
import regex

from targets.core.schema import Examples, Pattern, Strict


class Deletion(Strict):
    id: str
    pattern: Pattern


class Normalize(Examples):
    """normalize.toml: what is deleted, and between which characters a line break is joined."""
    delete: list[Deletion]
    join_between: Pattern

# Full-width ASCII (！ to ～) and the ideographic space become their half-width forms.
FULL_TO_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Normalized:
    """Normalized text and, chunk by chunk, where each piece stands in the original."""

    text: str
    norm_starts: list[int]
    orig_starts: list[int]

    def to_orig(self, i: int) -> int:
        """Original offset of normalized offset i (i == len(text) maps past the end)."""
        k = bisect.bisect_right(self.norm_starts, i) - 1
        return self.orig_starts[k] + (i - self.norm_starts[k])

    def span_to_orig(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of a non-empty normalized span."""
        return self.to_orig(start), self.to_orig(end - 1) + 1


def simplify(text: str) -> str:
    """Full-width to half-width and traditional to simplified, character for character.

    >>> simplify("協同發展：２０２５年")
    '协同发展:2025年'
    """
    # str.translate looks every character up (slow on CJK text): replace only those present.
    for c in set(_FULL_WIDTH.findall(text)):
        text = text.replace(c, chr(FULL_TO_HALF[ord(c)]))
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # OpenCC changed a length (a phrase mapping): fall back to a character-wise conversion.
    return "".join(c if len(s := _t2s().convert(c)) != 1 else s for c in text)


def _deletion_pattern(rules) -> regex.Pattern:
    parts = [f"(?P<{d.id}>{d.pattern})" for d in rules.normalize.delete]
    parts.append(r"(?P<line_break>[ \t\u00a0\u3000]*\n[\s]*)")
    return rules.rx("|".join(parts))


def _breaks_a_word(text: str, start: int, end: int, joinable: regex.Pattern) -> bool:
    """A line break between two word characters, outside tables, is an artefact of layout."""
    if start == 0 or end >= len(text):
        return False
    if not (joinable.match(text[start - 1]) and joinable.match(text[end])):
        return False
    line_before = text[text.rfind("\n", 0, start) + 1:start]
    line_after_end = text.find("\n", end)
    line_after = text[end:line_after_end if line_after_end >= 0 else len(text)]
    return "\t" not in line_before and "\t" not in line_after


def normalize(original: str, rules) -> Normalized:
    """Normalize a decoded text, keeping the offset map back to it."""
    text = simplify(original)
    joinable = rules.rx(rules.normalize.join_between)
    pieces: list[str] = []
    norm_starts, orig_starts = [0], [0]
    pos = produced = 0
    for m in _deletion_pattern(rules).finditer(text):
        if m.lastgroup == "line_break" and not _breaks_a_word(text, m.start(), m.end(), joinable):
            continue
        pieces.append(text[pos:m.start()])
        produced += m.start() - pos
        pos = m.end()
        norm_starts.append(produced)
        orig_starts.append(pos)
    pieces.append(text[pos:])
    return Normalized("".join(pieces), norm_starts, orig_starts)
