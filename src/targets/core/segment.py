"""Normalized document text -> sentences and tables, with their offsets.

A sentence ends at 。！？ or a line break; lines with two or more tabs are table rows, and
consecutive ones form a table. Splitting a file into documents is documents.py's job.
"""
from __future__ import annotations

from dataclasses import dataclass

import bisect

import regex

SENTENCE = regex.compile(r"[^。!?！？\n]+[。!?！？]*")
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
    return [Sentence(start + offset, end + offset, line[start:end])
            for m in SENTENCE.finditer(line) if m.group().strip()
            for a, b in _cut(m.start(), m.end(), offset, cuts)
            for start, end in _pieces(line, a, b) if line[start:end].strip()]


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
