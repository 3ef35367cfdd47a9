"""changes.toml: level, change or increment; the direction and the baseline year of a change."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from targets.core.schema import Examples, Pattern
from targets.core.steps.units import SHARE_FAMILIES

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft


class Changes(Examples):
    down: Pattern
    up: Pattern
    to_level: Pattern
    level_before: Pattern  # 至/到 right before the number: a level, whatever verb came before
    increment: Pattern
    stock: Pattern
    yearly: Pattern  # an amount built each year is an amount added
    own_predicate_after: Pattern  # a number's own predicate after the noun it counts
    rate_down: Pattern
    rate_up: Pattern
    base: dict[str, Pattern]  # id -> a pattern with a (?P<y>…) year
    scoped_base: list[str]  # base ids whose phrase heads the rest of its sentence
    increment_after: Pattern  # an increment verb after the counted noun (2个低碳社区创建)
    project: Pattern  # a count of these is an amount added (60个节能项目)
    property: Pattern  # an indicator that is a measure of each thing (高度): it never adds up
    property_units: list[str] = []  # units.toml ids whose amounts measure each thing (层)
    per_each: Pattern  # a limit on each one of the things, right before the number (每个不超过)


class Kind:
    """Step: kind and direction, read from the end of the text before the number.

    A change verb not followed by a `to_level` word makes a change (比2020年下降16%; 下降到60%
    is a level); otherwise an increment verb makes an increment for amounts that add up, never
    for shares, unless a stock word keeps it a level; an indicator that is a rate (下降率,
    增速) makes a change; a later number of a clause with no predicate of its own shares the
    previous one's kind.
    """

    def __init__(self, rules, predicates):
        rx, ch = rules.rx, rules.changes
        self.change = rx(f"(?P<down>{ch.down})|(?P<up>{ch.up})")
        self.to_level, self.level_before = rx(ch.to_level), rx(ch.level_before)
        self.increment, self.stock, self.yearly = rx(ch.increment), rx(ch.stock), rx(ch.yearly)
        self.own_predicate_after = rx(ch.own_predicate_after)
        self.increment_after = rx(ch.increment_after)
        self.property, self.property_units = rx(ch.property), set(ch.property_units)
        self.per_each = rx(ch.per_each)
        self.flows = {f"/{d}" for d in rules.units.flow_denominators}
        self.project = rx(ch.project)
        self.rate = rx(f"(?P<down>{ch.rate_down})|(?P<up>{ch.rate_up})")
        self.predicates = predicates

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        kind, direction, rule = self.kind(clause, draft["indicator"])
        draft.decide("kind", kind, f"kind:{rule}")
        draft.decide("direction", direction, f"kind:{rule}" if direction else "")
        return None

    def kind(self, clause: "Clause", indicator: str) -> tuple[str, str, str]:
        q, local, prev = clause.quantity, clause.local, clause.same_clause_last
        if (prev is None and clause.last and not clause.predicated(self.predicates)
                and not self.own_predicate_after.match(clause.suffix)):
            # 新增装机872万千瓦，其中风电360万千瓦: a clause with no predicate (one after the
            # number, 80%以上的机关达到…要求, is its own)
            prev = clause.last
        # A qualifier's change verb is its own (能效提升20%以上的建筑面积达到200万平方米); an
        # increment verb before the qualifier is still this quantity's (新增热效率超过43%的…1000台).
        changes = ([] if self.level_before.search(local) else
                   [m for m in self.change.finditer(local, clause.own_from)
                    if not self.to_level.match(local[m.end():])])
        increments = list(self.increment.finditer(local))
        adds_up = (q.unit_rule.family not in SHARE_FAMILIES and not self.property.search(indicator)
                   and q.unit_rule.id not in self.property_units and not self.per_each.search(local)
                   and (not q.per or q.per in self.flows))  # a rate (吨/万平方米) adds up to nothing
        if changes and not (adds_up and increments and increments[-1].start() > changes[-1].start()):
            return "change", "down" if changes[-1].group("down") else "up", "change_verb"
        rate = self.rate.search(indicator)
        if rate:
            return "change", "down" if rate.group("down") else "up", "rate"
        if q.unit_rule.family == "share_change":
            return "change", (prev["direction"] if prev and prev["direction"] else "up"), "points"
        if prev and not clause.predicated(self.predicates, since_clause=False):
            return prev["kind"], prev["direction"], "shared"
        if self.stock.search(local):
            if adds_up and self.yearly.search(local):
                return "increment", "", "yearly"
            return "level", "", "level"
        if adds_up and increments:
            return "increment", "", "increment_verb"
        if adds_up and q.count and self.increment_after.match(clause.suffix):
            return "increment", "", "increment_after"
        if q.count and self.project.search(indicator):
            return "increment", "", "project"
        return "level", "", "level"


class Baseline:
    """Step: the baseline year of a change (比2020年, 在2025年基础上, 以2020年为基准)."""

    def __init__(self, rules):
        self.bases = [(rule_id, rules.rx(b)) for rule_id, b in rules.changes.base.items()]
        self.scoped = [(rule_id, rx) for rule_id, rx in self.bases if rule_id in rules.changes.scoped_base]

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        if draft["kind"] != "change":
            draft.decide("base_year", None, "")
            return None
        for rule_id, rx in self.bases:
            found = list(rx.finditer(clause.prefix))
            if found:
                draft.decide("base_year", int(found[-1].group("y")), f"base:{rule_id}")
                return None
        # 在2020年的基础上，人均用水量下降7%，二氧化碳排放下降7%: a base phrase heads the list.
        for rule_id, rx in self.scoped:
            found = list(rx.finditer(clause.sentence, 0, clause.start))
            if found:
                draft.decide("base_year", int(found[-1].group("y")), f"base:{rule_id}")
                return None
        draft.decide("base_year", None, "")
        return None
