"""Rules x sentence -> raw matches: quantities, year marks and clauses, as strings and spans."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Iterator, Optional

import regex

from targets.core import schema
from targets.core.steps.units import SHARE_FAMILIES, Unit

if TYPE_CHECKING:
    from targets.core.rulebook import RuleSet

ARABIC = r"\d+(?:\.\d+)?"
_QUANTIFIED = "?*{"  # after a literal: it may be absent (+ keeps it required)
_FLAGS = regex.compile(r"\(\?(?!P)[a-zA-Z-]")  # an inline flag ((?i), (?x)) changes what a literal matches


def required_literals(pattern: str) -> str:
    """Characters every match of `pattern` holds: its literals outside any group, class or
    alternation, and not made optional, and those a lookahead at its top requires. A text
    without one of them need not be searched.

    >>> required_literals(r"(?P<by>到)?20\\d{2}—(?P<y>20\\d{2})年?(?:底|末)?(?![\\d月])")
    '20—'
    >>> required_literals(r"十(?P<p>[一二三四五])五"), required_literals("截至|目前")
    ('十五', '')
    >>> required_literals(r"(?P<y>20\\d{2})(?=(?:、|和)20\\d{2}年)")
    '20年'
    """
    if _FLAGS.search(pattern):
        return ""
    out: list[str] = []
    skip_to = 0
    for i, c, depth in _scan(pattern):
        if i < skip_to or c in "\\[":
            continue  # an escape (\d, \p{Han}, \.) or a class: not a literal worth parsing
        if c == "{":  # a quantifier's bounds ({2}, {1,3}) or a \p{…} name
            skip_to = pattern.find("}", i) + 1 or len(pattern)
        elif c == "(" and depth == 0 and pattern.startswith("(?=", i):
            skip_to = _group_end(pattern, i)  # a lookahead: what it requires, the text holds
            if skip_to < len(pattern) and pattern[skip_to] in _QUANTIFIED:
                return ""  # a quantified lookahead: nothing here worth a guess
            out += required_literals(pattern[i + 3:skip_to - 1])
        elif c == "|" and depth == 0:
            return ""  # alternatives at the top: no character is common to all
        elif depth == 0 and c not in "().^$?*+}" and (i + 1 == len(pattern) or pattern[i + 1] not in _QUANTIFIED):
            out.append(c)
    return "".join(dict.fromkeys(out))


def branch_literals(pattern: str) -> list[str]:
    """The required_literals of each alternative at the top of `pattern`: a text that holds
    none of some alternative's characters need not be searched for that alternative.

    >>> branch_literals(r"截至(?:目前|20\\d{2}年)|(?<!项)目前|据(?:统计|测算)")
    ['截至', '目前', '据']
    """
    if _FLAGS.search(pattern):
        return [""]
    bounds = [-1, *(i for i, c, depth in _scan(pattern) if c == "|" and depth == 0), len(pattern)]
    return [required_literals(pattern[a + 1:b]) for a, b in zip(bounds, bounds[1:])]


def _group_end(pattern: str, i: int) -> int:
    """Where the group opened at pattern[i] ends (just past its closing parenthesis)."""
    return next((j + 1 for j, c, depth in _scan(pattern, i) if c == ")" and depth == 0), len(pattern))


def _scan(pattern: str, i: int = 0) -> Iterator[tuple[int, str, int]]:
    """(position, character, depth in groups) of `pattern`'s characters from i on, an escape
    (\\d, \\.) or a class ([…]) passed over whole as its first character: what the scans
    above read of a pattern's structure. A parenthesis has the depth outside its group."""
    depth = 0
    while i < len(pattern):
        c = pattern[i]
        if c == ")":
            depth -= 1
        yield i, c, depth
        if c == "(":
            depth += 1
        i = i + 2 if c == "\\" else _class_end(pattern, i) if c == "[" else i + 1


def literal_alternation(words: list[str]) -> str:
    r"""A pattern that matches any of `words`, the longest first, as a trie: 万千瓦|万吨 is
    万(?:千瓦|吨). A plain alternation makes the engine try each word in turn at every place
    it is tried (measured 2x slower on a long text, with about 100 unit words).

    >>> literal_alternation(["万千瓦", "万吨", "万", "%", "吨", "吨/年"])
    '(?:万(?:千瓦|吨)?|%|吨(?:/年)?)'
    >>> print(literal_alternation(["a.b"]), literal_alternation([]))
    a\.b (?!)
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict) -> str:
        branches = [regex.escape(ch) + pattern(rest) for ch, rest in node.items() if ch]
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        if "" not in node or not branches:
            return body if branches else ""
        # A word ends here, and longer ones go on: they are tried first (a greedy ?).
        return f"{body}?" if len(branches) > 1 else f"(?:{body})?"

    return pattern(trie) if words else "(?!)"


def _class_end(pattern: str, i: int) -> int:
    """Where the character class opened at pattern[i] ends (V1 classes nest: [[a-z]--[aei]])."""
    depth, i = 0, i
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
            if pattern[i + 1:i + 2] == "]" or pattern[i + 1:i + 3] == "^]":
                i += 2 if pattern[i + 1] == "]" else 3  # a ] first in a class is a literal
                continue
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


@dataclass(frozen=True)
class Quantity:
    """A number (or range) with its unit, as written, at [start, end) of its sentence."""

    start: int
    end: int
    number: str
    number_max: Optional[str]
    unit: str
    unit_rule: Unit
    per: str = ""  # a denominator written after the unit: 公里/平方公里 -> "/平方公里"
    shared_unit: bool = False  # a listed number that takes the unit of the quantity after it
    owner_end: int = 0  # for a listed number: where the quantity whose unit it takes ends

    @property
    def chinese(self) -> bool:
        return not any(ch.isdigit() for ch in self.number[:2])  # (-30: a sign, then digits)

    @property
    def count(self) -> bool:
        """A bare count (个, 座): a compound unit (万人/平方公里) is a measure."""
        return self.unit_rule.count and not self.per


@dataclass(frozen=True)
class YearMark:
    """A year expression: from `end` on, targets of its sentence are due in `year`."""

    start: int
    end: int
    year: int
    role: str  # the rule's: deadline, history or start (steps/years.py decides what it means)
    rule_id: str
    by: bool = False  # led by a `by` word (到2020年): a deadline even where the year is past


def quantity_regex(unit_of: dict, rules: "RuleSet") -> regex.Pattern:
    """Every number-with-unit a rule set knows: Arabic, Chinese before a measure word or a
    scaled unit, and a share said in words."""
    # The longest unit word wins (万千瓦 over 万): a trie tries the longer words first.
    units = literal_alternation(list(unit_of))
    counts = literal_alternation([s for s in unit_of if unit_of[s].count])
    pers = rules.units.denominators
    per = rf"(?P<per>/{literal_alternation(pers)})?" if pers else ""
    numerals = rules.numerals
    # A minus sign is the number's where numerals.toml's `minus` says so.
    arabic = (rf"(?<![\p{{Latin}}\d.])(?P<num>(?:{numerals.minus_after}{numerals.minus}(?=\d))?{ARABIC})"
              rf"(?:(?:%|(?P<scale>{numerals.range_scale}))?(?:{numerals.range})(?P<num2>{ARABIC}))?"
              rf"(?(scale)(?=(?P=scale)))(?P<unit>{units}){per}")
    # Chinese numerals count only before measure words (两千辆, 十个) and units that open
    # with a scale word (三十六亿千瓦, 过千亿元): elsewhere they are part of words (一批,
    # 十四五) far more often than numbers; a size class (百万千瓦级) is an exclusion's.
    scaled = [s for s in unit_of if regex.match(numerals.range_scale, s)]
    chinese = (rf"(?P<cnum>{numerals.guard}[{regex.escape(numerals.characters)}]+)"
               rf"(?:(?P<cunit>{counts})|(?<!{numerals.scaled_guard}[{regex.escape(numerals.characters)}]*)"
               rf"(?P<cscaled>{literal_alternation(scaled)}))")
    # A share said in words (百分之二十五): the unit before the number.
    # (A decimal or a range in words, 百分之十三点五, 百分之十三到十四, is not read: no wrong value.)
    said = (rf"{numerals.percent_words}(?P<pnum>[{regex.escape(numerals.characters)}]+)(?![点到至])"
            if numerals.percent_words else "(?!)(?P<pnum>)")
    return regex.compile(f"{arabic}|{chinese}|{said}", regex.V1)


class Matcher:
    """The compiled patterns of a rule set, applied to one sentence at a time."""

    def __init__(self, rules: "RuleSet"):
        self.rules = rules
        self.unit_of = {s: u for u in rules.units for s in u.surfaces}
        # A user's rule folder is proven only by the probes, so each of its calls keeps a time
        # bound. The shipped rules are proven on the corpus and the tests too: their calls go
        # unbounded (a bound costs a clock call per call), and reading.py bounds the document.
        self.bounded = not rules.shipped

    @property
    def timeout(self) -> Optional[float]:
        """The bound on one pattern call: None for the shipped rules."""
        return schema.MATCH_TIMEOUT if self.bounded else None

    @cached_property
    def quantity_pattern(self) -> regex.Pattern:
        return quantity_regex(self.unit_of, self.rules)

    @cached_property
    def year_patterns(self) -> list[tuple[regex.Pattern, object, tuple[str, ...]]]:
        """(pattern, rule, characters one of which each of its matches holds, or () when
        nothing is known), in file order: one for each of the pattern's alternatives, of its
        required characters the last one beyond ASCII (年, 五: rarer than digits)."""
        out = []
        for y in self.rules.years.year:
            needed = []
            for chars in branch_literals(y.pattern):
                wide = [c for c in chars if not c.isascii()]
                needed.append((wide or list(chars) or [""])[-1])
            out.append((self.rules.rx(y.pattern), y, () if "" in needed else tuple(dict.fromkeys(needed))))
        return out

    @cached_property
    def not_after(self) -> regex.Pattern:
        return self.rules.rx(self.rules.years.not_after)

    def quantities(self, text: str) -> list[Quantity]:
        """Every number-with-unit of a sentence, left to right."""
        out = []
        for m in self.quantity_pattern.finditer(text, timeout=self.timeout):
            if m.group("num"):
                unit, rule = m.group("unit"), self.unit_of[m.group("unit")]
                per = m.groupdict().get("per") or ""
                if per and rule.family in SHARE_FAMILIES:  # 5%/年 is no compound
                    per = ""
                end = m.end() - (len(m.group("per") or "") - len(per))
                out.append(Quantity(m.start(), end, m.group("num"), m.group("num2"), unit, rule, per))
            elif m.group("pnum"):
                unit = self.rules.numerals.percent_unit
                out.append(Quantity(m.start(), m.end(), m.group("pnum"), None, unit, self.unit_of[unit]))
            else:
                unit = m.group("cunit") or m.group("cscaled")
                out.append(Quantity(m.start(), m.end(), m.group("cnum"), None, unit, self.unit_of[unit]))
        return with_listed(self.listed_number, text, ranges_written_whole(self.range_between, text, out))

    @cached_property
    def range_between(self) -> regex.Pattern:
        return regex.compile(rf"\s*(?:{self.rules.numerals.range_whole})\s*", regex.V1)

    @cached_property
    def listed_number(self) -> regex.Pattern:
        sep = self.rules.split.item_separator
        return regex.compile(rf"(?<![\p{{Latin}}\d.])(?P<num>{ARABIC})(?:{sep})$", regex.V1)

    @cached_property
    def year_hint(self) -> regex.Pattern:
        return self.rules.rx(self.rules.years.marks_hint)

    def may_hold_year(self, text: str) -> bool:
        """A cheap test before the year patterns run: every year mark holds a marks_hint."""
        return self.year_hint.search(text) is not None

    def years(self, text: str) -> list[YearMark]:
        """Year expressions of a sentence, left to right; baselines (比2020年) and years that
        are part of a name (a `name` rule: 《2025年工作要点》) are left out."""
        if text is not self._years_of[0]:  # a sentence's marks are asked for up to 3 times
            self._years_of = (text, self._find_years(text))
        return list(self._years_of[1])

    _years_of: tuple[Optional[str], list[YearMark]] = (None, [])

    def _find_years(self, text: str) -> list[YearMark]:
        if not self.may_hold_year(text):
            return []
        marks: list[YearMark] = []
        taken: list[tuple[int, int]] = []
        timeout = self.timeout
        for pattern, rule, needed in self.year_patterns:
            if needed and not any(c in text for c in needed):
                continue  # most sentences lack the 年 or 五 a pattern needs: no search
            for m in pattern.finditer(text, timeout=timeout):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                if self.not_after.search(text[max(0, m.start() - 4):m.start()]):
                    continue
                taken.append((m.start(), m.end()))
                if rule.role == "name":
                    continue
                y = m.groupdict().get("y")
                year = rule.year if rule.year is not None else int(y) if y else 0
                by = bool("by" in m.re.groupindex and m.group("by"))
                marks.append(YearMark(m.start(), m.end(), year, rule.role, rule.id, by))
        return sorted(marks, key=lambda y: y.start)


def ranges_written_whole(between: regex.Pattern, text: str, found: list[Quantity]) -> list[Quantity]:
    """A range whose ends both carry the unit (5个-10个, 100万千瓦-200万千瓦) is one quantity."""
    out: list[Quantity] = []
    for q in found:
        last = out[-1] if out else None
        if (last is not None and last.number_max is None and q.number_max is None and not q.chinese
                and (last.unit, last.per) == (q.unit, q.per) and between.fullmatch(text, last.end, q.start)):
            out[-1] = replace(last, end=q.end, number_max=q.number)
        else:
            out.append(q)
    return out


def with_listed(listed_number: regex.Pattern, text: str, found: list[Quantity]) -> list[Quantity]:
    """Numbers listed before a quantity share its unit: 分别为426、191万千瓦 is 426万千瓦 too."""
    out: list[Quantity] = []
    taken = 0
    for q in found:
        listed, pos = [], q.start
        while q.number[0].isdigit() and (m := listed_number.search(text, taken, pos)):
            listed.append(Quantity(m.start(), m.start() + len(m["num"]), m["num"], None,
                                   q.unit, q.unit_rule, q.per, shared_unit=True, owner_end=q.end))
            pos = m.start()
        out += reversed(listed)
        out.append(q)
        taken = q.end
    return out


def clause_bounds(text: str, pos: int, separators: str = ",;:") -> tuple[int, int]:
    """[start, end) of the clause (between ，；：) that holds position pos."""
    start = max(text.rfind(s, 0, pos) for s in separators) + 1
    ends = [i for i in (text.find(s, pos) for s in separators) if i >= 0]
    return start, min(ends) if ends else len(text)
