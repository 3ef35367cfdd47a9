"""The rollup sheet of compare.xlsx: each province's figure per year with its basis and
documents, the sums, the national goal, and a chart of the sums against the goal."""
from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from targets.analysis.charts import bar_chart
from targets.analysis.compare_cells import put
from targets.analysis.compare_rollup import COMPLETE, RollupResult

WIDTHS = {"province": 16, "value": 14, "basis": 24, "documents": 40}
CHART_ROW, DATA_ROW = 5, 24  # the chart (9 cm) fills the rows between; its data, then the table


def rollup_sheet(ws, r: RollupResult, national: str) -> None:
    nat, unit = r.rollup.national, r.rollup.unit_std
    put(ws, 1, 1, f"{r.rollup.zh} · {r.rollup.en}", bold=True)
    put(ws, 2, 1, f"{national} goal (rules/indicators.toml): {nat.comparator} {nat.value:g} {nat.unit_std} "
                  f"by {nat.year} — {nat.text} — {nat.source}")
    put(ws, 3, 1, f"Per province and year: {' or '.join(r.rollup.combined)} as given; else "
                  f"{' + '.join(r.rollup.parts)}; else {' or '.join(r.rollup.approximate) or '-'} (approximate); "
                  "else one part (partial). Current values of province-level comprehensive documents only: "
                  f"{r.left_out} values of sector plans and drafts are left out (compare.csv has them).")
    years = sorted({int(y) for y in r.table["target_year"] if pd.notna(y)})
    cols: list[Any] = [*years, None] if r.table["target_year"].isna().any() else list(years)
    head = ["province"]
    for y in cols:
        label = str(y) if y is not None else "no year"
        head += [f"{label} ({unit})", f"{label} basis", f"{label} documents"]
    top = _chart(ws, r, national, years)
    for j, h in enumerate(head, start=1):
        put(ws, top, j, h, bold=True)
        ws.column_dimensions[get_column_letter(j)].width = (
            WIDTHS["province"] if j == 1 else WIDTHS["value"] if j % 3 == 2 else
            WIDTHS["basis"] if j % 3 == 0 else WIDTHS["documents"])
    row = top + 1
    for province, g in r.table.groupby("province", sort=False):
        put(ws, row, 1, province)
        for i, y in enumerate(cols):
            hit = g[g["target_year"].isna()] if y is None else g[g["target_year"] == y]
            if len(hit):
                h = hit.iloc[0]
                basis = h["basis"] + ("" if h["quality"] == COMPLETE else f" ({h['quality']})")
                for j, v in enumerate([h["value"], basis, h["documents"]]):
                    put(ws, row, 2 + 3 * i + j, v)
        row += 1
    row = _summary(ws, r, national, cols, row + 1)
    for _, n in r.national_in_extract.iterrows():
        year = f"{int(n['target_year'])}" if pd.notna(n["target_year"]) else "no year"
        put(ws, row, 1, f"{national} in the extract: {n['value_cmp']:g} {unit} ({year}), {n['doc_title']} ({n['doc_id']})")
        row += 1
    put(ws, row + 1, 1, f"no number ({len(r.no_number)}): {'、'.join(r.no_number) or '-'}")
    put(ws, row + 2, 1, f"no province-level document ({len(r.no_document)}): {'、'.join(r.no_document) or '-'}")


def _summary(ws, r: RollupResult, national: str, cols: list, row: int) -> int:
    """The sums per year; a sum holding partial or approximate figures says how many."""
    nat = r.rollup.national
    totals = r.totals.set_index("target_year")

    def total(y):
        return totals.loc[y, "total"] if y in totals.index else None

    lines = [("sum of provinces", total),
             ("provinces with a figure", lambda y: totals.loc[y, "provinces"] if y in totals.index else None),
             ("of which partial or approximate", lambda y: totals.loc[y, "inexact"] if y in totals.index else None),
             (f"{national} goal", lambda y: nat.value if y == nat.year else None),
             ("sum / goal", lambda y: total(y) / nat.value if y == nat.year and total(y) is not None else None)]
    for label, value in lines:
        put(ws, row, 1, label, bold=True)
        for i, y in enumerate(cols):
            if y is not None:
                cell = put(ws, row, 2 + 3 * i, value(y))
                cell.number_format = "0.0%" if label == "sum / goal" else "General"
        row += 1
    return row + 1


def _chart(ws, r: RollupResult, national: str, years: list[int]) -> int:
    """Stacked bars of the sums against the goal's marker, over their data (a small table);
    returns the row where the province table starts."""
    row = DATA_ROW
    if not years:
        put(ws, CHART_ROW, 1, "no chart: no province gives a figure for a target year")
        return row
    nat, unit = r.rollup.national, r.rollup.unit_std
    head = ["chart data", "complete figures", "partial or approximate figures", f"{national} goal"]
    for j, h in enumerate(head, start=1):
        put(ws, row, j, h, bold=True)
    dated = r.table[r.table["target_year"].notna()]
    for i, y in enumerate(years, start=1):
        mine = dated[dated["target_year"] == y]
        exact = mine.loc[mine["quality"] == COMPLETE, "value"].sum()
        inexact = mine.loc[mine["quality"] != COMPLETE, "value"].sum()
        for j, v in enumerate([str(y), float(f"{exact:.12g}"), float(f"{inexact:.12g}"),
                               nat.value if y == nat.year else None], start=1):
            put(ws, row + i, j, v)
    first, last = row + 1, row + len(years)
    chart = bar_chart(ws, f"{r.rollup.zh}: provinces against the {national} goal ({unit})", unit,
                      (1, first, last), [(2, first, last), (3, first, last)], [((4, first, last), 0)], row,
                      stacked=True, marker="diamond")
    chart.width, chart.height = 15.0, 9.0  # within columns A-D: one printed page
    ws.add_chart(chart, f"A{CHART_ROW}")
    return last + 2
