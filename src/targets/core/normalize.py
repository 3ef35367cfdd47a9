"""Text -> normalized text + an offset map back to the original.

Normalization is one-to-one character translation (full-width -> half-width, traditional ->
simplified) followed by deletions (page footers, pinyin readings, spaces, line breaks inside a
word, and hard wraps inside a sentence: wraps.py). Deletions only remove characters, so the map is piecewise linear: a list of chunks,
each (start in normalized text, start in original text).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

import opencc
import regex
from pydantic import model_validator

from targets.core.schema import Examples, Pattern, Strict
from targets.core.wraps import Wrap, wrap_breaks


class Deletion(Strict):
    id: str
    pattern: Pattern


class Normalize(Examples):
    """normalize.toml: what is deleted, and between which characters a line break is joined."""
    delete: list[Deletion]
    join_between: Pattern
    keep_after: Pattern  # a line after which a break stays (a heading or title line)
    page_break_min: int  # the shortest line a break across a blank line joins to the next
    runs_on: Pattern  # ... or what such a line holds when it is a sentence begun (，)
    wrap: Wrap  # hard-wrapped lines (a PDF's): see wraps.py
    # Words the traditional-to-simplified conversion gets wrong, each with its right spelling
    # of the same length (the offset map stays one to one).
    respell: dict[str, str] = {}
    # A year written in Chinese digits (二〇三〇年), read digit by digit as numerals.toml's
    # digits say: the same length, so the offset map stays one to one.
    chinese_year: Pattern = "(?!)"
    # Spaces that stand for a comma between two phrases (…达到3000万千瓦 年发电量达到…, as some
    # web copies write): the first becomes a comma, so the phrases are clauses of their own.
    space_break: Pattern = "(?!)"
    space_break_line: int = 40  # the shortest line in which such a space is a comma

    @model_validator(mode="after")
    def _same_lengths(self) -> "Normalize":
        wrong = [k for k, v in self.respell.items() if len(k) != len(v) or not k]
        if wrong:
            raise ValueError(f"respell must keep each word's length: {wrong}")
        return self

# Full-width ASCII (！ to ～) and the ideographic space become their half-width forms.
FULL_TO_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
SENTENCE_ENDS = "。!?！？;；:：”\"）)"  # after full-width forms became half-width, and before


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


def _breaks_a_word(text: str, start: int, end: int, joinable: regex.Pattern,
                   keep_after: regex.Pattern, blank: tuple[int, regex.Pattern]) -> bool:
    """A line break between two word characters, outside tables and not after a heading or
    title line, is an artefact of layout. Across a blank line only a long line, one with a
    clause begun, a number cut from its unit or the last of a wrapped paragraph runs on (a
    page break inside a paragraph); another is a title, a dateline or a breadcrumb."""
    if start == 0 or end >= len(text):
        return False
    if not (joinable.match(text[start - 1]) and joinable.match(text[end])):
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_before = text[line_start:start]
    if keep_after.match(line_before) and _stands_alone(text, line_start):
        return False
    if text.count("\n", start, end) > 1 and not (len(line_before.strip()) >= blank[0]
                                                 or blank[1].search(line_before)
                                                 or text[start - 1].isdigit()  # 1000\n\n辆
                                                 or _ends_a_paragraph_line(text, line_start)):
        return False
    line_after_end = text.find("\n", end)
    line_after = text[end:line_after_end if line_after_end >= 0 else len(text)]
    return "\t" not in line_before and "\t" not in line_after


def _ends_a_paragraph_line(text: str, line_start: int) -> bool:
    """The line at line_start is the last of a paragraph of several (the line before it is not
    blank and ends no sentence): wrapped, where a title is a paragraph of one line."""
    before = text[:max(0, line_start - 1)]
    previous = before[before.rfind("\n") + 1:].rstrip()
    return bool(previous) and previous[-1] not in SENTENCE_ENDS


def _stands_alone(text: str, line_start: int) -> bool:
    """A line stands alone, as a heading or title does, when the text before it (past blank
    lines) ends a sentence or there is none; a short line after a sentence cut by a page break
    (…医疗器械、新\n兴和未来产业产值实\n\n现双500亿元) does not."""
    before = text[:line_start].rstrip()
    return not before or before[-1] in SENTENCE_ENDS


def _break_at_spaces(text: str, rules) -> str:
    """The first of the spaces that stand for a comma becomes one (normalize.toml space_break),
    in a line of at least space_break_line characters that writes two or more: a short line is a
    title, whose parts a space divides (山西新能源装机占比首超煤电 新型能源体系建设全面提速), and
    one stray space (单位地区生产总值 二氧化碳排放) divides no phrases."""
    by_line: dict[int, list[int]] = {}
    for m in rules.rx(rules.normalize.space_break).finditer(text):
        by_line.setdefault(text.rfind("\n", 0, m.start()) + 1, []).append(m.start())
    commas = [pos for start, spaces in by_line.items() if len(spaces) > 1
              and _line_end(text, start) - start >= rules.normalize.space_break_line for pos in spaces]
    if not commas:
        return text
    # One character for one: the offset map is untouched.
    cuts = [0, *sorted(commas), len(text)]
    return ",".join(text[a + (a > 0):b] for a, b in zip(cuts, cuts[1:]))


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return end if end >= 0 else len(text)


def normalize(original: str, rules) -> Normalized:
    """Normalize a decoded text, keeping the offset map back to it."""
    text = simplify(original)
    for wrong, right in rules.normalize.respell.items():
        if wrong in text:
            text = text.replace(wrong, right)
    text = _break_at_spaces(text, rules)
    digits = rules.numerals.digits
    text = rules.rx(rules.normalize.chinese_year).sub(
        lambda m: "".join(str(digits[c]) for c in m.group()), text)
    joinable = rules.rx(rules.normalize.join_between)
    keep_after = rules.rx(rules.normalize.keep_after)
    blank = (rules.normalize.page_break_min, rules.rx(rules.normalize.runs_on))
    wraps = wrap_breaks(text, rules.normalize.wrap, rules.rx)
    pieces: list[str] = []
    norm_starts, orig_starts = [0], [0]
    pos = produced = 0
    for m in _deletion_pattern(rules).finditer(text):
        if (m.lastgroup == "line_break"
                and not _breaks_a_word(text, m.start(), m.end(), joinable, keep_after, blank)
                and text.index("\n", m.start()) not in wraps):
            continue
        pieces.append(text[pos:m.start()])
        produced += m.start() - pos
        pos = m.end()
        norm_starts.append(produced)
        orig_starts.append(pos)
    pieces.append(text[pos:])
    return Normalized("".join(pieces), norm_starts, orig_starts)
