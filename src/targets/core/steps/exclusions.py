"""exclusions.toml: numbers that are not targets (thresholds, ordinals, labels, effects, history)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Optional

from targets.core.schema import Examples, Pattern

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft

SHARE_FAMILIES = ("share", "share_change")


class Exclusion(Examples):
    id: str
    before: Optional[Pattern] = None  # anchored at the end of the text before the number
    after: Optional[Pattern] = None  # anchored at the start of the text after its unit
    clause: Optional[Pattern] = None  # searched in the number's clause
    without_year: bool = False  # the rule applies only where no deadline year is in scope
    units: Literal["all", "amount", "measure", "count"]  # measure: neither a share nor a count
    reason: str


def applies_to(scope: str, family: str, count: bool) -> bool:
    """Whether an exclusion of this `units` scope covers a quantity of this unit."""
    if scope in ("amount", "measure") and family in SHARE_FAMILIES:
        return False
    if scope == "measure" and count:
        return False
    return not (scope == "count" and not count)


class Excluded:
    """Step: the first exclusion whose words stand around the number rejects it."""

    def __init__(self, rules):
        rx = rules.rx
        self.rules = [(e.id, rx(e.before) if e.before else None, rx(e.after) if e.after else None,
                       rx(e.clause) if e.clause else None, e.units, e.without_year)
                      for e in rules.exclusions]

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        unit = clause.quantity.unit_rule
        no_year = draft.get("target_year") is None
        before, text, suffix = clause.before, clause.text, clause.suffix
        for rule_id, before_rx, after_rx, clause_rx, scope, without_year in self.rules:
            if not applies_to(scope, unit.family, unit.count) or (without_year and not no_year):
                continue
            if ((before_rx and before_rx.search(before)) or (after_rx and after_rx.match(suffix))
                    or (clause_rx and clause_rx.search(text))):
                return f"exclusion:{rule_id}"
        return None
