"""comparators.toml: >=, <=, ~ or = from the words right before the number or after its unit."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Optional

from targets.core.schema import Examples, Pattern

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft

BEFORE_WINDOW = 6  # characters before the number a `before` comparator may stand in


class Comparator(Examples):
    id: str
    symbol: Literal[">=", "<=", "~", "="]
    position: Literal["before", "after"]
    pattern: Pattern


class Bound:
    """Step: the comparator. `~` wins over any other (控制在…左右); a range is `=`."""

    def __init__(self, rules):
        self.rules = [(c.symbol, c.position, rules.rx(c.pattern), c.id) for c in rules.comparators]

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        if clause.quantity.number_max:
            draft.decide("comparator", "=", "comparator:range")
            return None
        local, suffix = clause.local[-BEFORE_WINDOW:], clause.suffix
        found = [(symbol, rule_id) for symbol, position, rx, rule_id in self.rules
                 if (rx.match(suffix) if position == "after" else rx.search(local))]
        about = [f for f in found if f[0] == "~"]
        symbol, rule_id = (about or found or [("=", "")])[0]
        draft.decide("comparator", symbol, f"comparator:{rule_id}" if rule_id else "comparator:plain")
        return None



class SharedBound:
    """Step: a later number of a clause with no predicate of its own takes the previous
    number's comparator (A、B分别不低于X、Y: Y is >= too)."""

    def __init__(self, rules, predicates):
        self.predicates = predicates

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        prev = clause.same_clause_last
        if prev and draft["comparator"] == "=" and not clause.predicated(self.predicates, since_clause=False):
            draft.decide("comparator", prev["comparator"], "comparator:shared")
        return None
