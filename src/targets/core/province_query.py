"""`--province` as people write it: 河南省, 河南, Henan, henan, CN-HA, 410000, or several of
them separated by commas; an unknown one is a usage error that suggests the closest names."""
from __future__ import annotations

import difflib
from typing import Optional

import regex

from targets.core.places import Places
from targets.models import UsageError

SEPARATORS = regex.compile(r"[,，、;；]")


def _key(text: str) -> str:
    """How a name is compared: case, spaces and hyphens do not count (Inner-Mongolia)."""
    return regex.sub(r"[\s\-_]+", "", text).casefold()


def province_keys(places: Places) -> dict[str, str]:
    """Every way to name a province (and 全国), keyed as _key does, to its full name.

    >>> from targets.core.places import load_places
    >>> keys = province_keys(load_places())
    >>> [keys[_key(k)] for k in ("河南", "Henan", "CN-HA", "410000", "Inner Mongolia", "China")]
    ['河南省', '河南省', '河南省', '河南省', '内蒙古自治区', '全国']
    """
    keys: dict[str, str] = {}
    nat = places.rules.national
    for name in (nat.name, nat.en, nat.iso, nat.code, "national"):
        keys[_key(name)] = nat.name
    for p in places.rules.province:
        for name in [p.name, p.en, *p.en_aliases, p.iso, p.iso[3:], p.code]:
            keys.setdefault(_key(name), p.name)
    for name, units in places.names.items():  # aliases and short forms: 河南, 内蒙古
        if len(units) == 1 and units[0].level == "province":
            keys.setdefault(_key(name), units[0].name)
    return keys


def _label(places: Places, name: str) -> str:
    nat = places.rules.national
    en = nat.en if name == nat.name else places.province_rules[name].en
    return f"{name} ({en})"


def _suggest(places: Places, keys: dict[str, str], word: str) -> str:
    close = difflib.get_close_matches(_key(word), list(keys), n=6, cutoff=0.5)
    names = list(dict.fromkeys(keys[k] for k in close))[:3]
    if not names:
        return "name a province as 河南省, 河南, Henan, CN-HA or 410000"
    return "did you mean " + " or ".join(_label(places, n) for n in names) + "?"


def parse_provinces(text: Optional[str], places: Places) -> Optional[tuple[str, ...]]:
    """The full names `text` names, in its order; None for no filter.

    >>> from targets.core.places import load_places
    >>> parse_provinces("Henan, CN-SC，410000", load_places())
    ('河南省', '四川省')
    """
    if text is None:
        return None
    keys = province_keys(places)
    found: list[str] = []
    for word in filter(None, (w.strip() for w in SEPARATORS.split(text))):
        name = keys.get(_key(word))
        if name is None:
            raise UsageError(f"--province {word!r}: no such province; {_suggest(places, keys, word)}")
        if name not in found:
            found.append(name)
    if not found:
        raise UsageError(f"--province {text!r}: names no province")
    return tuple(found)
