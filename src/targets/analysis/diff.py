"""Diff the targets of two versions of a plan: align them, then say what changed.

Alignment is one-to-one and order-preserving, in passes (see rules/diff.toml): the key
(indicator_id, target_year, kind, base_year), the same key with the normalized indicator
text, that text alone when one side has no target year, then sentence similarity. The
vocabulary (thresholds, draft and revision markers) is rules/diff.toml; this module never
spells a word of Chinese.
"""
from __future__ import annotations

import math
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Callable, Hashable, Optional, Sequence

import regex
from pydantic import BaseModel, ConfigDict, Field, model_validator

from targets.models import Document, Target, TargetChange
from targets.core.tomlfile import Rx, read_toml, validate
from targets.core.rulefiles import package_rules

RULES_FILE = package_rules() / "diff.toml"
COMPARED = ("value", "comparator", "target_year", "strive", "unit")


Ratio = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Align(_Strict):
    indicator_strip: Rx
    min_sentence_similarity: Ratio
    min_indicator_similarity: Ratio
    value_rel_tol: Annotated[float, Field(ge=0, lt=1)]


class _Marker(_Strict):
    id: str
    pattern: Rx
    order: int
    examples: list[str] = []

    @model_validator(mode="after")
    def _examples_match(self) -> "_Marker":
        missed = [e for e in self.examples if not regex.search(self.pattern, e, regex.V1)]
        if missed:
            raise ValueError(f"pattern does not match its examples {missed}")
        return self


class _Versions(_Strict):
    title_strip: list[Rx]
    marker: list[_Marker]


class _National(_Strict):
    province: str
    title: str
    levels: list[str]


class DiffRules(_Strict):
    align: _Align
    versions: _Versions
    national: _National


@lru_cache(maxsize=4)
def load_diff_rules(rules_dir: Optional[Path] = None) -> DiffRules:
    """Read and validate diff.toml of a rules folder; RuleError names the file and the key."""
    path = Path(rules_dir) / "diff.toml" if rules_dir else RULES_FILE
    return validate(path, DiffRules, read_toml(path, "diff rules"), label="key")


rx = lru_cache(maxsize=None)(lambda p: regex.compile(p, regex.V1))   # checked at load


# ---- alignment -------------------------------------------------------------------------

def normalized_indicator(indicator: str, rules: DiffRules) -> str:
    """The indicator text compared across versions: no spaces, punctuation or scope words.

    >>> normalized_indicator("全省 森林覆盖率（%）", load_diff_rules())
    '森林覆盖率'
    """
    return rx(rules.align.indicator_strip).sub("", indicator)


def _ids_compatible(a: Target, b: Target) -> bool:
    return not (a.indicator_id and b.indicator_id and a.indicator_id != b.indicator_id)


def _pair_by_key(old: Sequence[Target], new: Sequence[Target], free_old: list[int],
                 free_new: list[int], key: Callable[[Target], Optional[Hashable]],
                 pairs: dict[int, int],
                 accept: Callable[[Target, Target], bool] = lambda o, n: True) -> None:
    """Pair free targets with equal keys; within a key, in document order (a stable zip)."""
    queues: dict[Hashable, list[int]] = {}
    for j in free_new:
        k = key(new[j])
        if k is not None:
            queues.setdefault(k, []).append(j)
    for i in free_old:
        k = key(old[i])
        # A listed-twice indicator pairs first with first: the zip never crosses over.
        queue = queues.get(k, []) if k is not None else []
        j = next((j for j in queue if _ids_compatible(old[i], new[j]) and accept(old[i], new[j])),
                 None)
        if j is not None:
            queue.remove(j)
            pairs[i] = j


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _pair_by_sentence(old: Sequence[Target], new: Sequence[Target], free_old: list[int],
                      free_new: list[int], rules: DiffRules, pairs: dict[int, int]) -> None:
    """Pair what is left by sentence similarity, best first; ties go to document order."""
    a = rules.align
    squeeze = lambda text: regex.sub(r"\s+", "", text)
    new_text = {j: (squeeze(new[j].sentence), normalized_indicator(new[j].indicator, rules))
                for j in free_new}
    scored = []
    for i in free_old:
        o = old[i]
        ind_old = normalized_indicator(o.indicator, rules)
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(squeeze(o.sentence))   # seq2 is the one difflib indexes: set it once
        for j in free_new:
            n = new[j]
            if (o.kind, o.base_year) != (n.kind, n.base_year) or not _ids_compatible(o, n):
                continue
            # The short indicators first: most candidates fail there, cheaply.
            ind = _similarity(ind_old, new_text[j][1])
            if ind < a.min_indicator_similarity:
                continue
            matcher.set_seq1(new_text[j][0])
            if matcher.real_quick_ratio() < a.min_sentence_similarity:
                continue
            sent = matcher.ratio()
            if sent >= a.min_sentence_similarity:
                scored.append((-sent, -ind, i, j))
    taken_new: set[int] = set()
    for _, _, i, j in sorted(scored):
        if i not in pairs and j not in taken_new:
            pairs[i] = j
            taken_new.add(j)


def _amount(t: Target) -> str:
    value, value_max, unit = _std(t)
    return f"{value:.9g}|{value_max if value_max is None else f'{value_max:.9g}'}|{unit}"


def align(old: Sequence[Target], new: Sequence[Target],
          rules: Optional[DiffRules] = None) -> dict[int, int]:
    """Index pairs old -> new, one-to-one, from the passes described in rules/diff.toml."""
    rules = rules or load_diff_rules()
    pairs: dict[int, int] = {}

    def free() -> tuple[list[int], list[int]]:
        taken = set(pairs.values())
        return ([i for i in range(len(old)) if i not in pairs],
                [j for j in range(len(new)) if j not in taken])

    def by_id(t: Target) -> Optional[tuple]:
        return (t.indicator_id, t.target_year, t.kind, t.base_year) if t.indicator_id else None

    def by_text(t: Target) -> tuple:
        return normalized_indicator(t.indicator, rules), t.target_year, t.kind, t.base_year

    def by_text_any_year(t: Target) -> tuple:
        return normalized_indicator(t.indicator, rules), t.kind, t.base_year

    def year_unknown(o: Target, n: Target) -> bool:
        return o.target_year is None or n.target_year is None

    # Each key is tried first with the amount, so that when one of two listings of an
    # indicator is dropped, the one left keeps its own partner instead of its neighbour's.
    for key, accept in ((by_id, None), (by_text, None), (by_text_any_year, year_unknown)):
        with_amount = lambda t, key=key: None if key(t) is None else (key(t), _amount(t))
        for k in (with_amount, key):
            _pair_by_key(old, new, *free(), k, pairs, accept or (lambda o, n: True))
    _pair_by_sentence(old, new, *free(), rules, pairs)
    return pairs


# ---- comparison ------------------------------------------------------------------------

def _std(t: Target) -> tuple[float, Optional[float], str]:
    """(value, value_max, unit) on the standard unit when the target has one."""
    if t.value_std is None:
        return t.value, t.value_max, t.unit
    factor = t.value_std / t.value if t.value else 1.0
    return t.value_std, None if t.value_max is None else t.value_max * factor, t.unit_std or t.unit


def _close(a: Optional[float], b: Optional[float], rel_tol: float) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12)


def changed_fields(old: Target, new: Target, rules: Optional[DiffRules] = None) -> list[str]:
    """Which of value, comparator, target_year, strive, unit differ (values on value_std)."""
    tol = (rules or load_diff_rules()).align.value_rel_tol
    (v_o, max_o, u_o), (v_n, max_n, u_n) = _std(old), _std(new)
    differs = {
        "value": not (_close(v_o, v_n, tol) and _close(max_o, max_n, tol)),
        "comparator": old.comparator != new.comparator,
        "target_year": old.target_year != new.target_year,
        "strive": old.strive != new.strive,
        "unit": u_o != u_n,
    }
    return [f for f in COMPARED if differs[f]]


def diff_targets(old: list[Target], new: list[Target],
                 rules: Optional[DiffRules] = None) -> list[TargetChange]:
    """Every target of both versions once: unchanged, changed, added or removed.

    Changes come in the new version's order; a removed target sits where it stood in
    the old one, before whatever was added in its place.
    """
    rules = rules or load_diff_rules()
    pairs = align(old, new, rules)
    old_of = {j: i for i, j in pairs.items()}
    # For each new position, the old index of the next paired target: removals go before it.
    next_old, upcoming = [len(old)] * (len(new) + 1), len(old)
    for j in range(len(new) - 1, -1, -1):
        upcoming = old_of.get(j, upcoming)
        next_old[j] = upcoming
    out: list[TargetChange] = []
    done = 0
    for j, t in enumerate(new):
        out += [TargetChange(status="removed", old=old[i])
                for i in range(done, next_old[j]) if i not in pairs]
        done = max(done, next_old[j])
        i = old_of.get(j)
        if i is None:
            out.append(TargetChange(status="added", new=t))
            continue
        fields = changed_fields(old[i], t, rules)
        out.append(TargetChange(status="changed" if fields else "unchanged", old=old[i], new=t,
                                changed_fields=fields))
    out += [TargetChange(status="removed", old=old[i]) for i in range(done, len(old))
            if i not in pairs]
    return out


# ---- which documents to compare --------------------------------------------------------

def version_key(doc: Document, rules: Optional[DiffRules] = None) -> tuple[str, str, int]:
    """(region, bare title, version order): documents with equal region and title are versions."""
    rules = rules or load_diff_rules()

    def strip(title: str) -> str:
        for p in rules.versions.title_strip:
            title = rx(p).sub("", title)
        return title

    # Years first, so that a marker sharing brackets with a year, （2023年修订）, leaves none.
    title, order = strip(doc.doc_title), 0
    for m in rules.versions.marker:
        title, n = rx(m.pattern).subn("", title)
        order = order or (m.order if n else 0)
    return doc.region, strip(title), order


def version_pairs(docs: Sequence[Document],
                  rules: Optional[DiffRules] = None) -> list[tuple[Document, Document]]:
    """(older, newer) for each pair of successive versions of one plan, in corpus order."""
    rules = rules or load_diff_rules()
    groups: dict[tuple[str, str], list[tuple[int, str, int, Document]]] = {}
    for pos, doc in enumerate(docs):
        region, title, order = version_key(doc, rules)
        if region and title:
            groups.setdefault((region, title), []).append((order, doc.published or "", pos, doc))
    pairs = []
    for versions in sorted(groups.values(), key=lambda g: min(v[2] for v in g)):
        ordered = [v[3] for v in sorted(versions, key=lambda v: v[:3])]
        pairs += list(zip(ordered, ordered[1:]))
    return pairs


def national_pairs(docs: Sequence[Document],
                   rules: Optional[DiffRules] = None) -> list[tuple[Document, Document]]:
    """(national plan, document) for every document at a level set beside the national plan."""
    rules = rules or load_diff_rules()
    nat = rules.national
    plan = next((d for d in docs if d.province == nat.province and d.doc_title == nat.title), None)
    if plan is None:
        return []
    return [(plan, d) for d in docs if d.level in nat.levels and d.province != nat.province]
