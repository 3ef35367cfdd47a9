"""`targets compare`: provinces side by side per headline indicator, and provincial wind and
solar capacity summed against the national goal. Reads what `targets extract` wrote.

One value per indicator, measure, province and year: a province's target is what a
province-level document says (a city's plan is not its province's goal), 全国's what a
national or ministry document says. Among several, a firm target goes before a 力争 one,
then the earlier in the extract; the others stay visible in compare.csv.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pandas as pd

from targets.core import places
from targets.analysis.compare_book import plain, write_book
from targets.outputs.export import cell_text, write_csv
from targets.core.indicators import Rollup, Taxonomy, taxonomy_for
from targets.models import TargetsError
from targets.core.rulebook import load_rules

NATIONAL = "全国"
LEVEL_ORDER = {"national": 0, "ministry": 1, "province": 0}  # who speaks for 全国 first
ELIGIBLE = {"national", "ministry", "province"}
# What one number measures: 下降18% on 2020 and 下降65% on 2005 are two targets, not one.
MEASURE = ["indicator_id", "kind", "direction", "unit_cmp", "base"]
NUMERIC = ["value", "value_max", "value_std", "base_year", "target_year", "page", "strive"]
LONG_COLUMNS = [
    "indicator_id", "sector", "indicator_zh", "indicator_en", "kind", "direction", "unit_cmp",
    "province", "target_year", "value_cmp", "comparator", "base_year", "strive", "value",
    "value_max", "unit", "indicator", "doc_id", "doc_title", "level", "page", "candidates",
    "other_values", "headline",
]


@dataclass
class RollupResult:
    rollup: Rollup
    table: pd.DataFrame          # one row per province and year (NaN: no year) with a figure
    totals: pd.DataFrame         # per year: provinces, sum
    national_in_extract: pd.DataFrame
    no_number: list[str]
    no_document: list[str]


@dataclass
class Comparison:
    long: pd.DataFrame
    headline: list[str]
    rollups: list[RollupResult]
    taxonomy: Taxonomy


def read_extract(out: Path) -> pd.DataFrame:
    """targets.csv with each document's level, numbers as numbers."""
    paths = [out / "targets.csv", out / "documents.csv"]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise TargetsError(f"not an extract folder (run `targets extract` first): missing {', '.join(missing)}")
    targets, docs = (pd.read_csv(p, encoding="utf-8-sig", dtype=str, keep_default_na=False) for p in paths)
    if "indicator_id" not in targets.columns:
        raise TargetsError(f"{paths[0]}: no indicator_id column")
    for col in NUMERIC:
        targets[col] = pd.to_numeric(targets.get(col, ""), errors="coerce")
    levels = docs.set_index("doc_id")["level"] if "level" in docs.columns else pd.Series(dtype=str)
    targets["level"] = targets["doc_id"].map(levels).fillna("")
    targets["order"] = range(len(targets))
    return targets


def candidates(targets: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Mapped targets of eligible documents, one row per province (joint plans split on ";")."""
    c = targets[targets["indicator_id"] != ""].copy()
    c["province"] = c["province"].str.split(";")
    c = c.explode("province").reset_index(drop=True)
    national = c["province"] == NATIONAL
    eligible = c["level"].isin(ELIGIBLE) & (national == c["level"].isin({"national", "ministry"}))
    c = c[eligible | (c["level"] == "")].copy()  # an extract without levels: take all
    c["unit_cmp"] = c["unit_std"].where(c["unit_std"] != "", c["unit"])
    c["value_cmp"] = c["value_std"].fillna(c["value"])
    c["base"] = c["base_year"].map(lambda y: "" if pd.isna(y) else str(int(y)))  # a key, so no NaN
    c["level_rank"] = c["level"].map(LEVEL_ORDER).fillna(9)
    names = {i.id: (i.zh, i.en) for i in taxonomy.indicators}
    c["indicator_zh"] = c["indicator_id"].map(lambda i: names.get(i, ("", ""))[0])
    c["indicator_en"] = c["indicator_id"].map(lambda i: names.get(i, ("", ""))[1])
    return c


def choose(c: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per key: firm before 力争, national before ministry, then extract order."""
    c = c.sort_values(["strive", "level_rank", "order"])
    groups = c.groupby(keys, dropna=False, sort=False)
    chosen = groups.head(1).copy()
    chosen["candidates"] = groups["order"].transform("size").loc[chosen.index]
    # transform, not a lookup by key: a key holding NaN (no year) finds nothing in an index
    others = groups["value_cmp"].transform(
        lambda v: ", ".join(f"{x:g}" for x in dict.fromkeys(v.iloc[1:]) if x != v.iloc[0]))
    chosen["other_values"] = others.loc[chosen.index]
    return chosen


def compare(targets: pd.DataFrame, taxonomy: Taxonomy, top: int, provinces: list[str],
            doc_provinces: set[str]) -> Comparison:
    """The long table, the headline indicators and every rollup."""
    c = candidates(targets, taxonomy)
    long = choose(c, [*MEASURE, "province", "target_year"]) if len(c) else c.assign(candidates=0, other_values="")
    long = long.sort_values([*MEASURE, "province", "target_year"], kind="stable").reset_index(drop=True)
    dominant = long[is_dominant(long)]
    dated = dominant[dominant["target_year"].notna() & (dominant["province"] != NATIONAL)]
    rank = dated.groupby("indicator_id").agg(provinces=("province", "nunique"), rows=("province", "size"))
    rank = rank.sort_values(["provinces", "rows"], ascending=False)
    headline = list(rank.index[:top])
    long["headline"] = (long["indicator_id"].isin(headline) & is_dominant(long)).astype(int)
    rollups = [rollup(c, r, provinces, doc_provinces) for r in taxonomy.rollups]
    return Comparison(long, headline, rollups, taxonomy)


def is_dominant(long: pd.DataFrame) -> pd.Series:
    """True for rows in the most common measure (kind, direction, unit) of their indicator."""
    if long.empty:
        return pd.Series(dtype=bool)
    sizes = long.groupby(MEASURE, dropna=False).size().rename("n").reset_index()
    best = sizes.sort_values("n", ascending=False, kind="stable").drop_duplicates("indicator_id")
    key = long[MEASURE].apply(tuple, axis=1)
    return key.isin(set(best[MEASURE].apply(tuple, axis=1)))


def rollup(c: pd.DataFrame, r: Rollup, provinces: list[str], doc_provinces: set[str]) -> RollupResult:
    """Each province's figure per year: a given total, else the parts, else an approximation."""
    c = c[c["indicator_id"].isin(r.indicator_ids) & (c["kind"] == "level") & (c["unit_std"] == r.unit_std)]
    chosen = choose(c, ["indicator_id", "province", "target_year"])
    rows = []
    for (province, year), g in chosen[chosen["province"] != NATIONAL].groupby(
            ["province", "target_year"], dropna=False, sort=True):
        figure = _figure({row["indicator_id"]: row for _, row in g.iterrows()}, r)
        if figure:
            value, basis, used = figure
            rows.append({"province": province, "target_year": year, "value": value, "basis": basis,
                         "documents": "; ".join(_source(u) for u in used),
                         "sources": ", ".join(dict.fromkeys(_source(u, short=True) for u in used))})
    table = pd.DataFrame(rows, columns=["province", "target_year", "value", "basis", "documents", "sources"])
    rank = {p: i for i, p in enumerate(provinces)}  # the usual order of provinces, not Unicode's
    table = table.sort_values(["province", "target_year"], key=lambda col: col.map(rank).fillna(len(rank))
                              if col.name == "province" else col, kind="stable").reset_index(drop=True)
    dated = table[table["target_year"].notna()]
    totals = dated.groupby("target_year").agg(provinces=("province", "nunique"), total=("value", "sum")).reset_index()
    scope = [p for p in provinces if p not in r.outside]
    given = set(table["province"])
    return RollupResult(
        rollup=r, table=table, totals=totals,
        national_in_extract=chosen[(chosen["province"] == NATIONAL) & chosen["indicator_id"].isin(r.combined)],
        no_number=[p for p in scope if p in doc_provinces and p not in given],
        no_document=[p for p in scope if p not in doc_provinces])


def _figure(by_id: dict, r: Rollup) -> Optional[tuple[float, str, list]]:
    """(value, basis, rows used); the basis names the indicators, less their `_capacity`."""
    for i in r.combined:
        if i in by_id:
            return by_id[i]["value_cmp"], _short(i), [by_id[i]]
    parts = [by_id[i] for i in r.parts if i in by_id]
    if parts and len(parts) == len(r.parts):
        return sum(p["value_cmp"] for p in parts), " + ".join(map(_short, r.parts)), parts
    for i in r.approximate:
        if i in by_id:
            return by_id[i]["value_cmp"], f"≈ {_short(i)}", [by_id[i]]
    if parts:
        return sum(p["value_cmp"] for p in parts), " + ".join(_short(p["indicator_id"]) for p in parts) + " only", parts
    return None


def _short(indicator_id: str) -> str:
    return indicator_id.removesuffix("_capacity")


def _source(row, short: bool = False) -> str:
    """A document reference: title (doc_id, page), or short: #077 p.889."""
    page = int(row["page"]) if pd.notna(row["page"]) else None
    if short:
        doc = "#" + row["doc_id"].rsplit("#", 1)[1] if "#" in row["doc_id"] else row["doc_id"]
        return f"{doc} p.{page}" if page else doc
    return f"{row['doc_title']} ({row['doc_id']}{f', p.{page}' if page else ''})"


def province_names(rules_dir: Optional[Path]) -> list[str]:
    """The province-level units, in the order of rules/jurisdictions.toml."""
    return [p.name for p in places.load_places(rules_dir).rules.province]


def write_compare(out: Path, rules_dir: Optional[Path] = None, top: int = 12) -> Comparison:
    """Write OUT/compare.xlsx and OUT/compare.csv from OUT/targets.csv and OUT/documents.csv."""
    rules = load_rules(rules_dir)
    taxonomy = taxonomy_for(rules)
    targets = read_extract(out)
    if not (targets["indicator_id"] != "").any():
        raise TargetsError(f"{out / 'targets.csv'}: no target has an indicator_id (re-run `targets extract`)")
    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    province_docs = docs[docs["level"] == "province"] if "level" in docs.columns else docs
    doc_provinces = {p for ps in province_docs["province"] for p in ps.split(";") if p}
    result = compare(targets, taxonomy, top, province_names(rules_dir), doc_provinces)
    write_csv(out / "compare.csv", LONG_COLUMNS,
              ([cell_text(plain(v)) for v in row] for row in result.long[LONG_COLUMNS].itertuples(index=False)))
    write_book(out / "compare.xlsx", result)
    return result


def print_compare(out: Path, rules_dir: Optional[Path] = None, top: int = 12) -> Comparison:
    """write_compare, then each rollup as a table and the files written."""
    from rich.console import Console

    result = write_compare(out, rules_dir, top)
    console = Console()
    for r in result.rollups:
        console.print(rollup_table(r))
        console.print(f"[bold]no number[/bold] ({len(r.no_number)}): {'、'.join(r.no_number) or '-'}")
        console.print(f"[bold]no province-level document[/bold] ({len(r.no_document)}): {'、'.join(r.no_document) or '-'}")
    console.print(f"{len(result.headline)} headline indicators → {out / 'compare.xlsx'}, {out / 'compare.csv'}")
    return result


def rollup_table(r: RollupResult):
    """A rich table: provinces × target years, the sum and the national goal."""
    from rich.table import Table

    years = sorted({y for y in r.table["target_year"] if pd.notna(y)})
    cols = [*years, None] if r.table["target_year"].isna().any() else years
    table = Table(title=f"{r.rollup.zh} ({r.rollup.unit_std}) — {r.rollup.en}")
    table.add_column("province")
    for y in cols:
        table.add_column(str(int(y)) if y is not None else "no year", justify="right")
    table.add_column("basis")
    table.add_column("documents (doc_id, page; titles in compare.xlsx)", overflow="fold")
    for province, g in r.table.groupby("province", sort=False):
        cells = [_cell(g, y) for y in cols]
        table.add_row(province, *cells, "; ".join(dict.fromkeys(g["basis"])), ", ".join(dict.fromkeys(g["sources"])))
    totals = r.totals.set_index("target_year")
    table.add_row("[bold]sum of provinces[/bold]", *[f"{totals.loc[y, 'total']:g} ({totals.loc[y, 'provinces']})"
                                                    if y in totals.index else "" for y in cols], "", "")
    nat = r.rollup.national
    table.add_row(f"[bold]{NATIONAL} goal[/bold]", *[f"{nat.comparator}{nat.value:g}" if y == nat.year else "" for y in cols],
                  "rules/indicators.toml", nat.source)
    return table


def _cell(g: pd.DataFrame, year) -> str:
    hit = g[g["target_year"].isna()] if year is None else g[g["target_year"] == year]
    return f"{hit['value'].iloc[0]:g}" if len(hit) else ""
