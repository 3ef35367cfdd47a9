"""Cells of compare.xlsx: values from pandas as typed cells, text that is never a formula, and
the few ways a value is written out (a measure's name, an amount, a flag)."""
from __future__ import annotations

from typing import Any

from openpyxl.styles import Font

from targets.analysis.compare import significant
from targets.outputs.export import cell_text

BOLD = Font(bold=True)
SYMBOL = {">=": "≥", "<=": "≤", "~": "≈", "=": ""}


def plain(v: Any) -> Any:
    """A cell value from pandas: NaN as None, numpy scalars as Python ones."""
    if isinstance(v, float) and v != v:
        return None
    return v.item() if hasattr(v, "item") else v


CHART_PAGE_SCALE = 75  # % : a 22 cm chart and the first columns of its table on one landscape page


def new_sheet(book, title: str, fit_width: bool = True):
    """A landscape sheet; one page wide unless told (a chart then prints whole on the first page,
    the table's further columns on the pages after)."""
    ws = book.create_sheet(title[:31])
    return print_setup(ws, fit_width)


def print_setup(ws, fit_width: bool = True):
    ws.page_setup.orientation = "landscape"
    if fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    else:
        ws.page_setup.scale = CHART_PAGE_SCALE
    return ws


def put(ws, row: int, col: int, value: Any, bold: bool = False):
    """Write one cell; text is always a string cell (a comparator `=` is not a formula)."""
    value = cell_text(plain(value))
    cell = ws.cell(row=row, column=col, value=value if value != "" else None)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    if bold:
        cell.font = BOLD
    return cell


def measure(kind: str, direction: str, base: str = "") -> str:
    """A measure's name.

    >>> measure("change", "down", "2020"), measure("level", "")
    ('change (down) on 2020', 'level')
    """
    return (f"{kind} ({direction})" if direction else kind) + (f" on {base}" if base else "")


def amount(row, factor: float = 1.0) -> str:
    """A value as text: ≥24, 13.5 (strive)."""
    text = f"{SYMBOL.get(row['comparator'], '')}{significant(row['value_cmp'] * factor, row['value']):g}"
    return text + (" (strive)" if row["strive"] == 1 else "")


def flag(row) -> str:
    """What a reader must know of a value shown: its document is a draft or a sector plan, or 力争."""
    return ", ".join(f for f in ("" if row["status"] == "current" else row["status"],
                                 "strive" if row["strive"] == 1 else "") if f)
