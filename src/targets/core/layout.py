"""Text of a page from positioned pieces: lines and tables in their order down the page, cell
text on one line. Shared by the pdfplumber reader (pdf_tables.py) and OCR (ocr.py)."""
from __future__ import annotations

import regex

_WIDE = regex.compile(r"[\p{Han}\p{Block=CJK_Symbols_and_Punctuation}\uff00-\uffef]")


def join_words(words: list[str]) -> str:
    """Pieces of one line or cell as one string: no space where either side is Chinese.

    >>> join_words(["单位GDP能源消", "耗降低"]), join_words(["GDP", "per", "capita"]), join_words([])
    ('单位GDP能源消耗降低', 'GDP per capita', '')
    """
    out = ""
    for word in (w for w in words if w):
        joint = "" if not out or _WIDE.match(out[-1]) or _WIDE.match(word[0]) else " "
        out += joint + word
    return out


def page_text(pieces: list[tuple[float, str]]) -> str:
    """(top, text) pieces, lines or whole tables, joined in their order down the page."""
    return "\n".join(text for _, text in sorted(pieces, key=lambda piece: piece[0]))
