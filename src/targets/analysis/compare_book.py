"""compare.xlsx: an index, one sheet with a native bar chart per headline indicator (provinces
as rows, target years as columns) and one sheet per rollup."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname

from targets.outputs.export import atomic_path, cell_text

if TYPE_CHECKING:
    from targets.analysis.compare import Comparison, RollupResult
    from targets.core.indicators import Indicator

CHART_YEARS = (2025, 2030)
HEADER_ROW, NATIONAL_ROW = 4, 5  # provinces follow the national reference row
BOLD = Font(bold=True)
WIDTHS = {"province": 16, "value": 14, "comparator": 11, "document": 42, "page": 10, "base year": 12,
          "basis": 28, "documents": 60}


def plain(v: Any) -> Any:
    """A cell value from pandas: NaN as None, numpy scalars as Python ones."""
    if isinstance(v, float) and v != v:
        return None
    return v.item() if hasattr(v, "item") else v


def new_sheet(book, title: str):
    """A sheet that prints one page wide, landscape (the year columns run wide)."""
    ws = book.create_sheet(title[:31])
    return print_setup(ws)


def print_setup(ws):
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    return ws


def put(ws, row: int, col: int, value: Any, bold: bool = False):
    """Write one cell; text is always a string cell (a comparator `=` is not a formula)."""
    value = cell_text(plain(value))
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = BOLD
    return cell


def write_book(path: Path, result: "Comparison") -> None:
    from targets.analysis.compare import NATIONAL, is_dominant

    book = Workbook()
    index = print_setup(book.active)
    index.title = "index"
    long = result.long
    rows = long[is_dominant(long) & long["target_year"].notna()] if len(long) else long
    put(index, 1, 1, "Headline indicators: the most common across provinces (one sheet each)", bold=True)
    header = ["sheet", "zh", "en", "sector", "measure", "unit", "provinces", f"{NATIONAL} targets"]
    for j, h in enumerate(header, start=1):
        put(index, 3, j, h, bold=True)
    for i, ind_id in enumerate(result.headline, start=4):
        own = rows[rows["indicator_id"] == ind_id]
        ind = result.taxonomy.by_id.get(ind_id) or stub(ind_id, own.iloc[0]["sector"])
        indicator_sheet(book, ind, own, NATIONAL)
        nat = own[own["province"] == NATIONAL]
        first = own.iloc[0]
        cells = [ind.id, ind.zh, ind.en, ind.sector, measure(first["kind"], first["direction"], first["base"]), first["unit_cmp"],
                 own.loc[own["province"] != NATIONAL, "province"].nunique(),
                 ", ".join(f"{int(y)}: {v:g}" for y, v in zip(nat["target_year"], nat["value_cmp"]))]
        for j, v in enumerate(cells, start=1):
            put(index, i, j, v)
        index.cell(row=i, column=1).hyperlink = f"#{quote_sheetname(ind.id)}!A1"
    for j, w in enumerate([34, 30, 44, 14, 16, 8, 10, 30], start=1):
        index.column_dimensions[get_column_letter(j)].width = w
    for r in result.rollups:
        rollup_sheet(book, r, NATIONAL)
    with atomic_path(path) as tmp:
        book.save(tmp)


def stub(indicator_id: str, sector: str) -> "Indicator":
    """An id an older extract or another rule folder wrote, which these rules do not know."""
    from targets.core.indicators import Indicator

    return Indicator.model_construct(id=indicator_id, zh=indicator_id, sector=sector,
                                     en="(not in the rules' indicators.toml)")


def measure(kind: str, direction: str, base: str = "") -> str:
    """A measure's name.

    >>> measure("change", "down", "2020"), measure("level", "")
    ('change (down) on 2020', 'level')
    """
    return (f"{kind} ({direction})" if direction else kind) + (f" on {base}" if base else "")


def indicator_sheet(book, ind: "Indicator", rows: pd.DataFrame, national: str) -> None:
    """Provinces × years (value, comparator, document, page), 全国 on top, a bar chart below."""
    ws = new_sheet(book, ind.id)
    first = rows.iloc[0]
    unit, kind = first["unit_cmp"], first["kind"]
    put(ws, 1, 1, f"{ind.zh} · {ind.en}", bold=True)
    put(ws, 2, 1, f"{measure(kind, first['direction'], first['base'])}, in {unit or 'the unit as written'}. Rows: "
                  f"province-level documents; {national}: the national target, a reference row, not "
                  "charted. One value per province and year (firm before 力争, then document order); "
                  "the others are in compare.csv.")
    fields = ["value", "comparator", "document", "page"] + (["base year"] if kind == "change" else [])
    years = sorted(int(y) for y in rows["target_year"].unique())
    col_of = {y: 2 + i * len(fields) for i, y in enumerate(years)}
    put(ws, HEADER_ROW, 1, "province", bold=True)
    ws.column_dimensions["A"].width = WIDTHS["province"]
    for y, base in col_of.items():
        for j, f in enumerate(fields):
            put(ws, HEADER_ROW, base + j, f"{y} {f}" + (f" ({unit})" if f == "value" and unit else ""), bold=True)
            ws.column_dimensions[get_column_letter(base + j)].width = WIDTHS[f]
    provinces = province_order(rows, national)
    for r, province in enumerate([national, *provinces], start=NATIONAL_ROW):
        put(ws, r, 1, province, bold=province == national)
        for y, base in col_of.items():
            hit = rows[(rows["province"] == province) & (rows["target_year"] == y)]
            if hit.empty:
                continue
            h = hit.iloc[0]
            cells = [h["value_cmp"], h["comparator"], f"{h['doc_title']} ({h['doc_id']})", h["page"], h["base_year"]]
            for j in range(len(fields)):
                put(ws, r, base + j, cells[j])
    ws.freeze_panes = ws.cell(row=NATIONAL_ROW, column=2)
    add_chart(ws, ind, unit, {y: c for y, c in col_of.items() if y in CHART_YEARS}, len(provinces))


def province_order(rows: pd.DataFrame, national: str) -> list[str]:
    """Provinces by their latest chart-year value, largest first; those without one last."""
    own = rows[rows["province"] != national]

    def key(p: str) -> tuple:
        mine = own[own["province"] == p]
        vals = [mine.loc[mine["target_year"] == y, "value_cmp"] for y in reversed(CHART_YEARS)]
        return (*(-v.iloc[0] if len(v) and pd.notna(v.iloc[0]) else float("inf") for v in vals), p)

    return sorted(own["province"].unique(), key=key)


def add_chart(ws, ind: "Indicator", unit: str, value_cols: dict[int, int], n: int) -> None:
    """A clustered bar chart of the chart years' values, provinces as categories."""
    if not value_cols or not n:
        return
    first, last = NATIONAL_ROW + 1, NATIONAL_ROW + n
    chart = BarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title = f"{ind.zh} ({unit})" if unit else ind.zh
    chart.y_axis.title = unit or None
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes unless told
    sheet = quote_sheetname(ws.title)
    for year, col in value_cols.items():
        series = Series(Reference(ws, min_col=col, min_row=first, max_row=last))
        letter = get_column_letter(col)
        series.tx = SeriesLabel(strRef=StrRef(f"{sheet}!${letter}${HEADER_ROW}"))
        # Province names are text: a string reference, or Excel labels the bars 1, 2, 3.
        series.cat = AxDataSource(strRef=StrRef(f"{sheet}!$A${first}:$A${last}"))
        chart.series.append(series)
    chart.width, chart.height = max(18.0, 1.1 * n), 9.0
    ws.add_chart(chart, f"A{last + 3}")


def rollup_sheet(book, r: "RollupResult", national: str) -> None:
    """Each province's figure per year with its basis and documents, the sum, the national goal."""
    ws = new_sheet(book, f"rollup_{r.rollup.id}")
    nat, unit = r.rollup.national, r.rollup.unit_std
    put(ws, 1, 1, f"{r.rollup.zh} · {r.rollup.en}", bold=True)
    put(ws, 2, 1, f"{national} goal (rules/indicators.toml): {nat.comparator} {nat.value:g} {nat.unit_std} "
                  f"by {nat.year} — {nat.text} — {nat.source}")
    put(ws, 3, 1, f"Per province and year: {' or '.join(r.rollup.combined)} as given; else "
                  f"{' + '.join(r.rollup.parts)}; else {' or '.join(r.rollup.approximate) or '-'} (approximate); "
                  "else one part (partial). Level targets of province-level documents only.")
    years = sorted({int(y) for y in r.table["target_year"] if pd.notna(y)})
    cols: list[Any] = [*years, None] if r.table["target_year"].isna().any() else list(years)
    head = ["province"]
    for y in cols:
        label = str(y) if y is not None else "no year"
        head += [f"{label} ({unit})", f"{label} basis", f"{label} documents"]
    for j, h in enumerate(head, start=1):
        put(ws, 5, j, h, bold=True)
        ws.column_dimensions[get_column_letter(j)].width = (
            WIDTHS["province"] if j == 1 else WIDTHS["value"] if j % 3 == 2 else
            WIDTHS["basis"] if j % 3 == 0 else WIDTHS["documents"])
    row = 6
    for province, g in r.table.groupby("province", sort=False):
        put(ws, row, 1, province)
        for i, y in enumerate(cols):
            hit = g[g["target_year"].isna()] if y is None else g[g["target_year"] == y]
            if len(hit):
                for j, key in enumerate(["value", "basis", "documents"]):
                    put(ws, row, 2 + 3 * i + j, hit.iloc[0][key])
        row += 1
    totals = r.totals.set_index("target_year")
    summary = [("sum of provinces", lambda y: totals.loc[y, "total"] if y in totals.index else None),
               ("provinces with a figure", lambda y: totals.loc[y, "provinces"] if y in totals.index else None),
               (f"{national} goal", lambda y: nat.value if y == nat.year else None),
               ("sum / goal", lambda y: totals.loc[y, "total"] / nat.value
                if y == nat.year and y in totals.index else None)]
    for label, value in summary:
        row += 1
        put(ws, row, 1, label, bold=True)
        for i, y in enumerate(cols):
            if y is not None:
                cell = put(ws, row, 2 + 3 * i, value(y))
                cell.number_format = "0.0%" if label == "sum / goal" else "General"
    row += 2
    for _, n in r.national_in_extract.iterrows():
        year = f"{int(n['target_year'])}" if pd.notna(n["target_year"]) else "no year"
        put(ws, row, 1, f"{national} in the extract: {n['value_cmp']:g} {unit} ({year}), {n['doc_title']} ({n['doc_id']})")
        row += 1
    put(ws, row + 1, 1, f"no number ({len(r.no_number)}): {'、'.join(r.no_number) or '-'}")
    put(ws, row + 2, 1, f"no province-level document ({len(r.no_document)}): {'、'.join(r.no_document) or '-'}")
