"""Normalized document text -> its outline: headings (a tree, by level), their roles, list items.

The vocabulary is outline.toml (heading and list markers, where a heading may stand, where its
title ends) and sections.toml (which headings are history, outlook, goals, tasks, projects).
Many documents come as one long line (PDF text): headings are found inline, after a sentence's
end or right after the previous heading's title, not only at line starts.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Literal, Optional

import regex

from targets.core.schema import Pattern, Strict
from targets.core.segment import STOPS

ROLES = ("history", "outlook", "goals", "tasks", "projects", "conditions")


class OutlineExample(Strict):
    text: str
    headings: list[str]  # the titles found in it, in order


class HeadingRule(Strict):
    id: str
    level: int
    marker: Pattern
    line: bool = False  # a whole short line is the heading (a title line)
    examples: list[OutlineExample] = []
    counterexamples: list[str] = []


class ListRule(Strict):
    id: str
    marker: Pattern


class Headline(Strict):
    lead: Pattern  # what may stand before a sentence's opening year phrase
    continues: Pattern  # a sentence opening so continues the one before it (其中)
    forecast: Pattern = "(?!)"  # a sentence opening so is a forecast, which its 其中 continues
    not_headline: Pattern  # an opening year phrase that heads nothing (2060年前实现碳中和)


class OutlineRules(Strict):
    boundary: Pattern  # what the text before a heading marker must end with
    title_end: Pattern
    title_max: int
    number_reach: int  # a number this far past title_max makes a line-start "title" a sentence
    heading: list[HeadingRule]
    list: list[ListRule]
    headline: Headline


class RoleRule(Strict):
    id: str
    role: Literal["history", "outlook", "goals", "tasks", "projects", "conditions"]
    pattern: Pattern  # matched at the start of a heading's title (after its marker)
    examples: list[str] = []  # titles that get this role
    counterexamples: list[str] = []  # titles that must not


class Sections(Strict):
    role: list[RoleRule]


@dataclass(frozen=True)
class Heading:
    start: int
    end: int  # where its title ends
    level: int
    title: str  # marker and title, as in the text
    rule_id: str
    role: str  # its own role, or ""
    role_rule: str


@dataclass(frozen=True)
class Section:
    """The headings open at a position: their path and the innermost role among them."""

    path: str
    role: str
    role_rule: str


NO_SECTION = Section("", "", "")
INLINE_TAIL = 6  # characters after an inline title's role words that make them its title
# A title is one line: a marker on a line of its own takes the next line for its title (附件1
# then, past a blank line, 碳达峰试点县…), and the section names them without the break.
_BREAK = regex.compile(r"\s*\n\s*")


class Outline:
    """The headings and list items of one normalized document text."""

    def __init__(self, headings: list[Heading], items: list[tuple[int, int, str]]):
        self.headings = headings
        self.starts = [h.start for h in headings]
        self.items = items  # (start, marker end, rule id)
        self.item_starts = [i[0] for i in items]
        self.sections = self._sections()

    def _sections(self) -> list[Section]:
        """The section that each heading opens: the path of the headings open there."""
        out: list[Section] = []
        stack: list[tuple[Heading, Section]] = []  # the open headings, each with its section
        for h in self.headings:
            while stack and stack[-1][0].level >= h.level:
                stack.pop()
            parent = stack[-1][1] if stack else None
            path = f"{parent.path} / {h.title}" if parent else h.title
            if h.role:
                section = Section(path, h.role, f"section:{h.role_rule}")
            else:  # the innermost role among the open headings: the parent's
                section = Section(path, parent.role, parent.role_rule) if parent else Section(path, "", "")
            stack.append((h, section))
            out.append(section)
        return out

    def section_at(self, pos: int) -> Section:
        """The section a sentence starting at pos stands in."""
        i = bisect.bisect_right(self.starts, pos)
        return self.sections[i - 1] if i else NO_SECTION

    def heading_between(self, start: int, end: int) -> bool:
        """Whether a heading starts in [start, end)."""
        i = bisect.bisect_left(self.starts, start)
        return i < len(self.starts) and self.starts[i] < end

    def item_at(self, pos: int) -> Optional[str]:
        """The list rule whose item opens at pos (after spaces), if any."""
        i = bisect.bisect_left(self.item_starts, pos)
        return self.items[i][2] if i < len(self.items) and self.items[i][0] - pos <= 2 else None

    def cuts(self) -> list[int]:
        """Where a sentence must be cut: each heading's start and the end of its title."""
        return sorted({x for h in self.headings for x in (h.start, h.end)})


class Reader:
    """The compiled outline and section rules of a rule set."""

    def __init__(self, rules):
        o = rules.outline
        self.rules = o
        self.title_end = rules.rx(o.title_end)
        self.marker = rules.rx("|".join(f"(?P<h{i}>{h.marker})" for i, h in enumerate(o.heading)))
        items = "|".join(f"(?P<l{i}>{r.marker})" for i, r in enumerate(o.list))
        # A heading or list item stands where a boundary ends: one scan finds them all (a
        # chained heading, right after the previous one's title, is tried at that point).
        boundary = o.boundary.removesuffix("$")
        # (The boundary is consumed, not looked behind: the engine then skips to its characters.)
        self.at_boundary = rules.rx(f"{boundary}(?={self.marker.pattern})")
        self.items = rules.rx(items)
        self.items_at_boundary = rules.rx(f"{boundary}(?={items})")
        # One alternation, rules in file order: the first that matches at the start wins.
        self.role_rules = rules.sections.role
        self.any_role = rules.rx("|".join(f"(?P<r{i}>{r.pattern})" for i, r in enumerate(self.role_rules)))

    def outline(self, text: str) -> Outline:
        # The boundaries are searched in the text after a line break (`lined`: its position
        # i is the text's i - 1), so the text's start is a line's start. A `^` branch in the
        # boundary instead would stop the engine's scan for the boundary's first character
        # (measured 5x slower on a long text).
        lined = "\n" + text
        headings: list[Heading] = []
        chained, at = None, 0  # at: where in `lined` the next boundary is looked for
        while True:
            # A heading stands where a boundary ends, or right where the last title ended.
            m = self.marker.match(text, chained) if chained is not None else None
            if m is None:
                lead = self.at_boundary.search(lined, at)
                if lead is None:
                    break
                # (A boundary that ends before the line break, ^, puts the marker at 0.)
                m = self.marker.match(text, max(lead.end() - 1, 0))
                if m is None:  # a rule folder's marker that looks behind, past the text's start
                    chained, at = None, lead.start() + 1
                    continue
            heading = self.heading(text, m)
            if heading:
                headings.append(heading)
                chained, at = heading.end, heading.end + 1
            else:
                chained, at = None, max(m.end(), m.start() + 1) + 1
        items = [(m.start(), m.end(), self.rules.list[int(m.lastgroup[1:])].id)
                 for lead in self.items_at_boundary.finditer(lined)
                 if (m := self.items.match(text, max(lead.end() - 1, 0)))]
        return Outline(headings, items)

    def heading(self, text: str, m) -> Optional[Heading]:
        """The heading a marker match opens, or None for a marker with no title."""
        rule = self.rules.heading[int(m.lastgroup[1:])]
        end = self.title_stop(text, m.end())
        title = _BREAK.sub("", text[m.start():end].strip())
        if len(title) <= len(m.group().strip()) and not rule.line:
            return None
        role, role_rule, role_end = self.role_of(text[m.end():end])
        on_its_line = end == len(text) or text[end] == "\n"
        if role and not on_its_line and end - (m.end() + role_end) > INLINE_TAIL:
            # An inline title that runs on into its text (三、重点任务将碳达峰贯穿于…): its role
            # words are the title.
            end = m.end() + role_end
            title = _BREAK.sub("", text[m.start():end].strip())
        elif (end == m.end() + self.rules.title_max and not (on_its_line or rule.line)
              and m.end() > m.start()
              and (not at_line_start(text, m.start())
                   or number_in_sentence(text, m.end(), end + self.rules.number_reach))):
            # No title_end within title_max, inside a line (…上市。16.遴选200家…企业，采取…) or
            # with a number soon after (1.全省新增…车辆2000辆以上。): a sentence follows the marker, not
            # a title. Its opening words name the section, and the sentence is not cut: the
            # heading ends with its marker (a marker of characters: a heading that ends where it
            # starts would be found there again). A long title at a line's start is still cut.
            end = m.end()
        return Heading(m.start(), end, rule.level, title, rule.id, role, role_rule)

    def title_stop(self, text: str, start: int) -> int:
        """Where a title that starts at `start` ends: a title_end, the next marker, the end of
        its line or title_max characters."""
        limit = min(start + self.rules.title_max, len(text))
        next_marker = self.marker.search(text, start + 1, limit)
        if next_marker:
            limit = next_marker.start()
        for stop in self.title_end.finditer(text, start, limit):
            if text[start:stop.start()].strip() or text[stop.start()] == "\n":
                return stop.start()  # a title_end before any title text (专栏1 “…”) opens it
        return limit

    def role_of(self, title: str) -> tuple[str, str, int]:
        """(role, rule id, where its words end in the title), or ("", "", 0)."""
        stripped = title.lstrip()
        m = self.any_role.match(stripped)
        if not m:
            return "", "", 0
        rule = self.role_rules[int(m.lastgroup[1:])]
        return rule.role, rule.id, len(title) - len(stripped) + m.end(m.lastgroup)


def number_in_sentence(text: str, start: int, reach: int) -> bool:
    """Whether a digit stands between `start` and `reach`, before its sentence or line ends."""
    for ch in text[start:reach]:
        if ch in STOPS or ch == "\n":
            return False
        if ch.isdigit():
            return True
    return False


def at_line_start(text: str, pos: int) -> bool:
    """Whether only spaces stand between `pos` and the start of its line."""
    return not text[text.rfind("\n", 0, pos) + 1:pos].strip()


def check_outline_examples(rules) -> tuple[int, list[str]]:
    """(cases run, failures) of outline.toml's and sections.toml's examples."""
    reader, failures, n = Reader(rules), [], 0
    for h in rules.outline.heading:
        for ex in h.examples:
            n += 1
            got = [x.title for x in reader.outline(ex.text).headings]
            if got != ex.headings:
                failures.append(f"outline:{h.id}: {ex.text[:24]}: expected {ex.headings}, got {got}")
        for text in h.counterexamples:
            n += 1
            got = [x.title for x in reader.outline(text).headings]
            if got:
                failures.append(f"outline:{h.id}: {text[:24]}: expected no heading, got {got}")
    for rule in rules.sections.role:
        for title in rule.examples:
            n += 1
            if reader.role_of(title)[:2] != (rule.role, rule.id):
                failures.append(f"sections:{rule.id}: {title!r} should be {rule.role}, is {reader.role_of(title)[:2]}")
        for title in rule.counterexamples:
            n += 1
            if reader.role_of(title)[0] == rule.role:
                failures.append(f"sections:{rule.id}: {title!r} should not be {rule.role}")
    return n, failures
