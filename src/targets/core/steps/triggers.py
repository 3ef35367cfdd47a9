"""triggers.toml: what makes a number a commitment (verbs, count verbs, predicates)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from targets.core.schema import Examples, Pattern

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft


class Triggers(Examples):
    verbs: Pattern
    count_verbs: Pattern
    goal_after: Pattern  # a goal's own predicate after the noun a share counts (…先行达到…)
    predicates: Pattern  # what ends a subject: the verbs and comparators of a predicate


def has_words(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def predicate_pattern(rules) -> str:
    """What opens a predicate: a verb, a change word, a comparator before the number, a
    baseline, a 分别/均/双 marker. A later number of a clause without one shares the
    previous number's predicate (A、B分别不低于X、Y: Y is >= too)."""
    words = [c.pattern.strip("^$") for c in rules.comparators if c.position == "before"]
    return "|".join([rules.triggers.verbs, rules.changes.down, rules.changes.up, *words,
                     *rules.changes.base.values(), rules.split.shared_markers])


class Commitment:
    """Step: a number is a target when a deadline, a comparator, a strive word or a verb says
    so. Counts need a count verb (or follow a count target: 创建绿色工厂200家，绿色园区30家);
    a Chinese numeral counts only right after its verb (elsewhere it is a name: 七台河), and an
    amount in one only right after its predicate (达到三十六亿千瓦, 过千亿元)."""

    def __init__(self, rules):
        self.verbs = rules.rx(rules.triggers.verbs)
        self.count_verbs = rules.rx(rules.triggers.count_verbs)
        self.count_verb_at_end = rules.rx(f"(?:{rules.triggers.count_verbs})$")
        # An amount in Chinese numerals (三十六亿千瓦, 过千亿元) stands right after its predicate.
        self.predicate_at_end = rules.rx(f"(?:{predicate_pattern(rules)})$")
        self.round_after = rules.rx(f"(?:{rules.numerals.round_after})$")
        self.numerals = rules.numerals
        self.goal_after = rules.rx(rules.triggers.goal_after)
        self.count_units = {f"unit:{u.id}" for u in rules.units if u.count}
        self.one = next(k for k, v in rules.numerals.digits.items() if v == 1)

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        q, prefix, last = clause.quantity, clause.prefix, clause.last
        if q.chinese:
            # Right after its verb (打造两到三个示范基地), or near it and ending its clause
            # (建成绿色矿山十家); one that runs on into a noun names something (创建建筑业十项新技术…).
            if not q.count:  # an amount (三十六亿千瓦): right after its predicate; a round one
                # (千亿元) right after a comparing word, else it names a size (打造千万吨炼油…基地)
                round_ = not any(c in self.numerals.digits for c in q.number)
                if (self.round_after if round_ else self.predicate_at_end).search(prefix):
                    draft.decided_by["trigger"] = "trigger:predicate"
                    return None
                return "trigger:chinese_numeral"
            near = self.count_verbs.search(prefix[-6:]) and not has_words(clause.suffix)
            if q.number != self.one and (self.count_verb_at_end.search(prefix) or near):
                draft.decided_by["trigger"] = "trigger:count_verb"
                return None
            return "trigger:chinese_numeral"
        if q.count:
            if last is not None and last.decided_by.get("unit", "").split("+")[0] in self.count_units:
                draft.decided_by["trigger"] = "trigger:count_list"
                return None
            if self.count_verbs.search(prefix):
                draft.decided_by["trigger"] = "trigger:count_verb"
                return None
            return "trigger:no_count_verb"
        for field in ("target_year", "strive"):
            if draft.get(field):
                draft.decided_by["trigger"] = f"trigger:{field}"
                return None
        if draft["comparator"] != "=":
            draft.decided_by["trigger"] = "trigger:comparator"
            return None
        if self.verbs.search(prefix):
            draft.decided_by["trigger"] = "trigger:verb"
            return None
        if self.goal_after.match(clause.suffix):
            draft.decided_by["trigger"] = "trigger:goal_after"
            return None
        return "trigger:none"
