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
    subject_strip_end: Pattern
    enumeration: Pattern  # examples before 等, dropped unless 分别 pairs them with values
    auxiliary: Pattern  # what ends a phrase that is no subject (云南将, 上海计划)
    aside: Pattern  # a bracketed aside, dropped from a subject (单位GDP(生产总值)能耗)
    predicates: Pattern
    suffix_lead: Pattern  # stripped from the text after the unit before it joins the subject
    object_verbs: Pattern  # verbs of making: their object is the measure
    share_of: Pattern  # a clause that opens so is a share of the previous subject
    noun_after: Pattern  # the noun phrase after a number that is a verb's object


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
        if q.count:
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
    """Step: the indicator, the measure the clause is about.

    The subject is the clause's text up to its first predicate, less years, strive words,
    baselines, bracketed asides and leading place and filler words. Where a verb of making
    (新增, 建成, 完成 …) stands before the number, the measure is its object: the text
    between that verb and the number (新增骨干慢行通道30公里), or the noun after the number
    (累计完成100项工业节能降碳改造项目), with a short subject of its own before it
    (湖北省可再生能源新增发电装机). A later number of a clause names its own subject when words
    stand between (建成绿色园区30个、绿色工厂300家); with none, the previous target's subject
    holds. A clause that opens with a share word (占…) is said of the previous target's
    subject. For a share, 新增/新建 belong to the subject (当年新增新能源汽车比例): a share is
    never an amount added.
    """

    def __init__(self, rules, matcher):
        rx, tr = rules.rx, rules.triggers
        self.matcher = matcher
        self.strive = rx(rules.strive.words)
        self.bases = [rx(b) for b in rules.changes.base.values()]
        self.ends = rx(tr.predicates)
        self.strip = rx(tr.subject_strip)
        self.enumeration = rx(tr.enumeration)
        self.respectively = rx(rules.split.respectively)
        self.auxiliary = rx(tr.auxiliary)
        self.strip_end = rx(tr.subject_strip_end)
        self.aside = rx(tr.aside)
        self.object_verbs = rx(tr.object_verbs)
        self.verbs = rx(tr.verbs)
        self.share_of = rx(tr.share_of)
        self.increment_cut = rx(f"^(?:{rules.changes.increment})")
        self.after = rx("|".join(c.pattern for c in rules.comparators if c.position == "after"))
        self.joiners = rx(f"^(?:(?:{self.after.pattern}))?(?:{rules.split.separators})+")
        self.suffix_lead = rx(tr.suffix_lead)
        self.noun = rx(tr.noun_after)

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        prev, local, last = clause.same_clause_last, clause.local, clause.last
        own = bool(prev and has_words(local))
        text = self.joiners.sub("", local) if own else clause.prefix
        share = clause.quantity.unit_rule.family in ("share", "share_change")
        listed = bool(self.respectively.search(clause.text))  # 分别 pairs the items: keep them
        found, rule = self.subject(text, clause.suffix, share, listed)
        if own and prev and self.tidy(text) == prev["indicator"]:
            # 创建50家绿色工厂、3家绿色供应链: the text between is the previous count's object,
            # and this count's own object follows it.
            noun = self.noun.match(self.suffix_lead.sub("", self.after.sub("", clause.suffix, count=1)))
            found, rule = (self.tidy(noun.group()), "object") if noun else (found, rule)
        if found and last and not own and self.share_of.match(text):
            found, rule = self.tidy(last["indicator"] + found), "subject:share_of"
        if found:
            draft.decide("indicator", found, f"subject:{'own' if own else rule}")
        else:
            draft.decide("indicator", last["indicator"] if last else "", "subject:previous")
        return None

    def subject(self, text: str, suffix: str, share: bool = False,
                listed: bool = False) -> tuple[str, str]:
        """(indicator, how it was found) of the text before a number and the one after it."""
        text = self.after_years(text)
        if not listed:
            text = self.enumeration.sub("", text)
        cuts = [m for m in self.ends.finditer(text)
                if not (share and self.increment_cut.match(m.group()))]
        bounds = [0] + [x for m in cuts for x in (m.start(), m.end())] + [len(text)]
        segments = [self.tidy(text[a:b]) for a, b in zip(bounds[::2], bounds[1::2])]
        head = next((seg for seg in segments if seg), "")
        rest = self.suffix_lead.sub("", self.after.sub("", suffix, count=1)).rstrip("。!?")
        noun = self.noun.match(rest)
        made = None if share else self.made(text, noun)
        if made:
            return made, "object"
        if not cuts or (not head and noun):
            # 城镇新建建筑100%执行绿色建筑标准; 80%以上的县级机关达到要求; 实现25万辆新能源汽车保有量
            return (self.tidy(head + rest) if rest[:1].isalpha() else head), "clause"
        return head, "clause"

    def made(self, text: str, noun) -> str:
        """The object of the last verb of making before the number, if one stands there:
        the text after the verb, or the noun after the number; with a short noun subject
        before the verb in front (湖北省可再生能源新增发电装机)."""
        for verb in reversed(list(self.object_verbs.finditer(text))):
            after = text[verb.end():]
            if self.ends.search(after):
                return ""  # a predicate follows the verb: the subject stands before it
            obj = self.tidy(after) or (self.tidy(noun.group()) if noun and not after.strip() else "")
            if obj:
                break
        else:
            return ""
        first = self.tidy(text[:verb.start()])
        plain = (first and len(first) <= 8 and not self.ends.search(first)
                 and not self.verbs.search(first) and not self.object_verbs.search(first)
                 and not self.auxiliary.search(first))
        return self.tidy(first + verb.group() + obj) if plain and first != obj else obj

    def after_years(self, text: str) -> str:
        """The text after its last year mark, when words follow it (将打造…项目2030年清洁能源装机
        达到: the subject follows the year), with strive words and baselines blanked out."""
        marks = self.matcher.years(text)
        for y in marks:
            text = text[:y.start] + " " * (y.end - y.start) + text[y.end:]
        if marks and self.tidy(text[:marks[-1].start]):
            first_cut = self.ends.search(text)
            end = marks[-1].end
            if not first_cut or first_cut.start() >= end:
                cut_after = self.ends.search(text, end)
                if self.tidy(text[end:cut_after.start() if cut_after else len(text)]):
                    text = " " * end + text[end:]
        text = self.strive.sub(" ", text)
        for rx in self.bases:
            text = rx.sub(lambda m: " " * len(m.group()), text)
        return text

    def tidy(self, text: str) -> str:
        text = self.aside.sub("", text.replace(" ", ""))
        text = self.strip.sub("", text)
        return self.strip_end.sub("", text)[:SUBJECT_MAX]
