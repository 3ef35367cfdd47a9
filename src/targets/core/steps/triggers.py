"""triggers.toml: what makes a number a commitment, and the subject it is said of."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from targets.core.schema import Examples, Pattern

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft

SUBJECT_MAX = 60  # characters of an indicator kept


class Triggers(Examples):
    verbs: Pattern
    count_verbs: Pattern
    subject_strip: Pattern
    predicates: Pattern
    suffix_lead: Pattern  # stripped from the text after the unit before it joins the subject


def has_words(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def predicate_pattern(rules) -> str:
    """What opens a predicate: a verb, a change word, a comparator before the number, a
    baseline, a 分别/均/双 marker. A later number of a clause without one shares the
    previous number's predicate (A、B分别不低于X、Y: Y is >= too)."""
    words = [c.pattern.strip("^$") for c in rules.comparators if c.position == "before"]
    return "|".join([rules.triggers.verbs, rules.changes.down, rules.changes.up, *words,
                     *rules.changes.base.values(), rules.split.shared_markers])


class Commitment:
    """Step: a number is a target when a deadline, a comparator, a strive word or a verb says
    so. Counts need a count verb (or follow a count target: 创建绿色工厂200家，绿色园区30家);
    a Chinese numeral counts only right after its verb (elsewhere it is a name: 七台河)."""

    def __init__(self, rules):
        self.verbs = rules.rx(rules.triggers.verbs)
        self.count_verbs = rules.rx(rules.triggers.count_verbs)
        self.count_units = {f"unit:{u.id}" for u in rules.units if u.count}
        self.one = next(k for k, v in rules.numerals.digits.items() if v == 1)

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        q, prefix, last = clause.quantity, clause.prefix, clause.last
        if q.chinese:
            if q.number != self.one and self.count_verbs.search(prefix[-6:]):
                draft.decided_by["trigger"] = "trigger:count_verb"
                return None
            return "trigger:chinese_numeral"
        if q.unit_rule.count:
            if last is not None and last.decided_by.get("unit") in self.count_units:
                draft.decided_by["trigger"] = "trigger:count_list"
                return None
            if self.count_verbs.search(prefix):
                draft.decided_by["trigger"] = "trigger:count_verb"
                return None
            return "trigger:no_count_verb"
        for field in ("target_year", "strive"):
            if draft.get(field):
                draft.decided_by["trigger"] = f"trigger:{field}"
                return None
        if draft["comparator"] != "=":
            draft.decided_by["trigger"] = "trigger:comparator"
            return None
        if self.verbs.search(prefix):
            draft.decided_by["trigger"] = "trigger:verb"
            return None
        return "trigger:none"


class Subject:
    """Step: the indicator, the clause's subject: its text up to the first predicate, less
    years, strive words, baselines and leading place words. A later number of a clause names
    its own subject when words stand between (建成绿色园区30个、绿色工厂300家); with none, the
    previous target's subject holds. For a share, 新增/新建 belong to the subject (当年新增
    新能源汽车比例): a share is never an amount added, so they cannot be its predicate."""

    def __init__(self, rules, matcher):
        rx = rules.rx
        self.matcher = matcher
        self.strive = rx(rules.strive.words)
        self.bases = [rx(b) for b in rules.changes.base.values()]
        self.ends = rx(rules.triggers.predicates)
        self.strip = rx(rules.triggers.subject_strip)
        self.increment_cut = rx(f"^(?:{rules.changes.increment})")
        self.after = rx("|".join(c.pattern for c in rules.comparators if c.position == "after"))
        self.joiners = rx(f"^(?:{rules.split.separators})+")
        self.suffix_lead = rx(rules.triggers.suffix_lead)

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        prev, local = clause.same_clause_last, clause.local
        own = bool(prev and has_words(local))
        text = self.joiners.sub("", local) if own else clause.prefix
        share = clause.quantity.unit_rule.family in ("share", "share_change")
        found = self.subject(text, clause.suffix, share)
        if found:
            draft.decide("indicator", found, "subject:own" if own else "subject:clause")
        else:
            last = clause.last
            draft.decide("indicator", last["indicator"] if last else "", "subject:previous")
        return None

    def subject(self, text: str, suffix: str, share: bool = False) -> str:
        for y in self.matcher.years(text):
            text = text[:y.start] + " " * (y.end - y.start) + text[y.end:]
        text = self.strive.sub(" ", text)
        for rx in self.bases:  # 比2025年 is a baseline, not a subject
            text = rx.sub(lambda m: " " * len(m.group()), text)
        cuts = [m for m in self.ends.finditer(text)
                if not (share and self.increment_cut.match(m.group()))]
        bounds = [0] + [x for m in cuts for x in (m.start(), m.end())] + [len(text)]
        # The text before the first verb; failing that (新增抽水蓄能装机规模240万千瓦: the
        # subject follows the verb), the first non-empty text between two verbs.
        segments = (self.strip.sub("", text[a:b].replace(" ", ""))
                    for a, b in zip(bounds[::2], bounds[1::2]))
        head = next((seg for seg in segments if seg), "")
        rest = self.suffix_lead.sub("", self.after.sub("", suffix, count=1)).rstrip("。!?")
        if not cuts and rest[:1].isalpha():
            head += rest  # 城镇新建建筑100%执行绿色建筑标准; 80%以上的县级机关达到要求
        return head[:SUBJECT_MAX]
