"""Canonical indicators: an indicator as written, with its unit family, to one key and sector.

The vocabulary is rules/indicators.toml; this module validates it (pydantic, extra="forbid"),
compiles it once per rule folder and classifies with a memo per (text, family), since a
corpus repeats the same few hundred indicator texts thousands of times.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Optional, Union

import regex
from pydantic import Field, field_validator

from targets.models import RuleError
from targets.core.rulebook import RuleSet, load_rules
from targets.core.proofs import Proofs
from targets.core.schema import Strict, check_pattern as _check_pattern, validate_rule as _validate

RULE_FILE = "indicators.toml"
NO_UNIT = "none"  # the family of a number written without a unit (PUE 1.3)
TOP_KEYS = {"sectors", "sector_en", "headline", "indicator", "rollup"}
MEMO_SIZE = 1 << 16


class Case(Strict):
    """An indicator text, and the unit family to try it with (default: the rule's own)."""
    text: str
    family: Optional[str] = None


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Indicator(Strict):
    # snake_case, and short enough to name a sheet of compare.xlsx (Excel allows 31 characters)
    id: str = Field(pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$", max_length=31)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    sector: str
    family: list[str] = Field(min_length=1)
    patterns: list[str] = Field(min_length=1)
    exclude: list[str] = []
    examples: list[Union[str, Case]] = Field(min_length=1)
    counterexamples: list[Union[str, Case]] = []

    _one_or_many = field_validator("family", mode="before")(_as_list)


class National(Strict):
    value: float
    unit_std: str
    year: int
    comparator: Literal[">=", "<=", "~", "="]
    text: str
    source: str


class Rollup(Strict):
    """Provincial figures summed against a national goal (see indicators.toml)."""
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh: str
    en: str
    combined: list[str] = []
    parts: list[str] = []
    approximate: list[str] = []
    unit_std: str
    outside: list[str] = []
    national: National

    @property
    def indicator_ids(self) -> list[str]:
        return [*self.combined, *self.parts, *self.approximate]


class Taxonomy:
    """The validated indicators of one rule folder, compiled, with a classification memo."""

    def __init__(self, indicators: list[Indicator], rollups: list[Rollup],
                 family_of_unit: dict[str, str], sector_en: Optional[dict[str, str]] = None,
                 headline: Optional[list[str]] = None):
        self.indicators = indicators
        self.sector_en = sector_en or {}
        self.rollups = rollups
        self.headline = headline or []  # the indicators `targets compare` always gives a sheet
        self.by_id = {i.id: i for i in indicators}
        self.family_of_unit = family_of_unit
        self._compiled = [(i, _either(i.patterns), _either(i.exclude) if i.exclude else None)
                          for i in indicators]
        self.classify = lru_cache(maxsize=MEMO_SIZE)(self._classify)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its memo (enginecache keeps the taxonomy on disk)."""
        return {k: v for k, v in self.__dict__.items() if k != "classify"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.classify = lru_cache(maxsize=MEMO_SIZE)(self._classify)

    def english(self, indicator_id: str) -> str:
        """The English name of an indicator id, "" for none."""
        ind = self.by_id.get(indicator_id)
        return ind.en if ind else ""

    def sector_english(self, sector: str) -> str:
        """A sector's English name where it differs from its id (circular_economy), else the id."""
        return self.sector_en.get(sector, sector)

    def family_of(self, unit: str) -> str:
        """The family of a unit as written; NO_UNIT for none, "" for one units.toml lacks.

        A unit written with a denominator (亿吨/年, 公里/平方公里) keeps its numerator's family:
        an amount per year is still an amount, and the indicator text tells a density apart.
        """
        if not unit:
            return NO_UNIT
        if unit in self.family_of_unit:
            return self.family_of_unit[unit]
        return self.family_of_unit.get(unit.split("/", 1)[0], "") if "/" in unit else ""

    def _classify(self, indicator: str, unit_family: str) -> tuple[str, str]:
        """(indicator_id, sector) of the first indicator that fits, else ("", "")."""
        for ind, rx, not_rx in self._compiled:
            if unit_family in ind.family and rx.search(indicator) and not (
                    not_rx and not_rx.search(indicator)):
                return ind.id, ind.sector
        return "", ""


def _either(patterns: list[str]) -> regex.Pattern:
    return regex.compile("|".join(f"(?:{p})" for p in patterns), regex.V1)


def load_taxonomy(rules: RuleSet) -> Taxonomy:
    """Validate the raw indicators.toml a RuleSet read; RuleError names file, id and reason."""
    path = Path(rules.directory) / RULE_FILE
    family_of_unit = {s: u.family for u in rules.units for s in u.surfaces}
    raw = rules.extra.get(Path(RULE_FILE).stem)
    if raw is None:  # a rule folder without indicators: every target stays unmapped
        return Taxonomy([], [], family_of_unit)
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise RuleError(f"{path}: unknown top-level keys {sorted(unknown)}")
    sectors = raw.get("sectors")
    if not isinstance(sectors, list) or not all(isinstance(s, str) for s in sectors):
        raise RuleError(f"{path}: `sectors` must be a list of names")
    sector_en = raw.get("sector_en", {})
    if not isinstance(sector_en, dict) or not set(sector_en) <= set(sectors) or not all(
            isinstance(v, str) and v for v in sector_en.values()):
        raise RuleError(f"{path}: `sector_en` must map names of `sectors` to English names")
    families = set(family_of_unit.values()) | {NO_UNIT}
    indicators: list[Indicator] = []
    proofs = Proofs()  # each pattern is probed once, as the rule files' are (core/proofs.py)
    for i, data in enumerate(_tables(path, raw, "indicator")):
        ind = _validate(path, Indicator, data, str(data.get("id", f"#{i}")))
        _check_indicator(path, ind, set(sectors), families, {x.id for x in indicators}, proofs)
        indicators.append(ind)
    known = {i.id for i in indicators}
    rollups = []
    for i, data in enumerate(_tables(path, raw, "rollup")):
        rollup = _validate(path, Rollup, data, str(data.get("id", f"#{i}")))
        missing = [x for x in rollup.indicator_ids if x not in known]
        if missing:
            raise RuleError(f"{path}: rule {rollup.id!r}: unknown indicator ids {missing}")
        rollups.append(rollup)
    proofs.save()  # only once the whole file passed
    return Taxonomy(indicators, rollups, family_of_unit, sector_en, _headline(path, raw, known))


def _headline(path: Path, raw: dict, known: set[str]) -> list[str]:
    """indicators.toml's `headline`: the ids `targets compare` always gives a sheet, in order."""
    headline = raw.get("headline", [])
    if not isinstance(headline, list) or not all(isinstance(h, str) for h in headline):
        raise RuleError(f"{path}: `headline` must be a list of indicator ids")
    unknown_ids = [h for h in headline if h not in known]
    if unknown_ids:
        raise RuleError(f"{path}: `headline`: unknown indicator ids {unknown_ids}")
    return headline


def _tables(path: Path, raw: dict, key: str) -> list[dict]:
    tables = raw.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise RuleError(f"{path}: `{key}` must be an array of tables ([[{key}]])")
    return tables


def _check_indicator(path: Path, ind: Indicator, sectors: set[str], families: set[str],
                     seen: set[str], proofs: Proofs) -> None:
    def fail(reason: str) -> RuleError:
        return RuleError(f"{path}: rule {ind.id!r}: {reason}")

    if ind.id in seen:
        raise fail("id already used by an earlier indicator")
    if ind.sector not in sectors:
        raise fail(f"sector {ind.sector!r} is not one of `sectors`")
    cases = [c for c in [*ind.examples, *ind.counterexamples] if isinstance(c, Case) and c.family]
    bad = sorted({f for f in [*ind.family, *(c.family for c in cases)] if f not in families})
    if bad:
        raise fail(f"unknown unit family {bad} (units.toml families, or {NO_UNIT!r})")
    for pattern in [*ind.patterns, *ind.exclude]:
        _check_pattern(path, ind.id, pattern, proofs)


def taxonomy_for(rules: RuleSet) -> Taxonomy:
    """The taxonomy of a RuleSet's folder, built once per RuleSet and kept with it (so the
    engine cache keeps it too)."""
    taxonomy = getattr(rules, "_taxonomy", None)
    if taxonomy is None:
        taxonomy = rules._taxonomy = load_taxonomy(rules)
    return taxonomy


@lru_cache(maxsize=1)
def _default_rules() -> RuleSet:
    return load_rules()


def classify(indicator: str, unit_family: str, rules: RuleSet | None = None) -> tuple[str, str]:
    """(indicator_id, sector) for an indicator text and its unit family, or ("", "").

    >>> classify("单位GDP能耗", "share")
    ('energy_intensity', 'energy')
    >>> classify("风电装机容量", "share")
    ('', '')
    """
    return taxonomy_for(rules or _default_rules()).classify(indicator, unit_family)


def check_examples(taxonomy: Taxonomy) -> tuple[int, list[str]]:
    """(cases run, failures) for every indicator's examples and counterexamples."""
    n, failures = 0, []
    for ind in taxonomy.indicators:
        for case in ind.examples:
            text, family = _case(case, ind.family[0])
            got, _ = taxonomy.classify(text, family)
            n += 1
            if got != ind.id:
                failures.append(f"{RULE_FILE}:{ind.id}:{text} [{family}]: got {got or 'nothing'!r}")
        for case in ind.counterexamples:
            text, family = _case(case, "")
            for fam in [family] if family else ind.family:
                n += 1
                if taxonomy.classify(text, fam)[0] == ind.id:
                    failures.append(f"{RULE_FILE}:{ind.id}:{text} [{fam}]: counterexample maps to it")
    return n, failures


def _case(case: Union[str, Case], default_family: str) -> tuple[str, str]:
    if isinstance(case, str):
        return case, default_family
    return case.text, case.family or default_family
