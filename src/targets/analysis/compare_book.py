"""compare.xlsx: an index, one sheet per headline indicator (compare_sheet.py) and one sheet
per rollup (compare_rollup_sheet.py)."""
from __future__ import annotations

from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.writer.excel import ExcelWriter

from targets.analysis.compare import NATIONAL, Comparison, is_dominant
from targets.analysis.compare_cells import amount, measure, new_sheet, print_setup, put
from targets.analysis.compare_rollup_sheet import rollup_sheet
from targets.analysis.compare_sheet import IndicatorSheet


def write_book(path: Path, result: Comparison) -> None:
    """The workbook, saved to `path` (the caller stages it)."""
    book = Workbook()
    index = print_setup(book.active)
    index.title = "index"
    shown = result.shown()
    dominant = shown[is_dominant(shown)] if len(shown) else shown
    put(index, 1, 1, "Headline indicators: those indicators.toml names, then the most common (one sheet each)",
        bold=True)
    header = ["sheet", "zh", "en", "sector", "measure", "unit", "provinces", f"{NATIONAL} targets"]
    for j, h in enumerate(header, start=1):
        put(index, 3, j, h, bold=True)
    for i, ind_id in enumerate(result.headline, start=4):
        own = dominant[dominant["indicator_id"] == ind_id]
        sheet = IndicatorSheet(book, result, ind_id, own)
        sheet.write()
        nat = own[(own["province"] == NATIONAL) & own["target_year"].notna()]
        first = own.iloc[0]
        cells = [ind_id, sheet.zh, sheet.en, first["sector"],
                 measure(first["kind"], first["direction"], first["base"]), sheet.unit,
                 own.loc[own["province"] != NATIONAL, "province"].nunique(),
                 ", ".join(f"{int(r['target_year'])}: {amount(r, sheet.factor)}" for _, r in nat.iterrows())]
        for j, v in enumerate(cells, start=1):
            put(index, i, j, v)
        index.cell(row=i, column=1).hyperlink = f"#{quote_sheetname(ind_id[:31])}!A1"
    for j, w in enumerate([34, 30, 44, 14, 22, 10, 10, 30], start=1):
        index.column_dimensions[get_column_letter(j)].width = w
    for r in result.rollups:
        rollup_sheet(new_sheet(book, f"rollup_{r.rollup.id}", fit_width=False), r, NATIONAL)
    # Workbook.save, but the archive is closed even when writing fails (a full disk): openpyxl's
    # own save leaves the file open, which keeps the disk space and the folder busy.
    with ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).write_data()
