"""comparators.toml: >=, <=, ~ or = from the words right before the number or after its unit."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Optional

from targets.core.schema import Examples, Pattern, Strict

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft

BEFORE_WINDOW = 6  # characters before the number a `before` comparator may stand in


class Comparator(Examples):
    id: str
    symbol: Literal[">=", "<=", "~", "="]
    position: Literal["before", "after"]
    pattern: Pattern


class Comparators(Strict):
    """comparators.toml: the comparators, and what may stand between a `before` one and a
    share it qualifies (不低于最大用电负荷5%: the whole the share is of)."""
    reference_gap: Pattern
    comparator: list[Comparator]

    def __iter__(self):
        return iter(self.comparator)


class Bound:
    """Step: the comparator. `~` wins over any other (控制在…左右); a range is `=`."""

    def __init__(self, rules):
        self.rules = [(c.symbol, c.position, rules.rx(c.pattern), c.id) for c in rules.comparators]
        gap = rules.comparators.reference_gap
        self.gapped = [(c.symbol, rules.rx(f"(?:{c.pattern.removesuffix('$')}){gap}$"), c.id)
                       for c in rules.comparators if c.position == "before"]

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        if clause.quantity.number_max:
            draft.decide("comparator", "=", "comparator:range")
            return None
        q = clause.quantity
        local = clause.local[-BEFORE_WINDOW:]
        # A listed number (137、165亿立方米左右) is qualified by what follows the shared unit.
        # The rest of the sentence, not of the clause: an `after` comparator is anchored at its
        # start, and an aside before it may hold a comma (15万亿元(人民币,下同)以上).
        suffix = clause.sentence[q.owner_end if q.shared_unit else q.end:]
        found = [(symbol, rule_id) for symbol, position, rx, rule_id in self.rules
                 if (rx.match(suffix) if position == "after" else rx.search(local))]
        if not found and q.unit_rule.family == "share":
            # 不低于最大用电负荷5%: a share's comparator may stand before the whole it is of.
            found = [(symbol, rule_id) for symbol, rx, rule_id in self.gapped if rx.search(clause.local)]
        about = [f for f in found if f[0] == "~"]
        symbol, rule_id = (about or found or [("=", "")])[0]
        draft.decide("comparator", symbol, f"comparator:{rule_id}" if rule_id else "comparator:plain")
        return None



class SharedBound:
    """Step: a later number of a clause with no predicate of its own takes the previous
    number's comparator (A、B分别不低于X、Y: Y is >= too)."""

    def __init__(self, rules, predicates):
        self.predicates = predicates
        self.before = {f"comparator:{c.id}" for c in rules.comparators if c.position == "before"}

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        prev = clause.same_clause_last
        # Only a comparator before the first number is shared: a 左右 after 36% is 36%'s alone.
        if (prev and draft["comparator"] == "=" and prev.decided_by.get("comparator") in self.before
                and not clause.predicated(self.predicates, since_clause=False)):
            draft.decide("comparator", prev["comparator"], "comparator:shared")
        return None
