"""`targets compare`: what each province commits to now, and what it committed to before.

Every target of a province-level document (national and ministry ones for 全国) is kept, one
row each, with its `status` for its indicator, measure, province and year:

- current: the value of the province's latest adopted comprehensive document (实施方案, 意见,
  规划 ...: rules/compare.toml), which is the value shown;
- superseded: the value of an earlier one (`superseded_by` names the current document);
- draft: a draft's (征求意见稿), shown only when no adopted comprehensive document states it;
- sector: a sector, institution or other document's (公共机构, 工业领域; ministries for
  全国), shown only when nothing else states it.

Documents stand in time by `published` when every document stating a value gives one, else
by compare.toml's order of kinds, diff.toml's version markers, then extract order. A city's
plan is never its province's goal.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pandas as pd

from targets.analysis.compare_rules import COMPREHENSIVE, Classifier
from targets.analysis.extract_reader import Extract
from targets.core import places
from targets.core.indicators import Taxonomy

NATIONAL = places.national_name()  # the province of national documents, from the data
ELIGIBLE = {"national", "ministry", "province"}
# What one number measures: 下降18% on 2020 and 下降65% on 2005 are two targets, not one.
MEASURE = ["indicator_id", "kind", "direction", "unit_cmp", "base"]
KEY = [*MEASURE, "province", "target_year"]
TIERS = {0: "current", 1: "draft", 2: "sector"}  # the status of a value shown from each tier
MIN_DIGITS = 3  # a value converted to another unit keeps at least three significant digits
LONG_COLUMNS = [
    "indicator_id", "sector", "indicator_zh", "indicator_en", "kind", "direction", "unit_cmp",
    "province", "target_year", "value_cmp", "comparator", "base_year", "strive", "status",
    "shown", "superseded_by", "candidates", "value", "value_max", "unit", "indicator", "doc_id",
    "doc_title", "level", "doc_kind", "is_draft", "published", "page", "headline",
]


@dataclass
class Comparison:
    long: pd.DataFrame           # every candidate value, with status, shown and superseded_by
    headline: list[str]          # indicators with a sheet, in order
    rollups: list                # RollupResult per rollup of indicators.toml
    taxonomy: Taxonomy
    classifier: Classifier
    provinces: list[str]         # the province-level units compared, in their usual order
    doc_provinces: set[str]      # those with a province-level document in the extract

    def shown(self) -> pd.DataFrame:
        return self.long[self.long["shown"] == 1]


def significant(x: float, like: float) -> float:
    """`x` rounded to the significant digits of `like` as written (at least MIN_DIGITS).

    >>> significant(7200003.600000001, 720.00036), significant(0.0055000000000000005, 55)
    (7200003.6, 0.0055)
    """
    if pd.isna(x) or x == 0 or pd.isna(like):
        return x
    digits = repr(float(like)).lower().split("e")[0].lstrip("-").removesuffix(".0").replace(".", "").lstrip("0")
    return float(f"{x:.{max(len(digits), MIN_DIGITS)}g}")


def candidates(extract: Extract, taxonomy: Taxonomy, classifier: Classifier) -> pd.DataFrame:
    """Mapped targets of eligible documents, one row per province (joint plans split on ";")."""
    docs = extract.documents.assign(doc_order=range(len(extract.documents)))
    docs["doc_kind"] = docs["doc_title"].map(classifier.kind)
    docs["kind_rank"] = docs["doc_title"].map(classifier.rank)
    docs["version"] = docs["doc_title"].map(lambda t: classifier.bare_title(t)[1])
    info = ["level", "is_draft", "published", "doc_kind", "kind_rank", "version", "doc_order"]
    c = extract.targets.assign(order=range(len(extract.targets)))
    c = c[c["indicator_id"] != ""].merge(docs.set_index("doc_id")[info], left_on="doc_id", right_index=True)
    c["province"] = c["province"].str.split(";")
    c = c.explode("province").reset_index(drop=True)
    national = c["province"] == NATIONAL
    c = c[c["level"].isin(ELIGIBLE) & (national == c["level"].isin({"national", "ministry"}))].copy()
    c["unit_cmp"] = c["unit_std"].where(c["unit_std"] != "", c["unit"])
    c["value_cmp"] = [significant(s, v) if pd.notna(s) else v for s, v in zip(c["value_std"], c["value"])]
    c["base"] = c["base_year"].map(lambda y: "" if pd.isna(y) else str(int(y)))  # a key, so no NaN
    c["tier"] = 0
    c.loc[c["is_draft"] == 1, "tier"] = 1
    c.loc[(c["doc_kind"] != COMPREHENSIVE) | (c["level"] == "ministry"), "tier"] = 2
    names = {i.id: (i.zh, i.en) for i in taxonomy.indicators}
    c["indicator_zh"] = c["indicator_id"].map(lambda i: names.get(i, (i, ""))[0])
    c["indicator_en"] = c["indicator_id"].map(lambda i: names.get(i, ("", ""))[1])
    return c


def settle(c: pd.DataFrame, keys: list[str] = KEY) -> pd.DataFrame:
    """Each row's status, the one row `shown` per key, and which document superseded the rest."""
    if c.empty:
        return c.assign(status="", shown=0, superseded_by="", candidates=0)
    groups = c.groupby(keys, dropna=False, sort=False)
    dated = groups["published"].transform(lambda s: bool((s != "").all()))
    c = c.assign(when=c["published"].where(dated, ""))
    # Lowest tier first; within it the latest document (by date, else kind, version, extract
    # order); within a document the firm value before a 力争 one, then the first written.
    c = c.sort_values(["tier", "when", "kind_rank", "version", "doc_order", "strive", "order"],
                      ascending=[True, False, False, False, False, True, True], kind="stable")
    groups = c.groupby(keys, dropna=False, sort=False)
    first = groups.cumcount() == 0
    chosen_doc = groups["doc_id"].transform("first")
    chosen_tier = groups["tier"].transform("first")
    c["shown"] = first.astype(int)
    c["candidates"] = groups["doc_id"].transform("size")
    same = c["doc_id"] == chosen_doc
    c["status"] = c["tier"].map(TIERS)
    c.loc[(c["tier"] == 0) & ~same & (chosen_tier == 0), "status"] = "superseded"
    c["superseded_by"] = chosen_doc.where(~same, "")
    return c.drop(columns="when").sort_index()


def compare(extract: Extract, taxonomy: Taxonomy, classifier: Classifier, top: int,
            provinces: list[str], rollups: Optional[list] = None) -> Comparison:
    """The long table and the indicators that get a sheet: the headline ones of indicators.toml,
    then the most common across provinces until there are `top`. Rollups are added by the caller."""
    long = settle(candidates(extract, taxonomy, classifier))
    long = long.sort_values(KEY, kind="stable").reset_index(drop=True)
    docs = extract.documents
    doc_provinces = {p for ps in docs.loc[docs["level"] == "province", "province"] for p in ps.split(";") if p}
    result = Comparison(long, [], rollups or [], taxonomy, classifier, provinces, doc_provinces)
    shown = result.shown()
    dominant = shown[is_dominant(shown)] if len(shown) else shown
    present = set(dominant["indicator_id"])
    fixed = [i for i in taxonomy.headline if i in present]
    dated = dominant[dominant["target_year"].notna() & (dominant["province"] != NATIONAL)]
    rank = dated.groupby("indicator_id").agg(provinces=("province", "nunique"), rows=("province", "size"))
    rank = rank.sort_values(["provinces", "rows"], ascending=False)
    result.headline = fixed + [i for i in rank.index if i not in fixed][:max(0, top - len(fixed))]
    long["headline"] = (long["indicator_id"].isin(result.headline) & measure_of(long).isin(
        set(measure_of(dominant)))).astype(int)
    return result


def measure_of(rows: pd.DataFrame) -> pd.Series:
    return rows[MEASURE].apply(tuple, axis=1) if len(rows) else pd.Series(dtype=object)


def is_dominant(rows: pd.DataFrame) -> pd.Series:
    """True for rows in the most common measure (kind, direction, unit, base) of their indicator."""
    if rows.empty:
        return pd.Series(dtype=bool)
    sizes = rows.groupby(MEASURE, dropna=False).size().rename("n").reset_index()
    best = sizes.sort_values("n", ascending=False, kind="stable").drop_duplicates("indicator_id")
    return measure_of(rows).isin(set(measure_of(best)))


def province_names(rules_dir: Optional[Path]) -> list[str]:
    """The province-level units, in the order of rules/jurisdictions.toml."""
    return [p.name for p in places.load_places(rules_dir).rules.province]
