"""Map an issuer as named (长垣市, 中共浙江省委, 工信部) to its province-level unit and level.

The vocabulary is rules/jurisdictions.toml; this module only builds a matcher from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Optional

import regex
from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from targets.core.tomlfile import check_regex, read_toml, validate
from targets.core.rulefiles import package_rules

RULES_FILE = package_rules() / "jurisdictions.toml"
LEVEL_RANK = {"national": 0, "ministry": 0, "province": 1, "city": 2, "district-county": 3}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Names(_Strict):
    names: list[str]




class _Ministry(_Names):
    patterns: list[Annotated[str, AfterValidator(check_regex)]]
    local_marks: list[str]


class _Province(_Strict):
    name: str
    aliases: list[str] = []


class _Place(_Strict):
    name: str
    province: str
    level: Literal["city", "district-county"]
    aliases: list[str] = []


class _Joint(_Strict):
    name: str
    provinces: list[str]
    aliases: list[str] = []


class JurisdictionRules(_Strict):
    stem_suffixes: list[str]
    national: _Names
    ministry: _Ministry
    province: list[_Province]
    place: list[_Place]
    joint: list[_Joint] = []

    @model_validator(mode="after")
    def _known_provinces(self) -> "JurisdictionRules":
        # A place or joint area pointing at a misspelt province would silently resolve to it.
        known = {p.name for p in self.province}
        for entry in [*self.place, *self.joint]:
            provinces = [entry.province] if isinstance(entry, _Place) else entry.provinces
            bad = [p for p in provinces if p not in known]
            if bad:
                raise ValueError(f"entry {entry.name!r}: unknown province {bad}")
        return self


@dataclass(frozen=True)
class Unit:
    """What one known name stands for."""
    province: str   # "河南省", "全国", or "四川省;重庆市" for a joint area
    level: str


class Resolver:
    """Finds known names in a string: leftmost, then longest."""

    def __init__(self, rules: JurisdictionRules):
        self.rules = rules
        self.units: dict[str, Unit] = {}
        for name in rules.national.names:
            self.units[name] = Unit("全国", "national")
        for name in rules.ministry.names:
            self.units[name] = Unit("全国", "ministry")
        for p in rules.province:
            self._add(p.name, p.aliases, Unit(p.name, "province"))
        for pl in rules.place:
            self._add(pl.name, pl.aliases, Unit(pl.province, pl.level))
        self.joint = {}
        for j in rules.joint:
            for name in [j.name, *j.aliases]:
                self.joint[name] = Unit(";".join(j.provinces), "province")
        # Longest first so that 上海市徐汇区 is read as 上海市 + 徐汇区, not 上海 + 市...
        alternation = "|".join(regex.escape(n) for n in sorted(self.units, key=len, reverse=True))
        self.any_name = regex.compile(alternation)
        joint_alt = "|".join(regex.escape(n) for n in sorted(self.joint, key=len, reverse=True))
        self.joint_lead = regex.compile(f"^(?:{joint_alt})") if joint_alt else None
        self.ministry_patterns = [regex.compile(p) for p in rules.ministry.patterns]

    def _add(self, name: str, aliases: list[str], unit: Unit) -> None:
        names = [name, *aliases]
        for suffix in self.rules.stem_suffixes:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                names.append(name[: -len(suffix)])
        for n in names:
            # An explicit entry wins over a derived stem of another one.
            self.units.setdefault(n, unit)

    def matches(self, text: str) -> list[tuple[int, str, Unit]]:
        return [(m.start(), m.group(), self.units[m.group()]) for m in self.any_name.finditer(text)]

    def ministry_by_pattern(self, region: str) -> bool:
        if any(mark in region for mark in self.rules.ministry.local_marks):
            return False
        return any(p.search(region) for p in self.ministry_patterns)


@lru_cache(maxsize=4)
def load_jurisdictions(path: Optional[Path] = None) -> Resolver:
    """Read and validate the jurisdiction data; RuleError names the file and the entry."""
    path = Path(path or RULES_FILE)
    return Resolver(validate(path, JurisdictionRules, read_toml(path, "jurisdiction data")))


def _strip_lead(title: str) -> str:
    # A title often opens with the Party committee (中共…) or 关于; the place follows.
    return regex.sub(r"^\s*(?:中共|关于)?", "", title)


def _joint(region: str, title: str, res: Resolver) -> Optional[Unit]:
    if res.joint_lead is None:
        return None
    for text in (region, _strip_lead(title)):
        m = res.joint_lead.match(text.strip())
        if m:
            return res.joint[m.group()]
    return None


def _leading(title: str, res: Resolver) -> Optional[tuple[str, Unit]]:
    found = res.matches(_strip_lead(title))
    if found and found[0][0] == 0:
        return found[0][1], found[0][2]
    return None


def leading_name(title: str) -> str:
    """The known jurisdiction a title opens with, as written (长垣市推进… -> 长垣市), else ""."""
    hit = _leading(title, load_jurisdictions())
    return hit[0] if hit else ""


def resolve(region: str, title: str = "", data_file: Optional[Path] = None) -> Optional[Unit]:
    """Province and level of an issuer; the title refines or stands in for the region."""
    res = load_jurisdictions(data_file)
    joint = _joint(region, title, res)
    if joint:
        return joint
    found = res.matches(region)
    if not found:
        if region and res.ministry_by_pattern(region):
            return Unit("全国", "ministry")
        lead = _leading(title, res)
        return lead[1] if lead else None
    province = found[0][2].province
    units = [u for _, _, u in found if u.province == province]
    lead = _leading(title, res)
    if lead and lead[1].province == province:
        # 无锡市 issuing 新吴区电力能源双碳行动方案: the title names the narrower issuer.
        units.append(lead[1])
    return max(units, key=lambda u: LEVEL_RANK[u.level])


def province_of(region: str, title: str = "", data_file: Optional[Path] = None) -> str:
    """"河南省", "内蒙古自治区", "全国" for national and ministry documents, "" when unknown."""
    unit = resolve(region, title, data_file)
    return unit.province if unit else ""


def level_of(region: str, title: str = "", data_file: Optional[Path] = None) -> str:
    """"national", "ministry", "province", "city", "district-county", or "" when unknown."""
    unit = resolve(region, title, data_file)
    return unit.level if unit else ""
