"""units.toml and numerals.toml: a quantity's number and unit, as written and in the standard unit."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Optional

import regex
from pydantic import model_validator

from targets.core.schema import Examples, Pattern, Strict

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft

# The unit families of a share (%, 个百分点): a part of a whole, not an amount made or added.
SHARE_FAMILIES = ("share", "share_change")


class Unit(Examples):
    id: str
    surfaces: list[str]
    family: str
    std: str
    factor: Optional[float] = None
    factors: dict[str, float] = {}
    count: bool = False

    @model_validator(mode="after")
    def _factor_for_every_surface(self) -> "Unit":
        missing = [s for s in self.surfaces if s not in self.factors and self.factor is None
                   and self.family != "count"]
        unknown = [s for s in self.factors if s not in self.surfaces]
        if missing or unknown:
            raise ValueError(f"no factor for {missing}" if missing else f"factor for unknown unit {unknown}")
        return self

    def factor_of(self, surface: str) -> float:
        return self.factors.get(surface, self.factor if self.factor is not None else 1.0)


class Units(Strict):
    """units.toml: the units, and the denominators any of them may take."""
    denominators: list[str]
    # Denominators of time (万立方米/年): a flow, which can be added; any other (吨/万平方米)
    # makes a rate, which is no amount added.
    flow_denominators: list[str]
    unit: list[Unit]

    def __iter__(self):
        return iter(self.unit)


class Numerals(Examples):
    """Chinese numerals: digits, powers, the fraction word (三分之一 = 1/3), the words
    between the ends of a range (20%—90%), and where a Chinese numeral is no number."""
    digits: dict[str, int]
    powers: dict[str, int]
    fraction: str
    minus: Pattern  # a minus sign's characters
    minus_after: Pattern  # where one may stand: a lookbehind (after a verb, not a number)
    range: Pattern
    range_scale: Pattern  # a scale word the first end of a range may repeat (30万-50万辆)
    range_whole: Pattern  # what joins two quantities with one unit into a range (5个-10个)
    guard: Pattern
    scaled_guard: Pattern  # what before a Chinese numeral and a scaled unit makes it no number
    round_after: Pattern  # what must end the text before a round one (过|千亿元) to make it a number
    percent_words: str = ""  # a share said in words opens with them (百分之二十五)
    percent_unit: str = "%"  # the unit (units.toml surface) such a share is in

    @property
    def characters(self) -> str:
        return "".join(self.digits) + "".join(self.powers)


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> "regex.Pattern":
    return regex.compile(pattern, regex.V1)


def parse_number(text: str, numerals: Numerals) -> float:
    """An Arabic or Chinese numeral as a float; a fraction is written denominator first; a
    minus sign (numerals.toml `minus`, which the quantity pattern takes only where it stands
    before a number of its own) makes it negative."""
    if text[0].isdigit() and numerals.fraction not in text:
        return float(text)
    if (sign := _compiled(numerals.minus).match(text)) and sign.end():
        return -parse_number(text[sign.end():], numerals)
    if numerals.fraction in text:
        denominator, numerator = text.split(numerals.fraction, 1)
        return parse_number(numerator, numerals) / parse_number(denominator, numerals)
    total, section, digit = 0, 0, 0  # section: the part below the last power of 10,000
    for ch in text:
        if ch in numerals.digits:
            digit = numerals.digits[ch]
        elif numerals.powers[ch] >= 10_000:
            total += (section + digit or 1) * numerals.powers[ch]
            section, digit = 0, 0
        else:
            section += (digit or 1) * numerals.powers[ch]
            digit = 0
    return float(total + section + digit)


class Amount:
    """Step: value, value_max, unit (with its denominator) and their standard forms."""

    def __init__(self, rules):
        self.numerals: Numerals = rules.numerals

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        q = clause.quantity
        # A listed number (426、191万千瓦) takes the unit written after the list.
        rule = f"unit:{q.unit_rule.id}" + ("+listed" if q.shared_unit else "")
        value = parse_number(q.number, self.numerals)
        draft.decide("value", value, rule)
        draft.decide("value_max", parse_number(q.number_max, self.numerals) if q.number_max else None, "")
        draft.decide("unit", q.unit + q.per, rule)
        # A compound unit is kept as written: the numerator's factor alone would mislead.
        factor = 1.0 if q.per else q.unit_rule.factor_of(q.unit)
        draft.decide("value_std", round(value * factor, 9), "")
        draft.decide("unit_std", q.unit + q.per if q.per else (q.unit_rule.std or q.unit), "")
        return None
