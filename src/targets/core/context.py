"""What a decision may read: its clause, and the context the document gives it.

duckling resolves a match with an explicit Context and never reads the clock; so here. A step
reads a `Clause` (one quantity of one sentence, with its clause bounds and the sentence's year
marks) and the `Scope` the outline pass gives that sentence (section, role, headline year,
list). Nothing else: no global state, no other sentence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

from targets.core.match import Quantity, YearMark


@dataclass(frozen=True)
class DocContext:
    """What holds for a whole document."""

    present: int  # the document's own present: a year before it is history
    present_rule: str  # the rule that set it (years:present:…, or years:present:default)
    present_found: bool = False  # set by the document's own words, not the default


@dataclass(frozen=True)
class Scope:
    """What the document's structure says about one sentence."""

    doc: DocContext
    section: str = ""  # heading path, "二、主要目标 / （一）能源"
    role: str = ""  # history, outlook, goals, tasks, projects, or "" (none said)
    role_rule: str = ""
    year: Optional[int] = None  # the headline year in force, if any
    year_source: str = ""  # headline, list or 其中
    year_rule: str = ""
    past: bool = False  # the context is history (其中 after a 截至… sentence)
    list_item: bool = False  # the sentence is (part of) a ——, ●, ① … item


@dataclass(frozen=True)
class Clause:
    """One quantity of a sentence, and everything a step may read about it. (Its pieces of
    text are cut once each: the steps read them up to five times a quantity.)"""

    sentence: str  # the normalized sentence
    quantity: Quantity
    start: int  # the clause (between ，；：) that holds the quantity
    end: int
    # The quantity before it in the same clause, unless an exclusion rejected that one: a
    # qualifier (6层及以下住宅建筑面积占比, 由2020年的17.5%提高到) belongs to this one's subject.
    previous: Optional[Quantity]
    year: Optional[YearMark]  # the last year mark before it in the sentence
    years: tuple[YearMark, ...]  # every year mark of the sentence
    last: Optional["Draft"]  # the sentence's previous target
    scope: Scope
    # The last quantity of the clause before this one that an exclusion rejected as a
    # qualifier (热效率超过43%的柴油发动机1000台): its verb is not this one's predicate.
    qualifier: Optional[Quantity] = None

    @cached_property
    def prefix(self) -> str:
        """The clause up to the quantity."""
        return self.sentence[self.start:self.quantity.start]

    @cached_property
    def local_start(self) -> int:
        """Where `local` starts: after the previous quantity of the clause, or at its start."""
        return self.previous.end if self.previous else self.start

    @cached_property
    def local(self) -> str:
        """The text since the previous quantity of the clause (or the clause's start)."""
        return self.sentence[self.local_start:self.quantity.start]

    @cached_property
    def own_from(self) -> int:
        """Where in `local` this quantity's own verb may stand: after a qualifier of it, if one
        stands there (能效提升20%以上的建筑面积|达到200万平方米), else at its start."""
        return max(0, self.qualifier.end - self.local_start) if self.qualifier is not None else 0

    @cached_property
    def suffix(self) -> str:
        """The clause after the quantity."""
        return self.sentence[self.quantity.end:self.end]

    def predicated(self, predicates, since_clause: bool = True) -> bool:
        """Whether a predicate stands before the number, in the clause (or since the previous
        quantity), read with the number's first character (达100%: 达 is one before a digit)."""
        begin = self.start if since_clause else self.local_start
        return bool(predicates.search(self.sentence, begin, self.quantity.start + 1))

    @cached_property
    def text(self) -> str:
        return self.sentence[self.start:self.end]

    @cached_property
    def before(self) -> str:
        """The few characters right before the number."""
        return self.sentence[max(0, self.quantity.start - 8):self.quantity.start]

    @property
    def same_clause_last(self) -> Optional["Draft"]:
        """The previous target, when a quantity of this clause stands before this one."""
        return self.last if self.previous is not None else None


@dataclass
class Draft:
    """The fields decided so far for one quantity, and the rule that set each."""

    fields: dict[str, Any] = field(default_factory=dict)
    decided_by: dict[str, str] = field(default_factory=dict)

    def decide(self, name: str, value: Any, rule: str) -> None:
        self.fields[name] = value
        if rule:
            self.decided_by[name] = rule

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)
