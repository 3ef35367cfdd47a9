"""Attribution: which division a document comes from, from what the document says.

The issuer as its header names it comes first, then the place its title opens with
(上海:…, 河南出台…, 广州市天河区碳达峰实施方案), then issuer and 来源 lines of its head
(XX市人民政府办公室, 来源:河南省生态环境厅), then the first places its head names. A name
that several units share (朝阳区, 鼓楼区) is resolved by the other names around it; one that
stays ambiguous gives no place but a note, never a guess.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Optional

from targets.core.places import LEVEL_RANK, Hit, Place, Places, Unit, load_places

PLACE_LEVELS = ("province", "city", "district-county")


def _strip_lead(title: str, places: Places) -> str:
    # A title often opens with the Party committee (中共…) or 关于印发; the place follows.
    return places.title_lead.sub("", title, count=1)


def leading_hits(places: Places, title: str) -> list[Hit]:
    """The names a title opens with, side by side (广州市天河区 -> 广州市, 天河区)."""
    text = _strip_lead(title, places)
    run: list[Hit] = []
    for hit in places.hits(text):
        if hit.start != (run[-1].end if run else 0):
            break
        run.append(hit)
    return run


def _describe(places: Places, unit: Unit) -> str:
    parent = places.by_code.get(unit.parent)
    where = parent.name if parent and parent.level != "province" else unit.province
    return f"{where}{unit.name} ({unit.code})" if unit.code else unit.name


def _narrow(places: Places, hit: Hit, context: set[str]) -> list[Unit]:
    """The units of an ambiguous name that lie inside another unit named beside it."""
    if len(hit.units) == 1:
        return list(hit.units)
    # The narrowest unit named beside it decides: 南京市鼓楼区, not 江苏省's other 鼓楼区.
    def depth(u: Unit) -> int:
        held_by = context & set(places.ancestors(u))
        return max((LEVEL_RANK[places.by_code[c].level] for c in held_by), default=-1)

    best = max(depth(u) for u in hit.units)
    return [u for u in hit.units if best >= 0 and depth(u) == best]


def _common(places: Places, units: list[Unit]) -> Unit:
    """The narrowest unit that is or holds each of `units` (all of one province): 徐汇区 for
    上海市 + 徐汇区, 青岛市 for 城阳区 + 即墨区."""
    def chain(u: Unit) -> list[str]:
        return [u.code or u.name, *places.ancestors(u)]

    chains = {chain(u)[0]: chain(u) for u in units}
    leaves = [u for u in units if not any(chain(u)[0] in c[1:] for c in chains.values())]
    if len({chain(u)[0] for u in leaves}) == 1:
        return leaves[0]
    first = chain(leaves[0])
    key = next(k for k in first[1:] if all(k in chain(u) for u in leaves))
    return places.by_code[key]


def _shared(hit: Hit) -> Optional[Unit]:
    """What the units of an ambiguous name have in common: their province (城区 is a district
    of three cities of 山西省), without a code; None when they lie in several provinces."""
    provinces = {u.province for u in hit.units}
    levels = {u.level for u in hit.units}
    if len(provinces) != 1:
        return None
    return Unit(hit.surface, levels.pop() if len(levels) == 1 else "", provinces.pop())


def choose(places: Places, hits: list[Hit], skip_ambiguous: bool = False) -> tuple[Optional[Unit], str, str]:
    """(unit, name as written, note) for a run of names: the first name decides the province,
    later names of that province narrow it (上海市徐汇区, 无锡市 + 新吴区), and units named
    side by side (城阳区、即墨区) stand for the unit that holds them (青岛市)."""
    context = {c for h in hits if len(h.units) == 1 for u in h.units
               for c in [u.code, *places.ancestors(u)] if c}
    chosen: list[tuple[Hit, Unit]] = []
    note = ""
    for hit in hits:
        units = _narrow(places, hit, context)
        if len(units) == 1:
            chosen.append((hit, units[0]))
            continue
        if not note:
            note = f"{hit.surface}: " + " or ".join(_describe(places, u) for u in hit.units)
        if not chosen and not skip_ambiguous:
            return _shared(hit), hit.surface, note
    if not chosen:
        return None, "", note
    first_hit, first = chosen[0]
    unit = _common(places, [u for _, u in chosen if u.province == first.province])
    return unit, first_hit.surface if unit == first else unit.name, note


def resolve_issuer(places: Places, region: str, title: str = "") -> tuple[Optional[Unit], str, str]:
    """(unit, name, note) of an issuer as named; the title refines or stands in for it."""
    for text in (region, _strip_lead(title, places)):
        m = places.joint_lead.match(text.strip()) if places.joint_lead else None
        if m:
            j = places.joint[m.group()]
            return Unit(j.name, "province", ";".join(j.provinces)), m.group(), ""
    hits = places.hits(region) if region else []
    if not hits and region and ministry_by_pattern(places, region):
        nat = places.rules.national
        return Unit(region, "ministry", nat.name, nat.code), region, ""
    return choose(places, hits + leading_hits(places, title))


def ministry_by_pattern(places: Places, region: str) -> bool:
    if any(mark in region for mark in places.rules.ministry.local_marks):
        return False
    return any(p.search(region) for p in places.ministry_patterns)


def from_head(places: Places, head: str) -> tuple[Optional[Unit], str, str]:
    """(unit, name, note) from a document's head: issuer and 来源 lines, then its places."""
    rules = places.rules.head
    notes = []
    for pattern in places.issuer_lines:
        for m in pattern.finditer(head[: rules.source_window]):
            unit, named, note = choose(places, places.hits(m.group("issuer")))
            if unit:
                return unit, named, note
            notes.append(note)
    hits = [h for h in places.hits(head[: rules.window])
            if all(u.level in PLACE_LEVELS for u in h.units)]
    unit, named, note = choose(places, hits, skip_ambiguous=True)
    return unit, named, "" if unit else next((n for n in [*notes, note] if n), "")


def attribute(places: Places, region: str, title: str = "",
              head: Callable[[], str] = str) -> Place:
    """The Place of a document from its issuer as named, its title and its head's text
    (`head` makes that text: it is asked for only when the issuer and title name no place)."""
    unit, named, note = resolve_issuer(places, region, title)
    if unit is None:
        unit, named, head_note = from_head(places, head())
        note = note or head_note
    if unit is None:
        return Place(named=named, note=note)
    return replace(places.place(unit, named), note=note)


def leading_name(title: str, places: Optional[Places] = None) -> str:
    """The known places a title opens with, as written (长垣市推进… -> 长垣市), else ""."""
    places = places or load_places()
    run = leading_hits(places, title)
    return _strip_lead(title, places)[: run[-1].end] if run else ""


def province_of(region: str, title: str = "", places: Optional[Places] = None) -> str:
    """"河南省", "内蒙古自治区", "全国" for national and ministry documents, "" when unknown."""
    return attribute(places or load_places(), region, title).province


def level_of(region: str, title: str = "", places: Optional[Places] = None) -> str:
    """"national", "ministry", "province", "city", "district-county", or "" when unknown."""
    return attribute(places or load_places(), region, title).level
