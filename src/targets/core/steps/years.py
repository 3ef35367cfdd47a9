"""years.toml: year marks, the document's present, and each target's deadline.

A year mark sets the deadline from where it stands to the end of its sentence. A year before
the document's present is history (2020年全省装机达到… in a 2022 plan), and so is a mark whose
rule says so (截至2021年底, “十三五”以来). A start date (2022年起) is no deadline. Where the
sentence has no mark, the deadline is the one its context gives (a headline year, 其中).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Optional

from pydantic import model_validator

from targets.core.context import DocContext
from targets.core.schema import Examples, Pattern, Strict

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft
    from targets.core.match import YearMark


class YearRule(Examples):
    id: str
    pattern: Pattern
    # deadline: a due year; history: always the past (截至, 以来); start: when a rule takes
    # effect (2022年起), no deadline; name: part of a name or title (《2025年工作要点》)
    role: Literal["deadline", "history", "start", "name"]
    year: Optional[int] = None

    @model_validator(mode="after")
    def _year_or_group(self) -> "YearRule":
        if self.role in ("deadline", "start") and self.year is None and "(?P<y>" not in self.pattern:
            raise ValueError("needs a fixed `year` or a (?P<y>...) group in its pattern")
        return self


class PresentRule(Examples):
    id: str
    where: Literal["title", "window"]
    pattern: Pattern  # a (?P<y>20xx) year, or a (?P<p>…) key of `periods`
    # The present is this many years after the year found: a state told as of the end of 2022
    # (截至2022年底) is told in 2023 at the earliest.
    after: int = 0


class Present(Strict):
    default: int
    window: int  # characters of the document's start searched by `window` rules
    periods: dict[str, int]  # 十四五's middle numeral -> the period's first year
    rule: list[PresentRule]


class Years(Strict):
    not_after: Pattern
    marks_hint: Pattern  # every year mark holds a match of it (a cheap test first)
    present: Present
    year: list[YearRule]


def document_present(title: str, text: str, rules) -> DocContext:
    """The document's own present: from its title, then its opening lines, else the default.

    The first rule (in file order) that matches decides; among its matches the latest year.
    """
    present = rules.years.present
    where = {"title": title, "window": text[:present.window]}
    for rule in present.rule:
        years = []
        for m in rules.rx(rule.pattern).finditer(where[rule.where]):
            found = m.groupdict()
            if found.get("y"):
                years.append(int(found["y"]))
            elif found.get("p") in present.periods:
                years.append(present.periods[found["p"]])
        if years:
            return DocContext(max(years) + rule.after, f"years:present:{rule.id}", present_found=True)
    return DocContext(present.default, "years:present:default")


def is_history(mark: "YearMark", doc: DocContext) -> bool:
    """A mark of a history rule, or a year before the document's present.

    到2020年 (a `by` word) is a deadline, not history, unless the document said its present.
    """
    if mark.role == "history":
        return True
    return mark.year < doc.present and (doc.present_found or not mark.by)


class Deadline:
    """Step: target_year and year_source; a history year rejects the quantity."""

    def __init__(self, rules):
        pass

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        mark, scope = clause.year, clause.scope
        if mark is not None:
            rule = f"year:{mark.rule_id}"
            if is_history(mark, scope.doc):
                return rule
            if mark.role == "start":
                draft.decide("target_year", None, rule)
                draft.decide("year_source", "", "")
                return None
            draft.decide("target_year", mark.year, rule)
            draft.decide("year_source", "sentence", "")
            return None
        if scope.past:
            return scope.year_rule
        draft.decide("target_year", scope.year, scope.year_rule)
        draft.decide("year_source", scope.year_source if scope.year else "", "")
        return None
