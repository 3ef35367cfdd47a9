"""One headline indicator's sheet of compare.xlsx: its chart on top, then 全国 and every
province with the value in force per target year and without a year, the values it
superseded, its document, and what a province without a value lacks."""
from __future__ import annotations

import pandas as pd
from openpyxl.utils import get_column_letter

from targets.analysis.charts import bar_chart
from targets.analysis.compare import NATIONAL, Comparison, significant
from targets.analysis.compare_cells import amount, flag, measure, new_sheet, put
from targets.analysis.compare_rollup import source

CHART_YEARS = (2025, 2030)
CHART_ROW, HEADER_ROW = 4, 24  # the chart (9 cm) fills the rows between
NATIONAL_ROW = HEADER_ROW + 1  # provinces follow the national reference row
FIELDS = ["value", "comparator", "flag", "earlier", "document"]
WIDTHS = {"province": 16, "note": 14, "value": 12, "comparator": 11, "flag": 10, "earlier": 18,
          "document": 36, "no year": 16, "no year document": 36, "other measures": 40, "reference": 12}
NO_DOCUMENT, NO_NUMBER = "no document", "no number"
RIGHT_AXIS_RATIO = 3  # a national value this many times the largest provincial one is a total


class IndicatorSheet:
    """The sheet of one indicator in its most common measure (`rows`: the values shown)."""

    def __init__(self, book, result: Comparison, ind_id: str, rows: pd.DataFrame):
        self.result, self.rows = result, rows
        ind = result.taxonomy.by_id.get(ind_id)
        self.zh, self.en = (ind.zh, ind.en) if ind else (ind_id, "(not in the rules' indicators.toml)")
        first = rows.iloc[0]
        self.measure = (first["kind"], first["direction"], first["base"])
        rules = result.classifier.rules
        self.unit, self.factor = rules.display_of(first["unit_cmp"])
        self.title = " ".join(p for p in (self.zh, rules.measure_zh(*self.measure)) if p)
        self.ws = new_sheet(book, ind_id, fit_width=False)
        self.years = sorted(int(y) for y in rows["target_year"].dropna().unique())
        self.chart_years = [y for y in CHART_YEARS if y in self.years] or self.years[-1:]
        long = result.long[result.long["indicator_id"] == ind_id]
        same = ((long["kind"] == first["kind"]) & (long["direction"] == first["direction"])
                & (long["base"] == first["base"]) & (long["unit_cmp"] == first["unit_cmp"]))
        self.long, self.others = long[same], long[~same & (long["shown"] == 1)]

    def write(self) -> None:
        ws, unit = self.ws, self.unit
        put(ws, 1, 1, f"{self.title} ({unit}) · {self.en}" if unit else f"{self.title} · {self.en}", bold=True)
        put(ws, 2, 1, f"{measure(*self.measure)}, in {unit or 'the unit as written'}. {NATIONAL}: national "
                      "documents, drawn as a line. Each province: the value of its latest comprehensive "
                      "document; flag draft or sector when only such a document states it; earlier: the values "
                      "it superseded. Every value is in compare.csv.")
        header = ["province", "note"]
        for y in self.years:
            header += [f"{y} ({unit})" if f == "value" and unit else f"{y} {f}" for f in FIELDS]
        header += ["no year", "no year document", "other measures"]
        self.ref_col = {y: len(header) + 1 + i for i, y in enumerate(self.chart_years)}
        header += [f"{NATIONAL} {y}" for y in self.chart_years]
        for j, h in enumerate(header, start=1):
            put(ws, HEADER_ROW, j, h, bold=True)
            key = h.split(" ", 1)[-1] if h[:4].isdigit() else h
            width = WIDTHS["value"] if "(" in key else WIDTHS.get(key, WIDTHS["reference"])
            ws.column_dimensions[get_column_letter(j)].width = width
        charted, others = province_order(self.rows, self.result, self.chart_years)
        for r, province in enumerate([NATIONAL, *charted, *others], start=NATIONAL_ROW):
            self.write_province(r, province)
        ws.freeze_panes = "C1"  # province and note stay in view; the chart scrolls away
        self.add_chart(len(charted))

    def value_col(self, year: int) -> int:
        return 3 + self.years.index(year) * len(FIELDS)

    def write_province(self, r: int, province: str) -> None:
        ws, long = self.ws, self.long[self.long["province"] == province]
        mine = self.rows[self.rows["province"] == province]
        others = self.others[self.others["province"] == province]
        put(ws, r, 1, province, bold=province == NATIONAL)
        put(ws, r, 2, note(province, mine, others, self.result.doc_provinces))
        for y in self.years:
            hit = mine[mine["target_year"] == y]
            if len(hit):
                h = hit.iloc[0]
                earlier = long[(long["target_year"] == y) & (long["status"] == "superseded")]
                cells = [self.shown_value(h), h["comparator"], flag(h),
                         "; ".join(f"{amount(e, self.factor)} ({source(e, short=True)})" for _, e in earlier.iterrows()),
                         source(h)]
                for j, v in enumerate(cells):
                    put(ws, r, self.value_col(y) + j, v)
        col = self.value_col(self.years[-1]) + len(FIELDS) if self.years else 3
        undated = long[long["target_year"].isna()]
        shown = undated[undated["shown"] == 1]
        if len(shown):
            s = shown.iloc[0]
            in_force = undated[(undated["doc_id"] == s["doc_id"]) & (undated["superseded_by"] == "")]
            put(ws, r, col, ", ".join(amount(u, self.factor) for _, u in in_force.iterrows()))
            put(ws, r, col + 1, source(s) + (f" [{flag(s)}]" if flag(s) else ""))
        put(ws, r, col + 2, other_measures(others))
        nat = self.rows[self.rows["province"] == NATIONAL]
        for y, ref in self.ref_col.items():
            hit = nat[nat["target_year"] == y]
            if province != NATIONAL and len(hit):
                put(ws, r, ref, self.shown_value(hit.iloc[0]))

    def shown_value(self, row) -> float:
        return significant(row["value_cmp"] * self.factor, row["value"])

    def add_chart(self, n: int) -> None:
        """Bars per chart year for the provinces that give one, the national value as a line."""
        if not n:
            put(self.ws, CHART_ROW, 1, f"no chart: no province gives a value for {', '.join(map(str, self.chart_years))}")
            return
        first, last = NATIONAL_ROW + 1, NATIONAL_ROW + n
        bars = [(self.value_col(y), first, last) for y in self.chart_years]
        nat = self.rows[(self.rows["province"] == NATIONAL) & self.rows["target_year"].isin(self.chart_years)]
        lines = [((self.ref_col[y], first, last), i) for i, y in enumerate(self.chart_years)
                 if y in set(nat["target_year"])]
        own = self.rows[(self.rows["province"] != NATIONAL) & self.rows["target_year"].isin(self.chart_years)]
        # A national total (1,200 GW) beside provincial amounts gets its own axis; a share shares theirs.
        apart = len(nat) and nat["value_cmp"].max() > RIGHT_AXIS_RATIO * own["value_cmp"].abs().max()
        chart = bar_chart(self.ws, f"{self.title} ({self.unit})" if self.unit else self.title, self.unit,
                          (1, first, last), bars, lines, HEADER_ROW,
                          right_axis=f"{NATIONAL} ({self.unit}, right axis)" if apart else "",
                          from_zero=bool(own["value_cmp"].min() >= 0))
        chart.width, chart.height = min(22.0, max(18.0, 1.1 * n)), 9.0  # within one printed page
        self.ws.add_chart(chart, f"A{CHART_ROW}")


def province_order(rows: pd.DataFrame, result: Comparison, chart_years: list[int]) -> tuple[list[str], list[str]]:
    """(provinces with a chart-year value, largest latest value first; every other one in the
    usual order). Every province the national goals cover is listed, with or without a value."""
    own = rows[rows["province"] != NATIONAL]

    def key(p: str) -> tuple:
        mine = own[own["province"] == p]
        vals = [mine.loc[mine["target_year"] == y, "value_cmp"] for y in reversed(chart_years)]
        return (*(-v.iloc[0] if len(v) else float("inf") for v in vals), p)

    charted = sorted({p for p in own.loc[own["target_year"].isin(chart_years), "province"]}, key=key)
    outside = {p for r in result.rollups for p in r.rollup.outside}
    known = [p for p in result.provinces if p not in outside]
    rest = [p for p in known + sorted(set(own["province"]) - set(known)) if p not in charted]
    return charted, rest


def other_measures(others: pd.DataFrame) -> str:
    """A province's values of this indicator in other measures: change (up) on 2020 5 pp (2025)."""
    return "; ".join(f"{measure(o['kind'], o['direction'], o['base'])} {amount(o)} {o['unit_cmp']} "
                     f"({int(o['target_year']) if pd.notna(o['target_year']) else 'no year'})"
                     for _, o in others.iterrows())


def note(province: str, mine: pd.DataFrame, others: pd.DataFrame, doc_provinces: set[str]) -> str:
    """Why a row holds no dated value: these are different facts, each written out."""
    if province == NATIONAL:
        return "reference"
    if mine["target_year"].notna().any():
        return ""
    if len(mine):
        return "no year"
    if len(others):
        return "other measure"
    return NO_NUMBER if province in doc_provinces else NO_DOCUMENT
