"""One document, read in order: each sentence resolved with the context the ones before give.

The outline gives each sentence its section (path and role); the pass carries the headline
year from sentence to sentence (GUIDE: a sentence that opens with a year phrase and states no
target of its own, or that list items follow, heads the next sentences up to the next year
phrase, heading or blank line) and gives a 其中 sentence the year in force at the end of the
one before it. Numbers in history, outlook and project sections give no target.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import Optional

from targets.core.context import DocContext, Scope
from targets.core.outline import Outline, Reader
from targets.core.resolve import Resolved, Resolver
from targets.core.segment import Sentence, Table, blocks
from targets.core.steps.years import is_history
from targets.core.tables import table_targets

NO_TARGETS = ("history", "outlook", "projects", "conditions")
SENTENCE_STOPS = "。!?！？\n"  # where segment ends a sentence (its SENTENCE pattern)


@dataclass(frozen=True)
class YearInForce:
    """A year carried to later sentences, and the rule that set it."""

    year: Optional[int]
    rule: str
    past: bool = False


class DocumentPass:
    """The state carried from sentence to sentence of one document."""

    def __init__(self, text: str, resolver: Resolver, reader: Reader, doc: DocContext):
        self.text, self.resolver, self.doc = text, resolver, doc
        self.outline: Outline = reader.outline(text)
        rules = resolver.rules
        self.lead = rules.rx(rules.outline.headline.lead)
        self.continues = rules.rx(rules.outline.headline.continues)
        self.headline: Optional[YearInForce] = None
        self.at_end: Optional[YearInForce] = None  # the year in force where the last sentence ended
        self.in_list = False

    def run(self, starts: Optional[list[int]]) -> list[tuple[Resolved, Sentence]]:
        """(target, sentence) of the whole text; `starts`: where the pre-scan found quantities."""
        out: list[tuple[Resolved, Sentence]] = []
        found = blocks(self.text, self.outline.cuts())
        previous_end = 0
        for i, block in enumerate(found):
            start = block.rows[0][0] if isinstance(block, Table) else block.start
            self.mark_breaks(previous_end, start)
            section = self.outline.section_at(start)
            item = self.outline.item_at(start)
            self.in_list = self.in_list or bool(item)
            scope = Scope(self.doc, section.path, section.role, section.role_rule, list_item=self.in_list)
            if isinstance(block, Table):
                previous_end = block.rows[-1][0] + 1
                if section.role not in NO_TARGETS:
                    out += table_targets(block, self.resolver, scope)
                continue
            previous_end = block.end
            if section.role in NO_TARGETS:
                self.headline = self.at_end = None
                continue
            scope = self.with_year(block, scope)
            targets = (self.resolver.sentence(block.text, scope)
                       if self.has_quantity(block, starts) else [])
            self.after(block, targets, scope, self.list_follows(found, i))
            out += [(r, block) for r in targets]
        return out

    def mark_breaks(self, previous_end: int, start: int) -> None:
        """A heading or a blank line ends the headline and the list."""
        between = self.text[previous_end:start]
        if self.outline.heading_between(previous_end, start + 1) or between.count("\n") >= 2:
            self.headline = None
            self.in_list = False

    def with_year(self, block: Sentence, scope: Scope) -> Scope:
        if self.continues.match(block.text) and self.at_end:
            y = self.at_end
            return replace(scope, year=y.year, year_source="其中", year_rule=y.rule, past=y.past)
        if self.headline:
            h = self.headline
            return replace(scope, year=h.year, year_rule=h.rule,
                           year_source="list" if self.in_list else "headline")
        return scope

    def has_quantity(self, block: Sentence, starts: Optional[list[int]]) -> bool:
        # A block that does not start after a stop (a piece of an overlong sentence, a text
        # after a heading's title) is always resolved: the pre-scan may have matched across.
        if starts is None or (block.start and self.text[block.start - 1] not in SENTENCE_STOPS):
            return True
        return bisect.bisect_left(starts, block.start) < bisect.bisect_left(starts, block.end)

    def list_follows(self, found: list, i: int) -> bool:
        nxt = found[i + 1] if i + 1 < len(found) else None
        return isinstance(nxt, Sentence) and self.outline.item_at(nxt.start) is not None

    def after(self, block: Sentence, targets: list[Resolved], scope: Scope, list_next: bool) -> None:
        """Update the headline and the year in force from what this sentence said."""
        marks = self.resolver.matcher.years(block.text) if self.may_hold_year(block) else []
        lead = self.lead.match(block.text)
        opening = next((m for m in marks if m.start <= (lead.end() if lead else 0)), None)
        deadlines = [m for m in marks if m.role == "deadline" and not is_history(m, self.doc)]
        if opening is not None:
            if is_history(opening, self.doc) or opening.role != "deadline":
                self.headline = None
            elif not targets or list_next:
                self.headline = YearInForce(opening.year, f"headline:year:{opening.rule_id}")
            else:
                self.headline = None
        elif deadlines and targets:
            self.headline = None
        if marks:
            last = marks[-1]
            past = last.role == "history" or is_history(last, self.doc)
            self.at_end = YearInForce(None if past else last.year, f"其中:year:{last.rule_id}", past)
        else:
            self.at_end = YearInForce(scope.year, scope.year_rule, scope.past) if scope.year or scope.past else None

    def may_hold_year(self, block: Sentence) -> bool:
        """A cheap test before the year patterns run (years.toml's marks_contain)."""
        return any(word in block.text for word in self.resolver.rules.years.marks_contain)
