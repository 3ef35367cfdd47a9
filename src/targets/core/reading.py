"""One document, read in order: each sentence resolved with the context the ones before give.

The outline gives each sentence its section (path and role); the pass carries the headline
year from sentence to sentence (GUIDE: a sentence that opens with a year phrase and states no
target of its own, or that list items follow, heads the next sentences up to the next year
phrase, heading or blank line) and gives a 其中 sentence the year in force at the end of the
one before it. Numbers in history, outlook and project sections give no target.
"""
from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass, replace
from typing import Optional

from targets.core import schema
from targets.core.context import DocContext, Scope
from targets.core.outline import Outline, Reader
from targets.core.resolve import Resolved, Resolver
from targets.core.segment import (SENTENCE_MAX, STOPS, Gap, Sentence, Table, blocks, first_sentence_in,
                                  lazy_blocks, sentences_in)
from targets.core.steps.years import is_history
from targets.core.tables import table_targets

NO_TARGETS = ("history", "outlook", "projects", "conditions")
SENTENCE_STOPS = STOPS + "\n"  # where segment ends a sentence (its SENTENCE pattern)
# A sentence is read for an opening year phrase when a year hint stands in its first 2x this.
OPENING_SPAN = 24
# A sentence segment.py cuts into pieces (longer than SENTENCE_MAX) has a run of non-stops, or
# of stops, longer than half of that. (`re`: it tries this fixed pattern faster than `regex`.)
_HALF = SENTENCE_MAX // 2 + 1
_LONG_RUN = re.compile(rf"(?<![^{STOPS}\n])[^{STOPS}\n]{{{_HALF},}}|(?<![{STOPS}])[{STOPS}]{{{_HALF},}}")


@dataclass(frozen=True)
class YearInForce:
    """A year carried to later sentences, and the rule that set it."""

    year: Optional[int]
    rule: str
    past: bool = False


def document_budget(chars: int) -> float:
    """Seconds a document of `chars` characters may take: one pattern call's bound per
    sentence's length of text, far beyond what any document needs (a backstop)."""
    return schema.MATCH_TIMEOUT * (1 + chars / schema.SENTENCE_MAX)


class DocumentPass:
    """The state carried from sentence to sentence of one document."""

    def __init__(self, text: str, resolver: Resolver, reader: Reader, doc: DocContext):
        self.text, self.resolver, self.doc = text, resolver, doc
        # One deadline for the document, checked before each sentence or table is resolved:
        # a clock call per resolved sentence, not one per pattern call (see match.Matcher).
        self.deadline = time.monotonic() + document_budget(len(text))
        self.outline: Outline = reader.outline(text)
        self.years = OpeningYears(text, resolver, doc)
        self.headline: Optional[YearInForce] = None
        # The last sentence read and the year its context gave it (for a 其中 after it).
        self.previous: Optional[tuple[Sentence, Optional[tuple[YearInForce, str]]]] = None
        self.in_list = False

    def run(self, starts: Optional[list[int]]) -> list[tuple[Resolved, Sentence]]:
        """(target, sentence) of the whole text; `starts`: where the pre-scan found quantities
        (None: every sentence is resolved)."""
        out: list[tuple[Resolved, Sentence]] = []
        cuts = self.outline.cuts()
        self.gaps = gaps = Gaps(self.text, self.outline, cuts, self.years)
        found = blocks(self.text, cuts) if starts is None else lazy_blocks(self.text, cuts, gaps.wanted(starts))
        walk = _Walk(self.outline.starts, self.outline.item_starts, starts)
        self.previous_end = 0
        i = 0
        while i < len(found):
            block = found[i]
            if isinstance(block, Gap):
                if i + 1 == len(found):
                    break  # nothing after it is read
                if gaps.must_read(block, found[i + 1]):
                    found[i:i + 1] = sentences_in(self.text, block, cuts)
                    continue
                self.skip(found[i + 1], walk)
            else:
                out += self.read(block, walk, lambda: gaps.list_follows(found, i))
            i += 1
        return out

    def read(self, block: Sentence | Table, walk: "_Walk", list_next) -> list[tuple[Resolved, Sentence]]:
        """One block's targets, and the context it leaves to the next ones."""
        start = block.rows[0][0] if isinstance(block, Table) else block.start
        if walk.heading_between(self.previous_end, start) or self.text.count("\n", self.previous_end, start) >= 2:
            self.headline, self.in_list = None, False  # a heading or a blank line ends both
        self.in_list = self.in_list or walk.item_at(start)
        if isinstance(block, Table):
            self.previous_end = block.rows[-1][0] + 1
            scope = self.scope(start, None)
            if scope.role in NO_TARGETS:
                return []
            self.check_time()
            return table_targets(block, self.resolver, scope)
        self.previous_end = block.end
        year = self.year_in_context(block)
        targets: list[Resolved] = []
        if self.gaps.has_quantity(block, walk):
            scope = self.scope(start, year)
            if scope.role in NO_TARGETS:
                self.headline, self.previous = None, None
                return []
            self.check_time()
            targets = self.resolver.sentence(block.text, scope)
        self.headline = self.years.headline_after(block, targets, list_next, self.headline)
        self.previous = (block, year)
        return [(r, block) for r in targets]

    def skip(self, nxt: Sentence, walk: "_Walk") -> None:
        """What the sentences of a gap before `nxt` leave, with no target and no year phrase
        among them: a heading or a blank line between two of them ends the headline and list."""
        if (self.headline or self.in_list) and (walk.heading_between(self.previous_end, nxt.start)
                                                or self.gaps.blank_line(self.previous_end, nxt.start)):
            self.headline, self.in_list = None, False
        self.previous_end = nxt.start

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:  # the same error as a pattern call out of time
            raise TimeoutError("the document took longer than its budget")

    def scope(self, start: int, year: Optional[tuple[YearInForce, str]]) -> Scope:
        """The Scope of a sentence starting at `start`: its section, list and year in force."""
        section = self.outline.section_at(start)
        scope = Scope(self.doc, section.path, section.role, section.role_rule, list_item=self.in_list)
        if year is None:
            return scope
        y, source = year
        return replace(scope, year=y.year, year_source=source, year_rule=y.rule, past=y.past)

    def year_in_context(self, block: Sentence) -> Optional[tuple[YearInForce, str]]:
        """The year the context gives a sentence, and which context: 其中 takes the year in
        force where the sentence before it ended; else the headline's (or the list's)."""
        if self.years.continues.match(block.text) and self.previous:
            at_end = self.years.at_end(*self.previous)
            return (at_end, "其中") if at_end else None
        if self.headline:
            return self.headline, "list" if self.in_list else "headline"
        return None


class Gaps:
    """What the lazy reading needs to know of the text it does not segment: where sentences
    must be read, and what a stretch left unread (a Gap) would have changed."""

    def __init__(self, text: str, outline: Outline, cuts: list[int], years: "OpeningYears"):
        self.text, self.outline, self.years = text, outline, years
        self.cut_list, self.cuts = cuts, set(cuts)

    def wanted(self, starts: list[int]) -> list[int]:
        """Where a sentence must be segmented and read: a quantity, a year hint, or a sentence
        that segment.py cuts into pieces (each piece is resolved). Such a sentence with none of
        the others in it lies between two of them that are more than SENTENCE_MAX apart."""
        found = sorted([*starts, *self.years.hints])
        bounds = [0, *found, len(self.text)]
        long = [m.start() for a, b in zip(bounds, bounds[1:]) if b - a > SENTENCE_MAX
                for m in _LONG_RUN.finditer(self.text, a, b)]
        return sorted(found + long) if long else found

    def must_read(self, gap: Gap, nxt: Sentence | Table) -> bool:
        """Whether the unsegmented sentences before `nxt` can change what it reads: they are
        what a 其中 continues and what a sentence after a table does; a list item opens
        the list. (A heading or a blank line among them only ends what is in force: skip.)"""
        if isinstance(nxt, Table) or self.years.continues.match(nxt.text):
            return True
        items = self.outline.item_starts
        i = bisect.bisect_left(items, gap.start)
        if i < len(items) and items[i] < nxt.start:
            return True
        # An item at nxt's own start counts for a block that starts up to 2 before it.
        return (i < len(items) and items[i] - nxt.start <= 2
                and any(p == gap.start or self.text[p - 1] in SENTENCE_STOPS or p in self.cuts
                        for p in range(max(gap.start, nxt.start - 2), nxt.start)))

    def blank_line(self, start: int, end: int) -> bool:
        """Whether [start, end) holds a whole line with no sentence (two line breaks between two
        sentences): spaces, after stops that open it."""
        if self.text.count("\n", start, end) < 2:
            return False
        return any(not line.lstrip(STOPS).strip() for line in self.text[start:end].split("\n")[1:-1])

    def has_quantity(self, block: Sentence, walk: "_Walk") -> bool:
        # A block that starts neither after a stop nor at a heading's edge (a piece of an
        # overlong sentence) is always resolved: the pre-scan may have matched across.
        if walk.quantities is None or (block.start and self.text[block.start - 1] not in SENTENCE_STOPS
                                       and block.start not in self.cuts):
            return True
        return walk.quantity_in(block.start, block.end)

    def list_follows(self, found: list, i: int) -> bool:
        nxt = found[i + 1] if i + 1 < len(found) else None
        if isinstance(nxt, Gap):  # its first sentence is next, or what follows it
            nxt = first_sentence_in(self.text, nxt, self.cut_list) or (found[i + 2] if i + 2 < len(found) else None)
        return isinstance(nxt, Sentence) and self.outline.item_at(nxt.start) is not None


class OpeningYears:
    """The year phrases that carry to later sentences: a headline's opening year (outline.toml
    [headline]) and the year in force where a sentence ends (for a 其中 after it)."""

    def __init__(self, text: str, resolver: Resolver, doc: DocContext):
        rules, self.matcher, self.doc = resolver.rules, resolver.matcher, doc
        self.lead = rules.rx(rules.outline.headline.lead)
        self.continues = rules.rx(rules.outline.headline.continues)
        self.forecast = rules.rx(rules.outline.headline.forecast)
        self.not_headline = rules.rx(rules.outline.headline.not_headline)
        # Where a year mark may stand (years.toml's marks_hint), found in one scan of the text.
        self.hints = [m.start() for m in self.matcher.year_hint.finditer(text)]

    def at_end(self, block: Sentence, year: Optional[tuple[YearInForce, str]]) -> Optional[YearInForce]:
        """The year in force where a sentence ended: its last year mark, else its context's; for
        a sentence that opens as a forecast, the forecast (预计到2025年…。其中…: no target)."""
        if self.forecast.match(block.text):
            return YearInForce(None, "其中:forecast", True)
        marks = self.matcher.years(block.text)  # (it tests marks_hint first)
        if marks:
            last = marks[-1]
            past = last.role == "history" or is_history(last, self.doc)
            return YearInForce(None if past else last.year, f"其中:year:{last.rule_id}", past)
        return year[0] if year and (year[0].year or year[0].past) else None

    def headline_after(self, block: Sentence, targets: list[Resolved], list_next,
                       headline: Optional[YearInForce]) -> Optional[YearInForce]:
        """The headline after this sentence, from what it said: one that opens with a year phrase
        heads what follows when it states no target of its own or list items follow it; any
        other year phrase of a sentence with targets ends the headline. (`list_next` is asked
        only when it matters: whether list items follow.)"""
        if not targets and not self.hint_in(block.start, min(block.end, block.start + OPENING_SPAN * 2)):
            return headline  # most sentences: no year phrase near their start, no target
        lead = self.lead.match(block.text)
        lead_end = lead.end() if lead else 0
        # The sentence's own year marks, whole: a mark that starts in the lead is read as the
        # sentence reads it (a year inside a 《title》 running past the lead is none). For a
        # resolved sentence they were just found (Matcher.years keeps the last text's).
        marks = self.matcher.years(block.text)
        opening = next((m for m in marks if m.start <= lead_end), None)
        if opening is not None:
            if (is_history(opening, self.doc) or opening.role != "deadline"
                    # (matched from the mark: ^ holds at a string's start, not at a pos)
                    or self.not_headline.match(block.text[opening.start:])):
                return None
            if not targets or list_next():
                return YearInForce(opening.year, f"headline:year:{opening.rule_id}")
            return None
        if targets and headline and any(m.role == "deadline" and not is_history(m, self.doc)
                                        for m in marks):
            return None
        return headline

    def hint_in(self, start: int, end: int) -> bool:
        """Whether a year mark may start in [start, end) of the text."""
        i = bisect.bisect_left(self.hints, start)
        return i < len(self.hints) and self.hints[i] < end


class _Walk:
    """Pointers that walk sorted positions alongside the blocks, which come in order: what
    bisection would find, at a step's cost."""

    def __init__(self, headings: list[int], items: list[int], quantities: Optional[list[int]]):
        self.headings, self.items, self.quantities = headings, items, quantities
        self.h = self.i = self.q = 0

    def heading_between(self, start: int, end: int) -> bool:
        """Whether a heading starts in [start, end]."""
        while self.h < len(self.headings) and self.headings[self.h] < start:
            self.h += 1
        return self.h < len(self.headings) and self.headings[self.h] <= end

    def item_at(self, pos: int) -> bool:
        """Whether a list item opens at pos (after spaces)."""
        while self.i < len(self.items) and self.items[self.i] < pos:
            self.i += 1
        return self.i < len(self.items) and self.items[self.i] - pos <= 2

    def quantity_in(self, start: int, end: int) -> bool:
        """Whether the pre-scan found a quantity starting in [start, end)."""
        while self.q < len(self.quantities) and self.quantities[self.q] < start:
            self.q += 1
        return self.q < len(self.quantities) and self.quantities[self.q] < end
