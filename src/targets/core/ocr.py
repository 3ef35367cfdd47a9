"""Text of scanned PDF pages by OCR: pypdfium2 renders a page, Tesseract (via pytesseract) reads it.

Ruled tables are found in the image itself (long dark runs are rules; a row's cell borders are
columns dark across the whole row) and written as tab-separated rows, as pdf_tables.py writes
those of a text PDF, so the table resolver reads them; the rules are whitened before Tesseract
reads the page, and each word goes to the cell its centre is in.
Both are optional: the ocr extra (pip install 'targets[ocr]') and the Tesseract program with its
simplified-Chinese data (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim).
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from importlib.util import find_spec

import numpy as np

from targets.core.layout import join_words, page_text

LANGUAGE = "chi_sim"
DPI = 300  # Tesseract reads 10.5-pt Chinese well from 300 dpi on; less loses strokes
SECONDS_PER_PAGE = 120  # added to a file's reading budget per page to recognise (~15 s measured)
INSTALL = ("install Tesseract with its Chinese data (Debian: apt-get install tesseract-ocr "
           "tesseract-ocr-chi-sim) and pip install 'targets[ocr]'")
DARK = 160  # grey level below which a pixel is ink
RULE_SHARE = 0.15  # a horizontal rule is a dark run at least this share of the page's width
BORDER_SHARE = 0.85  # a cell border is dark over this share of its row's height
TABLE_GAP = 0.25  # rules further apart than this share of the page's height are two tables
FIGURES_ONLY = "-c tessedit_char_whitelist=0123456789.%-"  # a column of figures, read again
_FIGURE_CHARS = re.compile(r"[\d.,%-]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?%?")


def unavailable() -> str | None:
    """What to install for OCR, or None when everything it needs is there."""
    if find_spec("pytesseract") is None or find_spec("pypdfium2") is None or not shutil.which("tesseract"):
        return INSTALL
    import pytesseract

    if LANGUAGE not in pytesseract.get_languages():
        return INSTALL
    return None


def recognise(data: bytes, pages: list[int]) -> list[str]:
    """The text Tesseract reads on each of `pages` (1 first) of a PDF's bytes."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return [read_image(document[n - 1].render(scale=DPI / 72).to_pil().convert("L")) for n in pages]
    finally:
        document.close()


@dataclass
class _Table:
    left: int
    right: int
    rules: list[int]  # y of each horizontal rule, top to bottom
    borders: list[list[int]]  # x of the cell borders of each row (between two rules)

    @property
    def columns(self) -> list[int]:
        """The borders of every row together: a cell spanning columns lacks some of them."""
        xs = sorted({x for row in self.borders for x in row})
        return [x for i, x in enumerate(xs) if i == 0 or x - xs[i - 1] > 10]


def read_image(image) -> str:
    """The text of one page image (greyscale PIL image), its ruled tables as tab-separated rows.

    Tesseract reads the page without its tables, then each table column by column (a column of
    cells reads far better alone than within the page's layout).
    """
    grey = np.asarray(image)
    ink = grey < DARK
    tables = _tables(ink)
    clean = _erase_rules(grey, tables)
    text_only = clean.copy()
    for t in tables:
        text_only[t.rules[0]:t.rules[-1] + 1, t.left:t.right + 1] = 255
    pieces = [(top, join_words([w for _, w in words])) for top, words in _lines(text_only, 3)]
    pieces += [(t.rules[0], _table_text(clean, t)) for t in tables]
    return page_text(pieces)


def _lines(image: np.ndarray, psm: int, lang: str = LANGUAGE,
           config: str = "") -> list[tuple[int, list[tuple[int, str]]]]:
    """(top, [(left, word)...]) of each line Tesseract reads, top to bottom."""
    import pytesseract
    from PIL import Image

    data = pytesseract.image_to_data(Image.fromarray(image), lang=lang, config=f"--psm {psm} {config}",
                                     output_type=pytesseract.Output.DICT)
    lines: dict[tuple, list] = {}
    for i, word in enumerate(data["text"]):
        if data["level"][i] == 5 and word.strip():
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append((data["top"][i], data["left"][i], word.strip()))
    return sorted((min(w[0] for w in words), [(w[1], w[2]) for w in sorted(words, key=lambda w: w[1])])
                  for words in lines.values())


def _table_text(clean: np.ndarray, table: _Table) -> str:
    """The table's rows as tab-joined lines, each column read on its own.

    A column of figures is read again as figures only: the Chinese model drops decimal points
    and takes 6 for 0 in narrow cells.
    """
    columns = table.columns
    cells: dict[tuple[int, int], str] = {}
    for c, (left, right) in enumerate(zip(columns, columns[1:])):
        strip = np.pad(clean[table.rules[0]:table.rules[-1], left:right], 20, constant_values=255)
        column = _column_cells(table, _lines(strip, 6))
        if sum(1 for text in column.values() if _is_figure(text)) >= len(column) / 2:
            again = _column_cells(table, _lines(strip, 6, "eng", FIGURES_ONLY))
            column.update({r: _better(text, again.get(r, "")) for r, text in column.items()})
        cells.update({(r, c): text for r, text in column.items()})
    return "\n".join("\t".join(cells.get((r, c), "") for c in range(len(columns) - 1))
                     for r in range(len(table.rules) - 1))


def _is_figure(text: str) -> bool:
    """A cell read as mostly digits (OCR noise aside: ]4.5); a lone % is a unit.

    >>> _is_figure("]4.5"), _is_figure("2025年"), _is_figure("%"), _is_figure("万吨")
    (True, False, False, False)
    """
    if not any(c.isdigit() for c in text) or _HAN.search(text):
        return False
    return len(_FIGURE_CHARS.findall(text)) > len(text.strip()) * 0.6


def _better(first: str, figures: str) -> str:
    """Of a cell's two readings, Chinese and figures only, the likelier.

    The figures reading, where it is a number and the cell no header (2025年); but where the two
    differ by a decimal point only, the one that has it: a point is what OCR drops.
    >>> _better("|志", "1.12"), _better("2025年", "2025"), _better("7.5", "75"), _better("7.2", "7.5")
    ('1.12', '2025年', '7.5', '7.5')
    """
    if not _NUMBER.fullmatch(figures) or (len(first) > 2 and _HAN.search(first)):
        return first
    if _NUMBER.fullmatch(first) and first.replace(".", "") == figures.replace(".", ""):
        return max(first, figures, key=lambda reading: reading.count("."))
    return figures


def _column_cells(table: _Table, lines) -> dict[int, str]:
    """Row -> text of one column's lines (tops as read in its strip, padded by 20 px)."""
    cells: dict[int, list[str]] = {}
    for top, words in lines:
        y = table.rules[0] + top - 20 + 10  # a line's top, a little inside it, on the page
        r = next((r for r, (a, b) in enumerate(zip(table.rules, table.rules[1:])) if a <= y < b), None)
        if r is not None:
            cells.setdefault(r, []).append(join_words([w for _, w in words]))
    return {r: join_words(texts) for r, texts in cells.items()}


def _runs(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, start, end) of every horizontal run of ink."""
    padded = np.pad(ink, ((0, 0), (1, 1))).astype(np.int8)
    change = np.diff(padded, axis=1)
    starts, ends = np.nonzero(change == 1), np.nonzero(change == -1)
    return starts[0], starts[1], ends[1]


def _erase_rules(grey: np.ndarray, tables: list[_Table]) -> np.ndarray:
    """The page with its tables' rules and borders whitened: Tesseract reads them as 一 and |."""
    clean = grey.copy()
    for t in tables:
        top, bottom = t.rules[0], t.rules[-1]
        for y in t.rules:
            clean[max(y - 6, 0):y + 6, max(t.left - 6, 0):t.right + 6] = 255
        for x in t.columns:
            clean[max(top - 6, 0):bottom + 6, max(x - 6, 0):x + 7] = 255
    return clean


def _tables(ink: np.ndarray) -> list[_Table]:
    """Tables: runs of horizontal rules of about the same extent, whose rows all have borders."""
    rows, starts, ends = _runs(ink)
    long = (ends - starts) >= RULE_SHARE * ink.shape[1]
    rules: list[list[int]] = []  # [y, left, right], rows of one rule merged
    for y, left, right in zip(rows[long], starts[long], ends[long]):
        if rules and y - rules[-1][0] <= 3 and abs(left - rules[-1][1]) < 10:
            rules[-1][0] = int(y)
        else:
            rules.append([int(y), int(left), int(right)])
    groups: list[list[list[int]]] = []
    for rule in rules:
        last = groups[-1][-1] if groups else None
        if (last and abs(rule[1] - last[1]) < 20 and abs(rule[2] - last[2]) < 20
                and rule[0] - last[0] < TABLE_GAP * ink.shape[0]):
            groups[-1].append(rule)
        else:
            groups.append([rule])
    tables: list[_Table] = []
    for group in groups:
        left, right = group[0][1], group[0][2]
        table = None
        for (top, _, _), (bottom, _, _) in zip(group, group[1:]):
            borders = _borders(ink, left, right, top, bottom)
            if len(borders) < 3:  # a gap between two tables (or two parts of one): no cells
                table = None
            elif table is None:
                table = _Table(left, right, [top, bottom], [borders])
                tables.append(table)
            else:
                table.rules.append(bottom)
                table.borders.append(borders)
    return tables


def _borders(ink: np.ndarray, left: int, right: int, top: int, bottom: int) -> list[int]:
    """x of the cell borders of one row of a table: columns dark over most of the row."""
    if bottom - top < 8:
        return []
    x0 = max(left - 3, 0)
    band = ink[top + 3:bottom - 2, x0:right + 4]
    borders: list[int] = []
    for x in np.nonzero(band.mean(axis=0) >= BORDER_SHARE)[0]:
        if not borders or x + x0 - borders[-1] > 5:
            borders.append(int(x) + x0)
    return borders
