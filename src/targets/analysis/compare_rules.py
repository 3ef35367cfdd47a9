"""rules/compare.toml: which documents speak for a province, their order without a date, and
how values read in compare.xlsx. Validated at load; `targets rules check` runs its examples."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import regex
from pydantic import Field

from targets.analysis.diff import DiffRules, load_diff_rules, version_key
from targets.core.rulebook import RuleSet
from targets.core.schema import Strict, check_pattern
from targets.core.tomlfile import Rx, validate
from targets.models import Document, RuleError

RULE_FILE = "compare.toml"
COMPREHENSIVE, SECTOR = "comprehensive", "sector"


class Order(Strict):
    pattern: Rx
    rank: int
    examples: list[str] = Field(min_length=1)


class Documents(Strict):
    comprehensive: Rx
    sector: Rx
    comprehensive_examples: list[str] = Field(min_length=1)
    sector_examples: list[str] = Field(min_length=1)
    order: list[Order] = Field(min_length=1)


class Measures(Strict):
    base: str = Field(pattern=r"\{base\}")
    level: str
    change_down: str
    change_up: str
    change: str
    increment: str


class Display(Strict):
    unit_std: str
    unit: str
    factor: float = Field(gt=0)


class CompareRules(Strict):
    documents: Documents
    measures: Measures
    display: list[Display] = []

    def display_of(self, unit_std: str) -> tuple[str, float]:
        """(unit shown, factor on value_std) for a standard unit; itself and 1 when not listed."""
        hit = next((d for d in self.display if d.unit_std == unit_std), None)
        return (hit.unit, hit.factor) if hit else (unit_std, 1.0)

    def measure_zh(self, kind: str, direction: str, base: str) -> str:
        """How a measure reads after the indicator's name: 比2020年下降, 新增, or nothing."""
        name = f"{kind}_{direction}" if kind == "change" and direction else kind
        words = getattr(self.measures, name, "")
        return (self.measures.base.format(base=base) if base and kind == "change" else "") + words


class Classifier:
    """A document's kind (comprehensive or sector) and its rank in the undated order."""

    def __init__(self, rules: CompareRules, diff_rules: DiffRules):
        self.rules, self.diff_rules = rules, diff_rules
        docs = rules.documents
        self._comprehensive, self._sector = (regex.compile(p, regex.V1) for p in (docs.comprehensive, docs.sector))
        self._order = [(regex.compile(o.pattern, regex.V1), o.rank) for o in docs.order]

    def bare_title(self, title: str) -> tuple[str, int]:
        """(title without version markers, years and spaces; the version order of diff.toml)."""
        _, bare, version = version_key(Document(doc_id="", source="", doc_title=title), self.diff_rules)
        return bare, version

    def kind(self, title: str) -> str:
        bare, _ = self.bare_title(title)
        if self._comprehensive.search(bare) and not self._sector.search(bare):
            return COMPREHENSIVE
        return SECTOR

    def rank(self, title: str) -> int:
        bare, _ = self.bare_title(title)
        return next((r for rx, r in self._order if rx.search(bare)), max(r for _, r in self._order) + 1)

    def check_examples(self) -> tuple[int, list[str]]:
        """(cases run, failures) of the examples in compare.toml."""
        docs, failures, n = self.rules.documents, [], 0
        for want, titles in ((COMPREHENSIVE, docs.comprehensive_examples), (SECTOR, docs.sector_examples)):
            for title in titles:
                n += 1
                if self.kind(title) != want:
                    failures.append(f"{RULE_FILE}:documents:{title}: is {self.kind(title)}, expected {want}")
        for order in docs.order:
            for title in order.examples:
                n += 1
                if self.rank(title) != order.rank:
                    failures.append(f"{RULE_FILE}:documents.order:{title}: rank {self.rank(title)}, "
                                    f"expected {order.rank}")
        return n, failures


def load_compare_rules(rules: RuleSet) -> Classifier:
    """compare.toml of a rule folder, validated; RuleError names the file and the key."""
    path = Path(rules.directory) / RULE_FILE
    raw: Optional[dict] = rules.extra.get(Path(RULE_FILE).stem)
    if raw is None:
        raise RuleError(f"{path}: rule file missing (`targets compare` needs it)")
    parsed = validate(path, CompareRules, raw, label="key")
    for key, pattern in [("documents.comprehensive", parsed.documents.comprehensive),
                         ("documents.sector", parsed.documents.sector),
                         *(("documents.order", o.pattern) for o in parsed.documents.order)]:
        check_pattern(path, key, pattern)
    return Classifier(parsed, load_diff_rules(Path(rules.directory)))
