"""Score extracted targets against a gold set (GUIDE.md's format), as the reference scorer does.

A prediction matches a gold row when both name the same file, the same amount in the same
unit family, the same target year, and the prediction's span overlaps an occurrence of the
gold quote widened by 40 characters each side. Optional gold rows are neither hit nor miss.
"""
from __future__ import annotations

import csv
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

WINDOW = 40
FIELDS = ["comparator", "kind", "direction", "base_year", "strive", "value_max"]


@lru_cache(maxsize=1)
def _scoring() -> dict[str, Any]:
    """rules/scoring.toml: the reference scorer's unit table, as data."""
    from targets.core.rulefiles import package_rules
    from targets.core.tomlfile import read_toml

    return read_toml(package_rules() / "scoring.toml", "the scoring rules")


def unit_family(unit: str, value: float) -> tuple[str, float]:
    """(family, amount in the family's base unit): 万千瓦 and 亿千瓦 compare as kW.

    >>> unit_family("亿千瓦", 1.35) == unit_family("万千瓦", 13500)
    True
    """
    s = _scoring()
    u = unicodedata.normalize("NFKC", unit or "").strip().replace(" ", "")
    if u in s["percent"]:
        return s["percent"][u], value
    if u.lower() in s["si"]:
        fam, k = s["si"][u.lower()]
        return fam, value * k
    if u.lower() in s["base"]:
        return s["base"][u.lower()], value
    for prefix in sorted(s["scale"], key=len, reverse=True):
        if u.startswith(prefix) and u[len(prefix):]:
            fam, base = unit_family(u[len(prefix):], value)
            return fam, base * s["scale"][prefix]
    return u or "count", value


def _num(s: Any) -> Optional[float]:
    try:
        return float(str(s).replace(",", "")) if s not in (None, "") else None
    except ValueError:
        return None


def _field(name: str, s: Any) -> str:
    s = "" if s is None else str(s).strip()
    if name in ("base_year", "value_max"):
        v = _num(s)
        return "" if v is None else (str(int(v)) if name == "base_year" else f"{v:.6g}")
    if name == "strive":
        return "1" if s.lower() in ("1", "true", "yes", "1.0") else "0"
    return s.lower()


def _key(row: dict, with_year: bool = True) -> Optional[tuple]:
    v = _num(row.get("value"))
    if v is None:
        return None
    fam, base = unit_family(row.get("unit", ""), v)
    year = _num(row.get("target_year"))
    key = (Path(row.get("file") or row.get("source") or "").name, fam, float(f"{base:.6g}"))
    return key + ((int(year) if year is not None else None,) if with_year else ())


def load_gold(gold_dir: Path) -> list[dict]:
    files = sorted(gold_dir.glob("*.csv")) + sorted(gold_dir.glob("parts/*.csv"))
    rows = [r for f in files for r in csv.DictReader(f.open(encoding="utf-8-sig"))]
    texts = {p.name: p.read_text(encoding="utf-8") for p in (gold_dir / "texts").glob("*")}
    for r in rows:
        text, quote, spans = texts.get(r["file"], ""), r.get("quote", ""), []
        i = text.find(quote) if quote else -1
        while i >= 0:
            spans.append((i - WINDOW, i + len(quote) + WINDOW))
            i = text.find(quote, i + 1)
        r["_spans"], r["_optional"] = spans, str(r.get("optional", "0")).strip() in ("1", "true")
    return rows


def _overlaps(pred: dict, gold: dict) -> bool:
    s, e = _num(pred.get("char_start")), _num(pred.get("char_end"))
    return s is not None and e is not None and any(s < ge and e > gs for gs, ge in gold["_spans"])


def _similarity(g: dict, p: dict) -> float:
    a, b = set(g.get("indicator", "")), set(p.get("indicator", ""))
    return len(a & b) / max(1, len(a | b))


def match(gold: list[dict], pred: list[dict], with_year: bool = True, positional: bool = True):
    """Greedy one-to-one matching: (pairs, unmatched gold, unmatched predictions)."""
    by_key: dict = defaultdict(list)
    for g in gold:
        by_key[_key(g, with_year)].append(g)
    pairs, used, extras = [], set(), []
    for p in pred:
        cands = [g for g in by_key.get(_key(p, with_year), []) if id(g) not in used
                 and (not positional or _overlaps(p, g))]
        cands.sort(key=lambda g: (g["_optional"], -_similarity(g, p)))
        if cands:
            used.add(id(cands[0]))
            pairs.append((cands[0], p))
        else:
            extras.append(p)
    return pairs, [g for g in gold if id(g) not in used], extras


@dataclass
class Score:
    tp: int
    fp: int
    fn: int
    field_accuracy: dict[str, float] = field(default_factory=dict)
    missed: list[dict] = field(default_factory=list)
    extra: list[dict] = field(default_factory=list)
    mismatched: list[tuple[dict, dict, list[str]]] = field(default_factory=list)  # wrong fields

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: list[dict], pred: list[dict], with_year: bool = True, positional: bool = True) -> Score:
    names = {g["file"] for g in gold}
    pred = [p for p in pred if Path(p.get("source", "")).name in names]
    pairs, missed, extra = match(gold, pred, with_year, positional)
    s = Score(tp=sum(1 for g, _ in pairs if not g["_optional"]), fp=len(extra),
              fn=sum(1 for g in missed if not g["_optional"]),
              missed=[g for g in missed if not g["_optional"]], extra=extra)
    for f in FIELDS:
        ok = sum(1 for g, p in pairs if _field(f, g.get(f)) == _field(f, p.get(f)))
        s.field_accuracy[f] = ok / len(pairs) if pairs else 0.0
    s.mismatched = [(g, p, [f for f in FIELDS if _field(f, g.get(f)) != _field(f, p.get(f))])
                    for g, p in pairs]
    return s
