"""exclusions.toml: numbers that are not targets (thresholds, ordinals, labels, effects, history)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Optional

from targets.core.schema import Examples, Pattern
from targets.core.steps.units import SHARE_FAMILIES

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft


class Exclusion(Examples):
    id: str
    before: Optional[Pattern] = None  # anchored at the end of the text before the number
    after: Optional[Pattern] = None  # anchored at the start of the text after its unit
    clause: Optional[Pattern] = None  # searched in the number's clause
    sentence: Optional[Pattern] = None  # searched in the whole sentence
    earlier: Optional[Pattern] = None  # searched in the sentence before the number's clause
    # `any`: one of before/after/clause is enough; `all`: each one given must match
    match: Literal["any", "all"] = "any"
    unless_before: Optional[Pattern] = None  # not when this ends the text before the number
    without_year: bool = False  # the rule applies only where no deadline year is in scope
    units: Literal["all", "amount", "measure", "count"]  # measure: neither a share nor a count
    unit_ids: list[str] = []  # only these units (units.toml ids), when given
    # The number qualifies the noun after it (超过43%的柴油发动机1000台): its verb is not the
    # predicate of a later number of the clause, nor a cut of that number's subject.
    qualifies_noun: bool = False
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
        self.rules = [(e, rx(e.before) if e.before else None, rx(e.after) if e.after else None,
                       rx(e.clause) if e.clause else None,
                       rx(e.unless_before) if e.unless_before else None,
                       rx(e.sentence) if e.sentence else None, rx(e.earlier) if e.earlier else None)
                      for e in rules.exclusions]
        # One search each for "could any rule's words stand here?": most numbers meet none. A rule
        # that needs all its words and has words after the number is looked for by those alone
        # (率达到 stands before most shares; 率达到N%的… before few).
        first = [e for e in rules.exclusions if not (e.match == "all" and e.after)]
        self.any_before = self._any(rules, [e.before for e in first])
        self.any_after = self._any(rules, [e.after for e in rules.exclusions])
        self.any_clause = self._any(rules, [e.clause for e in first])
        self.sentence_rules = [(k, r[5], r[6]) for k, r in enumerate(self.rules) if r[5] or r[6]]

    @staticmethod
    def _any(rules, patterns: list[Optional[str]]):
        present = [f"(?:{p})" for p in patterns if p]
        return rules.rx("|".join(present)) if present else None

    _sentence_of: tuple[Optional[str], dict[int, tuple[bool, Optional[int]]]] = (None, {})

    def in_sentence(self, sentence: str) -> dict[int, tuple[bool, Optional[int]]]:
        """The rules whose sentence words stand in the sentence: {rule index: (its `sentence`
        words found, where its `earlier` words first stand)}. Searched once a sentence, not once
        for each of its quantities (the same string, one after another); each pattern alone,
        which is faster than all of them in one alternation."""
        if sentence is not self._sentence_of[0]:
            found = {}
            for k, sentence_rx, earlier_rx in self.sentence_rules:
                whole = bool(sentence_rx and sentence_rx.search(sentence))
                first = earlier_rx.search(sentence) if earlier_rx else None
                if whole or first:
                    found[k] = (whole, first.start() if first else None)
            self._sentence_of = (sentence, found)
        return self._sentence_of[1]

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        before, text, suffix, local = clause.before, clause.text, clause.suffix, clause.local
        in_sentence = self.in_sentence(clause.sentence)
        if not ((self.any_before and self.any_before.search(before))
                or (self.any_after and self.any_after.match(suffix))
                or (self.any_clause and self.any_clause.search(text))
                or in_sentence):
            return None
        q = clause.quantity
        unit = q.unit_rule
        no_year = draft.get("target_year") is None
        for k, (rule, before_rx, after_rx, clause_rx, unless_rx, sentence_rx, earlier_rx) in enumerate(self.rules):
            if not applies_to(rule.units, unit.family, q.count) or (rule.without_year and not no_year):
                continue
            if rule.unit_ids and unit.id not in rule.unit_ids:
                continue
            whole, first = in_sentence.get(k, (False, None))
            hits = [rx_hit for rx_hit in ((before_rx and bool(before_rx.search(before))),
                                          (after_rx and bool(after_rx.match(suffix))),
                                          (clause_rx and bool(clause_rx.search(text))),
                                          (sentence_rx and whole),
                                          (earlier_rx and first is not None and first < clause.start))
                    if rx_hit is not None]
            if (all(hits) if rule.match == "all" else any(hits)) and hits:
                if not (unless_rx and unless_rx.search(local)):
                    return f"exclusion:{rule.id}"
        return None
