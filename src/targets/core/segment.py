"""Normalized document text -> sentences and tables, with their offsets.

A sentence ends at 。！？ or a line break; lines with two or more tabs are table rows, and
consecutive ones form a table. Splitting a file into documents is documents.py's job.
"""
from __future__ import annotations

from dataclasses import dataclass

import bisect

import regex

STOPS = "。!?！？"  # (and the line break) end a sentence
SENTENCE = regex.compile(rf"[^{STOPS}\n]+[{STOPS}]*")
_LAST_STOP = regex.compile(rf"[{STOPS}]", regex.REVERSE)
# A "sentence" longer than this (text with no 。: a 100 MB file on one line) is cut, at the last
# clause or word break of its second half: each number of a sentence rescans its clause, so one
# endless sentence makes time quadratic and every target's `sentence` a copy of all of it.
# The longest in the corpus is a table of contents of 6,969 characters; its longest with a
# target has 317.
SENTENCE_MAX = 2_000
_BREAK = regex.compile(r"[,;:，；：\s]")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Table:
    """Consecutive tab-separated lines: (offset of the line, its cells)."""

    rows: list[tuple[int, list[str]]]


@dataclass(frozen=True)
class Gap:
    """[start, end) of a text: whole sentences (no table) left unsegmented, as no position
    asked for falls in them; `sentences_in` gives them when they are needed after all."""

    start: int
    end: int


def is_table_line(line: str) -> bool:
    return line.count("\t") >= 2


def blocks(text: str, cuts: list[int] = ()) -> list[Sentence | Table]:
    """The sentences and tables of a text, in order; a sentence is also cut at each of `cuts`
    (sorted offsets: where a heading starts and where its title ends)."""
    out: list[Sentence | Table] = []
    pos = 0
    rows: list[tuple[int, list[str]]] = []
    for line in text.split("\n"):
        if is_table_line(line):
            rows.append((pos, line.split("\t")))
        elif rows and not line.strip():
            pass  # a blank line inside a table (a page break) does not end it
        else:
            if rows:
                out.append(Table(rows))
                rows = []
            out.extend(sentences(line, pos, cuts))
        pos += len(line) + 1
    if rows:
        out.append(Table(rows))
    return out


def sentences(line: str, offset: int = 0, cuts: list[int] = ()) -> list[Sentence]:
    """Sentences of one line of text, offsets shifted by `offset`, also cut at `cuts` (offsets
    into the whole text, sorted).

    >>> [s.text for s in sentences("到2025年，A达到5%。B达到6%")]
    ['到2025年，A达到5%。', 'B达到6%']
    >>> [s.text for s in sentences("二、主要目标到2025年，A达到5%。", cuts=[6])]
    ['二、主要目标', '到2025年，A达到5%。']
    >>> [len(s.text) for s in sentences("风电达到5万千瓦，" * 500)]
    [1998, 1998, 504]
    """
    return [s for m in SENTENCE.finditer(line) for s in _match_blocks(line, m.start(), m.end(), offset, cuts)]


def _match_blocks(line: str, start: int, end: int, offset: int, cuts: list[int]) -> list[Sentence]:
    """The sentences of one SENTENCE match [start, end) of a line: cut, and in pieces."""
    if not line[start:end].strip():
        return []
    return [Sentence(a + offset, b + offset, line[a:b])
            for c, d in _cut(start, end, offset, cuts)
            for a, b in _pieces(line, c, d) if line[a:b].strip()]


def lazy_blocks(text: str, cuts: list[int], wanted: list[int]) -> list[Sentence | Table | Gap]:
    """blocks(text, cuts), but each run of sentences that holds none of the `wanted` positions
    (sorted) is one Gap, not segmented: most sentences of a document hold no number.

    >>> [b.text if isinstance(b, Sentence) else b for b in lazy_blocks("甲。乙达到5%。丙。\\n丁。", [], [4])]
    [Gap(start=0, end=2), '乙达到5%。', Gap(start=8, end=13)]
    """
    out: list[Sentence | Table | Gap] = []
    rows: list[tuple[int, list[str]]] = []
    gap = None  # where the current run of unsegmented text began
    pos = k = 0
    for line in text.split("\n"):
        while k < len(wanted) and wanted[k] < pos:
            k += 1  # (a position in a table row or a blank line)
        if is_table_line(line):
            if gap is not None:
                out.append(Gap(gap, pos))
                gap = None
            rows.append((pos, line.split("\t")))
        elif not (rows and not line.strip()):
            if rows:
                out.append(Table(rows))
                rows = []
            cursor = 0
            while k < len(wanted) and wanted[k] < pos + len(line):
                at = _match_at(line, wanted[k] - pos)
                k += 1
                if at is None or at[0] < cursor:
                    continue  # in no sentence, or in the one just taken
                if gap is None and line[cursor:at[0]].strip():
                    gap = pos + cursor
                if gap is not None:
                    out.append(Gap(gap, pos + at[0]))
                    gap = None
                out += _match_blocks(line, at[0], at[1], pos, cuts)
                cursor = at[1]
            if gap is None and line[cursor:].strip():
                gap = pos + cursor
        pos += len(line) + 1
    if rows:
        out.append(Table(rows))
    if gap is not None:
        out.append(Gap(gap, len(text)))
    return out


def _match_at(line: str, i: int) -> tuple[int, int] | None:
    """[start, end) of the SENTENCE match of a line that holds position i, if one does."""
    while i >= 0 and line[i] in STOPS:
        i -= 1  # a stop belongs to the sentence before it
    if i < 0:
        return None  # stops that open the line: in no sentence
    stop = _LAST_STOP.search(line, 0, i)
    start = stop.end() if stop else 0
    return start, SENTENCE.match(line, start).end()


def first_sentence_in(text: str, gap: Gap, cuts: list[int]) -> Sentence | None:
    """The first sentence of a Gap, segmenting no further than it."""
    pos = gap.start
    while pos < gap.end:
        end = text.find("\n", pos, gap.end)
        line = text[pos:gap.end if end < 0 else end]
        for m in SENTENCE.finditer(line):
            found = _match_blocks(line, m.start(), m.end(), pos, cuts)
            if found:
                return found[0]
        pos += len(line) + 1
    return None


def sentences_in(text: str, gap: Gap, cuts: list[int]) -> list[Sentence]:
    """The sentences of a Gap, as blocks() gives them."""
    out, pos = [], gap.start
    for line in text[gap.start:gap.end].split("\n"):
        out += sentences(line, pos, cuts)
        pos += len(line) + 1
    return out


def _cut(start: int, end: int, offset: int, cuts: list[int]) -> list[tuple[int, int]]:
    """[start, end) of a line, split at the cuts that fall inside it."""
    inside = cuts[bisect.bisect_right(cuts, start + offset):bisect.bisect_left(cuts, end + offset)]
    bounds = [start, *(c - offset for c in inside), end]
    return list(zip(bounds, bounds[1:]))


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) in runs of at most SENTENCE_MAX characters, cut after a break if there is one."""
    out = []
    while end - start > SENTENCE_MAX:
        half = start + SENTENCE_MAX // 2
        cut = max((m.end() for m in _BREAK.finditer(text, half, start + SENTENCE_MAX)),
                  default=start + SENTENCE_MAX)
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def cells_with_offsets(row: tuple[int, list[str]]) -> list[tuple[int, str]]:
    """Each cell of a table row with its offset in the text."""
    pos, cells = row
    out = []
    for cell in cells:
        out.append((pos, cell))
        pos += len(cell) + 1
    return out
