"""strive.toml: 力争 and its scope."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from targets.core.match import clause_bounds
from targets.core.schema import Examples, Pattern

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft


class Strive(Examples):
    words: Pattern
    carry_into: Pattern
    # What may stand beside the strive word and a year in a clause that leads the next one
    # (力争在2025年前，…).
    lead_fillers: Pattern


class Striving:
    """Step: strive. A strive word covers its clause; a clause of nothing but it and a year
    (力争到2025年，) leads the next clause, and so does one it leads whose next clause opens
    with a verb (carry_into), having no subject of its own."""

    def __init__(self, rules, matcher):
        self.words = rules.rx(rules.strive.words)
        self.carry = rules.rx(rules.strive.carry_into)
        self.fillers = rules.rx(rules.strive.lead_fillers)
        self.matcher = matcher

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        found = self.covers(clause.sentence, clause.start, clause.quantity.start)
        draft.decide("strive", found is not None, f"strive:{found}" if found else "")
        return None

    def covers(self, text: str, cs: int, pos: int) -> Optional[str]:
        """How the strive word reaches the number: its own clause, a leading clause, a carry."""
        if self.words.search(text, cs, pos):
            return "clause"
        if cs == 0:
            return None
        prev_cs, _ = clause_bounds(text, cs - 1)
        previous = text[prev_cs:cs - 1]
        if not self.words.search(previous):
            return None
        if self.matcher.quantities(previous):
            return "carry" if self.carry.match(text[cs:]) else None
        rest = self.words.sub("", previous)
        for y in reversed(self.matcher.years(rest)):
            rest = rest[:y.start] + rest[y.end:]
        rest = self.fillers.sub("", rest)
        return "lead" if not any("\u4e00" <= ch <= "\u9fff" for ch in rest) else None
