"""Raw matches + their context -> typed targets: a fixed, ordered list of steps over each clause.

Each quantity of a sentence becomes a `Clause` (context.py). The steps below are applied to it
in order, as dateparser applies its parsers: each reads the clause and the fields decided so
far, decides its own fields with the id of the rule that made them, or rejects the quantity
with the id of the rule that did. Then one target may become several (split.py), and a
分别 sentence pairs its items with its values. Every step lives in the module of its rule file
(steps/); this module only composes them. Adding a construction means adding a rule, or a step
to STEPS, not editing a class.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from targets.core.context import Clause, DocContext, Draft, Scope
from targets.core.match import Matcher, YearMark, clause_bounds
from targets.core.outline import Reader
from targets.core.steps.changes import Baseline, Kind
from targets.core.steps.comparators import Bound, SharedBound
from targets.core.steps.exclusions import Excluded
from targets.core.steps.split import Items, ListedCount, Respectively, Splitting
from targets.core.steps.strive import Striving
from targets.core.steps.subjects import Subject
from targets.core.steps.triggers import Commitment, predicate_pattern
from targets.core.steps.units import Amount
from targets.core.steps.years import Deadline

# The order in which decisions are made, and so what each step may read: the deadline first
# (exclusions and the commitment test read it), the subject before the kind (a rate subject,
# 下降率, makes a change).
STEPS = ("deadline", "excluded", "listed_count", "amount", "bound", "striving", "commitment",
         "subject", "shared_bound", "kind", "baseline")
# decided_by lists the rules in this order of fields.
TRACED = ("target_year", "unit", "comparator", "strive", "trigger", "indicator", "kind", "base_year")
DEFAULT_DOC = DocContext(present=2021, present_rule="years:present:default")
# A quantity rejected by these is part of a later quantity's subject, not a boundary of it.
QUALIFIER_REJECTIONS = ("exclusion:",)


@dataclass(frozen=True)
class Resolved:
    """The typed fields of one target, its span relative to its sentence."""

    indicator: str
    value: float
    value_max: Optional[float]
    unit: str
    value_std: Optional[float]
    unit_std: str
    comparator: str
    kind: str
    direction: str
    base_year: Optional[int]
    target_year: Optional[int]
    strive: bool
    start: int
    end: int
    rule_id: str
    year_source: str = ""
    decided_by: str = ""
    section: str = ""


class Resolver:
    """The steps of a rule set, compiled once, applied to one sentence at a time."""

    def __init__(self, rules, matcher: Matcher | None = None):
        self.rules = rules
        self.matcher = matcher or Matcher(rules)
        predicates = rules.rx(predicate_pattern(rules))
        items = Items(rules)
        self.steps = {
            "deadline": Deadline(rules), "excluded": Excluded(rules),
            "listed_count": ListedCount(rules), "amount": Amount(rules), "bound": Bound(rules),
            "striving": Striving(rules, self.matcher), "commitment": Commitment(rules),
            "subject": Subject(rules, self.matcher), "shared_bound": SharedBound(rules, predicates),
            "kind": Kind(rules, predicates), "baseline": Baseline(rules)}
        self.order = [self.steps[name] for name in STEPS]
        self.noun_qualifiers = {f"exclusion:{e.id}" for e in rules.exclusions if e.qualifies_noun}
        self.splitting = Splitting(rules, items)
        self.respectively = Respectively(rules, items)
        self.reader = Reader(rules)  # the document's outline, for the pass over its sentences

    def sentence(self, text: str, scope: Scope | None = None) -> list[Resolved]:
        """Every target of one normalized sentence, left to right."""
        quantities = self.matcher.quantities(text)
        if not quantities:
            return []
        scope = scope or Scope(DEFAULT_DOC)
        years = tuple(self.matcher.years(text))
        found: list[Draft] = []
        last: Optional[Draft] = None
        boundary = None  # the last quantity that was not excluded as a qualifier
        qualifier = None  # the last one excluded as qualifying the noun after it
        for q in quantities:
            cs, ce = clause_bounds(text, q.start)
            previous = boundary if boundary and boundary.end > cs else None
            qualifier = qualifier if qualifier and qualifier.end > max(cs, previous.end if previous else 0) else None
            clause = Clause(text, q, cs, ce, previous, year_at(years, q.start), years, last, scope,
                            qualifier)
            draft = Draft({"start": q.start, "end": q.end})
            rejected = None
            for step in self.order:  # (a plain loop: 11 calls a quantity, a generator's cost adds up)
                rejected = step(clause, draft)
                if rejected is not None:
                    break
            if rejected is None or not rejected.startswith(QUALIFIER_REJECTIONS):
                boundary = q
            elif rejected in self.noun_qualifiers:
                qualifier = q
            if rejected is not None:
                continue  # a step rejected it: not a target
            last = draft
            found += self.splitting(clause, draft)
        return [record(d, scope) for d in self.respectively(text, found, years)]


def year_at(years: tuple[YearMark, ...], pos: int) -> Optional[YearMark]:
    """The last year mark that ends before pos."""
    before = [y for y in years if y.end <= pos]
    return before[-1] if before else None


def record(draft: Draft, scope: Scope) -> Resolved:
    f, by = draft.fields, draft.decided_by
    split = by.get("indicator", "")
    rule_id = by["unit"] + (f"+{split}" if split.startswith("split:") and split != "split:respectively" else "")
    traced = [by[name] for name in TRACED if by.get(name)]
    return Resolved(
        f["indicator"], f["value"], f["value_max"], f["unit"], f["value_std"], f["unit_std"],
        f["comparator"], f["kind"], f["direction"], f["base_year"], f["target_year"], f["strive"],
        f["start"], f["end"], rule_id, f.get("year_source", ""), "; ".join(dict.fromkeys(traced)),
        scope.section)
