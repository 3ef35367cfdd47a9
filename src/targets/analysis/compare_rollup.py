"""Provincial figures summed against a national goal (indicators.toml's [[rollup]]): wind +
solar capacity of the provinces against the national 1,200 GW by 2030.

Only the current value of a province-level comprehensive document counts: a sector or
institution plan (公共机构, 能源电力领域) is a part of the province, not its total, and a
draft is no commitment. Per province and year: a combined figure as given, else the parts
summed, else an approximation, else one part alone (`partial`); a sum over provinces says
how many of its figures are partial or approximate.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pandas as pd

from targets.analysis.compare import NATIONAL, settle
from targets.core.indicators import Rollup

COMPLETE, APPROXIMATE, PARTIAL = "complete", "approximate", "partial"


@dataclass
class RollupResult:
    rollup: Rollup
    table: pd.DataFrame          # one row per province and year (NaN: no year) with a figure
    totals: pd.DataFrame         # per year: provinces, total, inexact (partial or approximate)
    national_in_extract: pd.DataFrame
    no_number: list[str]
    no_document: list[str]
    left_out: int                # values of sector plans and drafts not counted


TABLE_COLUMNS = ["province", "target_year", "value", "basis", "quality", "documents", "sources"]


def rollup(c: pd.DataFrame, r: Rollup, provinces: list[str], doc_provinces: set[str]) -> RollupResult:
    """Each province's figure per year, the sums per year, and who gives no figure."""
    c = c[c["indicator_id"].isin(r.indicator_ids) & (c["kind"] == "level") & (c["unit_std"] == r.unit_std)]
    counted = c["tier"] == 0
    chosen = settle(c[counted], ["indicator_id", "province", "target_year"])
    chosen = chosen[chosen["shown"] == 1]
    rows = []
    for (province, year), g in chosen[chosen["province"] != NATIONAL].groupby(
            ["province", "target_year"], dropna=False, sort=True):
        figure = _figure({row["indicator_id"]: row for _, row in g.iterrows()}, r)
        if figure:
            value, basis, quality, used = figure
            rows.append({"province": province, "target_year": year, "value": value, "basis": basis,
                         "quality": quality, "documents": "; ".join(source(u) for u in used),
                         "sources": ", ".join(dict.fromkeys(source(u, short=True) for u in used))})
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    rank = {p: i for i, p in enumerate(provinces)}  # the usual order of provinces, not Unicode's
    table = table.sort_values(["province", "target_year"], key=lambda col: col.map(rank).fillna(len(rank))
                              if col.name == "province" else col, kind="stable").reset_index(drop=True)
    dated = table[table["target_year"].notna()].assign(inexact=lambda t: (t["quality"] != COMPLETE).astype(int))
    totals = dated.groupby("target_year").agg(provinces=("province", "nunique"), total=("value", "sum"),
                                              inexact=("inexact", "sum")).reset_index()
    scope = [p for p in provinces if p not in r.outside]
    given = set(table["province"])
    return RollupResult(
        rollup=r, table=table, totals=totals,
        national_in_extract=chosen[(chosen["province"] == NATIONAL) & chosen["indicator_id"].isin(r.combined)],
        no_number=[p for p in scope if p in doc_provinces and p not in given],
        no_document=[p for p in scope if p not in doc_provinces],
        left_out=int((~counted & (c["province"] != NATIONAL)).sum()))


def _figure(by_id: dict, r: Rollup) -> Optional[tuple[float, str, str, list]]:
    """(value, basis, quality, rows used); the basis names the indicators, less `_capacity`."""
    for i in r.combined:
        if i in by_id:
            return by_id[i]["value_cmp"], _short(i), COMPLETE, [by_id[i]]
    parts = [by_id[i] for i in r.parts if i in by_id]
    if parts and len(parts) == len(r.parts):
        return _sum(parts), " + ".join(map(_short, r.parts)), COMPLETE, parts
    for i in r.approximate:
        if i in by_id:
            return by_id[i]["value_cmp"], f"≈ {_short(i)}", APPROXIMATE, [by_id[i]]
    if parts:
        return _sum(parts), " + ".join(_short(p["indicator_id"]) for p in parts) + " only", PARTIAL, parts
    return None


def _sum(rows: list) -> float:
    return float(f"{sum(p['value_cmp'] for p in rows):.12g}")  # 36.4 + 20 is 56.4, not 56.400000000000006


def _short(indicator_id: str) -> str:
    return indicator_id.removesuffix("_capacity")


def source(row, short: bool = False) -> str:
    """A document reference: title (doc_id, page), or short: #077 p.889."""
    page = int(row["page"]) if pd.notna(row["page"]) else None
    if short:
        doc = "#" + row["doc_id"].rsplit("#", 1)[1] if "#" in row["doc_id"] else row["doc_id"]
        return f"{doc} p.{page}" if page else doc
    return f"{row['doc_title']} ({row['doc_id']}{f', p.{page}' if page else ''})"
