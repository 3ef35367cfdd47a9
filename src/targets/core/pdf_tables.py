"""Page texts of a PDF read with pdfplumber (the pdf-tables extra), ruled tables as tab-separated rows.

Each table found on a page is written where it stands on the page, one tab-joined line per row,
and its cells' characters are left out of the running text, so no cell text appears twice.
The table resolver (tables.py) reads those rows as it reads the tab-separated tables of a .txt.
"""
from __future__ import annotations

import io

import pdfplumber

from targets.core.layout import join_words, page_text


def page_texts(data: bytes) -> list[str]:
    """The text of each page, tables as tab-separated rows."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [_page_text(page) for page in pdf.pages]


def _page_text(page) -> str:
    tables = page.find_tables()
    if not tables:
        return page.extract_text() or ""
    boxes = [table.bbox for table in tables]
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    # Lines outside the tables and the tables themselves, in their order down the page.
    pieces = [(line["top"], line["text"]) for line in outside.extract_text_lines()]
    pieces += [(table.bbox[1], "\n".join(_rows(table))) for table in tables]
    return page_text(pieces)


def _inside(char: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _rows(table) -> list[str]:
    """One tab-joined line per table row; a merged cell's text in its first column only."""
    return ["\t".join(_cell(cell) for cell in row) for row in table.extract()]


def _cell(text: str | None) -> str:
    """A cell's text on one line (a wrap inside Chinese text dropped, else a space)."""
    return join_words((text or "").split())
