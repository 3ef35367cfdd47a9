"""split.toml: one value, several targets (双, 均, 分别, short rate lists), and counts of lists."""
from __future__ import annotations

from copy import deepcopy
from typing import TYPE_CHECKING, Optional

from targets.core.match import clause_bounds
from targets.core.schema import Examples, Pattern, Strict
from targets.core.steps.units import parse_number

if TYPE_CHECKING:
    import regex

    from targets.core.context import Clause, Draft
    from targets.core.match import YearMark


SAME_END = 2  # characters of a measure word (用水量 -> 水量) that items named whole end with


class SplitRule(Examples):
    id: str
    marker: Optional[Pattern] = None  # anchored at the end of the text before the number
    copies: Optional[int] = None
    subject: Optional[Pattern] = None  # a subject of two items sharing a head (化肥、农药利用率)
    alone: bool = False  # only for the one number of its clause (分别减少50%, not 分别达到5%、6%)
    counterexamples_one: list[str] = []


class Split(Strict):
    item_separator: Pattern  # what first cuts a subject into items (、)
    separators: Pattern
    respectively: Pattern
    shared_markers: Pattern  # words that open a shared predicate (分别, 均, 双)
    heads: Pattern
    whole: Pattern  # the end of an item that names its measure whole (…回收利用率)
    opens: Pattern  # words of the last item that open the measure the items share
    leads: Pattern  # the basis a first item opens with, which later items share (单位GDP)
    led: Pattern  # a later item that shares it: a bare use or emission (二氧化碳排放)
    counted: Pattern  # the count of the items, in the last (哈尔滨、…、绥化|4市|散煤用量)
    pair: Pattern  # what joins one amount told in two units (500万千瓦/1000万千瓦时)
    split: list[SplitRule]


class Items:
    """A subject cut into its items, each ending in the noun they share."""

    def __init__(self, rules):
        self.comma = rules.rx(rules.split.item_separator)
        self.separators = rules.rx(rules.split.separators)
        self.heads = rules.rx(rules.split.heads)
        self.whole = rules.rx(rules.split.whole)
        self.opens = rules.rx(rules.split.opens)
        self.leads = rules.rx(rules.split.leads)
        self.led_items = rules.rx(rules.split.led)
        self.counted = rules.rx(rules.split.counted)
        self.predicates = rules.rx(rules.triggers.predicates)
        self.share_of = rules.rx(rules.subjects.share_of.removeprefix("^"))
        self.subjects = [rules.rx(r.subject) for r in rules.split.split if r.subject]

    def __call__(self, subject: str, copies: Optional[int], counted: bool = False) -> list[str]:
        """The subject's items (`copies` of them, where known); only where the items' count
        ends their list when `counted`."""
        named = self.by_subject_rule(subject) if copies else []
        if len(named) == copies:
            return named  # 化肥、农药利用率分别…: the items of a shared short head
        parts = [p for p in self.comma.split(subject) if p]
        if len(parts) < 2 or (copies and len(parts) != copies):
            parts = [p for p in self.separators.split(subject) if p]
        if copies and len(parts) != copies:
            return [subject]
        count = self.counted.search(parts[-1])
        if count and count.start() > 0:
            # 哈尔滨、齐齐哈尔、大庆、绥化4市散煤用量: what follows the count is the shared measure
            shared = parts[-1][count.end():]
            return [p + shared for p in parts[:-1]] + [parts[-1][:count.start()] + shared]
        if counted:
            return parts if names_whole(parts) else [subject]
        shared, opener = self.shared(parts[-1], len(parts[0]))
        return self.led([*(self.completed(p, shared, opener) for p in parts[:-1]), parts[-1]])

    def led(self, names: list[str]) -> list[str]:
        """Later items with the basis the first opens with, where they are a bare use or
        emission (单位地区生产总值能耗和二氧化碳排放: 单位地区生产总值二氧化碳排放)."""
        lead = self.leads.search(names[0])
        if not lead:
            return names
        return [names[0], *(lead.group() + n if self.led_items.search(n) else n for n in names[1:])]

    def completed(self, item: str, shared: str, opener: str) -> str:
        """An item with the measure it shares (less the measure's opening word where the item
        ends with it already: 钢铁行业、建材行业能耗). An item that ends in a measure head of
        its own is named whole (split.toml `whole`: 生活垃圾回收利用率和资源化利用率)."""
        if item.endswith(shared) or self.whole.search(item):
            return item
        return item + (shared[len(opener):] if opener and item.endswith(opener) else shared)

    def by_subject_rule(self, subject: str) -> list[str]:
        """The names the first split.toml subject rule that fits makes of the subject, or none."""
        return next((names for rx in self.subjects if (names := subject_names(rx, subject))), [])

    def shared(self, last: str, item: int) -> tuple[str, str]:
        """(the measure the items share, the opening word it starts with or ""): what follows
        a predicate in the last item (煤焦化行业达到|能效标杆水平以上产能比例); else from an
        opening word before its share phrase or measure head (光纤|行业非电能源占比, 船舶|单位
        换算周转量碳排放强度), else that phrase or head (可再生能源和非化石能源|占全社会用电量比重).
        A last item that is a measure whole shares what follows its first `item` characters
        (the first item's length: 化肥、农药、地膜|利用率), or nothing when that is no measure
        (公路…回收率和循环利用率)."""
        share = self.share_of.search(last)
        shares = share is not None and share.start() > 0
        predicate = list(self.predicates.finditer(last))
        if predicate and last[predicate[-1].end():] and not shares:
            return last[predicate[-1].end():], ""
        head = share if shares else self.heads.search(last)
        if head and head.start() == 0:
            rest = last[item:]
            return (rest, "") if 0 < item < len(last) and self.heads.fullmatch(rest) else ("", "")
        cut = head.start() if head else len(last)
        opener = self.opens.search(last, 1, cut)
        if opener:
            return last[opener.start():], opener.group()
        return (last[cut:], "") if head else ("", "")


class ListedCount:
    """Step: 郑州、开封、濮阳、周口4个示范区: a count equal to the items listed right before it
    counts the list, not a target."""

    def __init__(self, rules):
        self.separators = rules.rx(rules.split.separators)
        self.numerals = rules.numerals

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        q = clause.quantity
        if not q.count or q.number_max:
            return None
        items = [p for p in self.separators.split(clause.local) if p]
        if len(items) > 1 and len(items) == parse_number(q.number, self.numerals):
            return "split:listed_count"
        return None


class Splitting:
    """Expansion: one target becomes one per item of its subject when a marker says so."""

    def __init__(self, rules, items: Items):
        rx = rules.rx
        self.rules = [(r.id, rx(r.marker) if r.marker else None, r.copies,
                       rx(r.subject) if r.subject else None, r.alone) for r in rules.split.split]
        self.respectively = rx(rules.split.respectively)
        self.items = items

    def __call__(self, clause: "Clause", draft: "Draft") -> list["Draft"]:
        indicator = draft["indicator"]
        alone = clause.previous is None and not any(c.isdigit() for c in clause.suffix)
        for rule_id, marker, copies, subject, only_alone in self.rules:
            if marker and marker.search(clause.local) and (alone or not only_alone):
                names = self.items(indicator, copies, counted=only_alone)
                if len(names) > 1:
                    return [_renamed(draft, n, f"split:{rule_id}") for n in names]
            # (分别 pairs the items with the clause's values: see Respectively.)
            names = subject_names(subject, indicator) if subject else []
            if names and not self.respectively.search(clause.text):
                return [_renamed(draft, n, f"split:{rule_id}") for n in names]
        return [draft]


def names_whole(parts: list[str]) -> bool:
    """Whether each item names its measure whole: all end in the same word (万元GDP用水量、万元
    工业增加值用水量), which is no shared measure left to find (新建建筑和既有建筑改造中…占比)."""
    return (len(parts) > 1 and all(len(p) > SAME_END + 1 for p in parts)
            and len({p[-SAME_END:] for p in parts}) == 1)


def subject_names(rule: "regex.Pattern", subject: str) -> list[str]:
    """The two names a subject rule (化肥、农药利用率: pre, a, b, head) makes of a subject, or none."""
    m = rule.search(subject)
    if not m:
        return []
    g = {k: v or "" for k, v in m.groupdict().items()}
    return [g.get("pre", "") + g[k] + g.get("head", "") for k in ("a", "b")]


def _renamed(draft: "Draft", indicator: str, rule: str) -> "Draft":
    out = deepcopy(draft)
    out.decide("indicator", indicator, rule)
    return out


class Respectively:
    """Sentence pass: A、B、C分别达到X、Y、Z gives the i-th item of the subject to the i-th
    value; 2025年和2030年…分别达到X、Y gives the i-th year to the i-th value; a comparator
    after the last of a run of values (分别达到25%、30%以上) bounds each of them."""

    def __init__(self, rules, items: Items):
        self.marker = rules.rx(rules.split.respectively)
        self.separators = rules.rx(rules.split.separators)
        self.items = items
        self.after = {f"comparator:{c.id}" for c in rules.comparators if c.position == "after"}
        self.pair = rules.rx(rules.split.pair)

    def __call__(self, text: str, found: list["Draft"], years: tuple["YearMark", ...]) -> list["Draft"]:
        clause_of = [clause_bounds(text, f["start"])[0] for f in found]
        out, i = [], 0
        while i < len(found):
            r, cs = found[i], clause_of[i]
            group = [f for f, c in zip(found[i:], clause_of[i:]) if c == cs]
            marked = bool(self.marker.search(text, cs, r["start"]))
            deadlines = self.year_list(text, years, r["start"]) if len(group) > 1 else []
            # 2025、2030年…达到407、700万千瓦 pairs its years and values by position, 分别 or not;
            # the copies of one value that a split made (…用水量、…用水量分别下降10%) are named.
            values = len({f["start"] for f in group}) == len(group)
            paired = len(group) > 1 and values and (marked or len(deadlines) == len(group))
            if paired:
                names = self.items(r["indicator"], len(group)) if marked else []
                if len(names) == len(group):
                    for f, name in zip(group, names):
                        f.decide("indicator", name, "split:respectively")
                if len(deadlines) == len(group):
                    for f, (year, rule_id) in zip(group, deadlines):
                        f.decide("target_year", year, f"year:{rule_id}+split:respectively")
                        f.decide("year_source", "sentence", "")
                if marked:
                    self.share_trailing_bound(text, group)
            out += group if paired else [r]
            i += len(group) if paired else 1
        self.paired(text, out)
        return out

    def paired(self, text: str, found: list["Draft"]) -> None:
        """One amount told in two units (储能规模为500万千瓦/1000万千瓦时以上): the second names
        what the first does, and a comparator after the second bounds the first too."""
        for a, b in zip(found, found[1:]):
            if not self.pair.fullmatch(text, a["end"], b["start"]):
                continue
            b.decide("indicator", a["indicator"], "split:pair")
            if a.decided_by.get("comparator") == "comparator:plain" and \
                    b.decided_by.get("comparator") in self.after:
                a.decide("comparator", b["comparator"], "comparator:pair")

    def share_trailing_bound(self, text: str, group: list["Draft"]) -> None:
        """The last value's after-comparator (以上, 以下, 左右) for the plain values of its run,
        each joined to the next by a separator only (分别下降25%和20%以上: 25% is >= too)."""
        last = group[-1]
        if last.decided_by.get("comparator") not in self.after:
            return
        for f, nxt in zip(group[-2::-1], group[:0:-1]):
            joined = self.separators.fullmatch(text[f["end"]:nxt["start"]].strip())
            if not joined or f.decided_by.get("comparator") != "comparator:plain" or f["value_max"] is not None:
                return  # (a value bound of its own, or a range, which is =, ends the run)
            f.decide("comparator", last["comparator"], "comparator:respectively_after")

    def year_list(self, text: str, years, pos: int) -> list[tuple[int, str]]:
        """The last run of years joined by 和/、 before pos (2025年和2030年), as deadlines."""
        run: list = []
        for y in (y for y in years if y.end <= pos and y.role == "deadline"):
            joined = run and self.separators.fullmatch(text[run[-1].end:y.start])
            run = run + [y] if joined else [y]
        return [(y.year, y.rule_id) for y in run] if len(run) > 1 else []
