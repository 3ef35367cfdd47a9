"""Normalized document text -> sentences and tables, with their offsets.

A sentence ends at 。！？ or a line break; lines with two or more tabs are table rows, and
consecutive ones form a table. Splitting a file into documents is documents.py's job.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

SENTENCE = regex.compile(r"[^。!?！？\n]+[。!?！？]*")


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


def blocks(text: str) -> list[Sentence | Table]:
    """The sentences and tables of a text, in order."""
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
            out.extend(sentences(line, pos))
        pos += len(line) + 1
    if rows:
        out.append(Table(rows))
    return out


def sentences(line: str, offset: int = 0) -> list[Sentence]:
    """Sentences of one line of text, offsets shifted by `offset`.

    >>> [s.text for s in sentences("到2025年，A达到5%。B达到6%")]
    ['到2025年，A达到5%。', 'B达到6%']
    """
    return [Sentence(m.start() + offset, m.end() + offset, m.group())
            for m in SENTENCE.finditer(line) if m.group().strip()]


def cells_with_offsets(row: tuple[int, list[str]]) -> list[tuple[int, str]]:
    """Each cell of a table row with its offset in the text."""
    pos, cells = row
    out = []
    for cell in cells:
        out.append((pos, cell))
        pos += len(cell) + 1
    return out
