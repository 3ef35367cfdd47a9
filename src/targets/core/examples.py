"""Run every rule's examples and counterexamples: the proof each rule carries with it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from targets.core.indicators import check_examples, taxonomy_for
from targets.core.outline import check_outline_examples
from targets.models import Target
from targets.core.pipeline import extract_text
from targets.core.rulebook import RuleSet


@dataclass(frozen=True)
class Case:
    file: str
    rule_id: str
    text: str
    expect: list[dict[str, Any]] | None  # None: a counterexample, must give nothing
    same_count: bool = True

    @property
    def name(self) -> str:
        return f"{self.file}:{self.rule_id}:{self.text[:24]}"


def cases(rules: RuleSet) -> Iterator[Case]:
    for file, rule_id, rule in rules.example_sets():
        for ex in rule.examples:
            yield Case(file, rule_id, ex.text, ex.expect)
        for text in rule.counterexamples:
            yield Case(file, rule_id, text, None)
        for text in getattr(rule, "counterexamples_one", []):
            yield Case(file, rule_id, text, [{}])


def _same(record: Target, key: str, want: Any, text: str) -> bool:
    if key == "surface":  # the span pinned: the text it holds, as written
        return text[record.char_start:record.char_end] == want
    got = getattr(record, key)
    if want == "":
        return got in (None, "")
    if isinstance(got, float) and isinstance(want, (int, float)):
        return abs(got - want) < 1e-6
    return got == want


def check(case: Case, rules: RuleSet) -> str | None:
    """None when the case holds, else what went wrong."""
    found = extract_text(case.text, rules)
    expect = case.expect or []
    if len(found) != len(expect):
        got = [(t.value, t.unit, t.indicator) for t in found]
        return f"{case.name}: expected {len(expect)} record(s), got {len(found)}: {got}"
    for i, (record, want) in enumerate(zip(found, expect)):
        wrong = {k: (case.text[record.char_start:record.char_end] if k == "surface" else getattr(record, k), v)
                 for k, v in want.items() if not _same(record, k, v, case.text)}
        if wrong:
            return f"{case.name}: record {i}: (got, expected) {wrong}"
    return None


def run_all(rules: RuleSet) -> tuple[int, list[str]]:
    """(number of cases run, failures)."""
    all_cases = list(cases(rules))
    failures = [f for c in all_cases if (f := check(c, rules))]
    # Indicator examples are indicator texts, not sentences: they are classified, not extracted.
    n_indicators, indicator_failures = check_examples(taxonomy_for(rules))
    # Outline examples are texts and the headings found in them; section examples are titles.
    n_outline, outline_failures = check_outline_examples(rules)
    return (len(all_cases) + n_indicators + n_outline,
            failures + indicator_failures + outline_failures)
