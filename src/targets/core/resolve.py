"""Raw match + its sentence -> typed target fields (numbers, units, years, comparator, kind).

Every decision reads the sentence the number stands in, and nothing else: its clause (up to
，；：), the text between the previous number of the clause and this one, the year marks
before it. Vocabulary comes from the rule set; this module only composes it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from targets.core.match import Matcher, Quantity, YearMark, clause_bounds
from targets.core.rulebook import RuleSet

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_POWERS = {"十": 10, "百": 100, "千": 1000}
SHARE_FAMILIES = ("share", "share_change")


def parse_number(text: str) -> float:
    """An Arabic or Chinese numeral as a float.

    >>> parse_number("26.09"), parse_number("两千"), parse_number("十五"), parse_number("三百二十")
    (26.09, 2000.0, 15.0, 320.0)
    >>> round(parse_number("三分之一"), 4), parse_number("4分之3")
    (0.3333, 0.75)
    """
    if "分之" in text:  # a fraction is written denominator first: 三分之一 = 1/3
        denominator, numerator = text.split("分之", 1)
        return parse_number(numerator) / parse_number(denominator)
    if text[0].isdigit():
        return float(text)
    total, digit = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        else:
            total += (digit or 1) * CN_POWERS[ch]
            digit = 0
    return float(total + digit)


@dataclass(frozen=True)
class Resolved:
    """The typed fields of one target, its span relative to its sentence."""

    indicator: str
    value: float
    value_max: Optional[float]
    unit: str
    value_std: Optional[float]
    unit_std: str
    comparator: str
    kind: str
    direction: str
    base_year: Optional[int]
    target_year: Optional[int]
    strive: bool
    start: int
    end: int
    rule_id: str


class Resolver:
    """Turns the quantities of a sentence into resolved targets."""

    def __init__(self, rules: RuleSet, matcher: Matcher | None = None):
        self.rules = rules
        self.matcher = matcher or Matcher(rules)
        rx, ch, tr = rules.rx, rules.changes, rules.triggers
        self.strive_rx = rx(rules.strive.words)
        self.carry_rx = rx(rules.strive.carry_into)
        self.change_rx = rx(f"(?P<down>{ch.down})|(?P<up>{ch.up})")
        self.to_level_rx = rx(ch.to_level)
        self.increment_rx, self.stock_rx = rx(ch.increment), rx(ch.stock)
        self.rate_rx = rx(f"(?P<down>{ch.rate_down})|(?P<up>{ch.rate_up})")
        self.base_rxs = [rx(b) for b in ch.base]
        self.verbs_rx, self.count_verbs_rx = rx(tr.verbs), rx(tr.count_verbs)
        self.strip_rx = rx(tr.subject_strip)
        words = [c.pattern.strip("^$") for c in rules.comparators if c.position == "before"]
        self.predicate_rx = rx("|".join([tr.verbs, ch.down, ch.up, *words, *ch.base, "分别|均|双"]))
        self.subject_end_rx = rx(tr.predicates)
        self.after_comparator_rx = rx("|".join(c.pattern for c in rules.comparators if c.position == "after"))
        self.comparators = [(c.symbol, c.position, rx(c.pattern), c.id) for c in rules.comparators]
        self.exclusions = [(rx(e.before) if e.before else None, rx(e.after) if e.after else None,
                            rx(e.clause) if e.clause else None, e.units, e.without_year)
                           for e in rules.exclusions]
        self.separators_rx = rx(rules.split.separators)
        self.count_rule_ids = {f"unit:{u.id}" for u in rules.units if u.count}
        self.increment_cut_rx = rx(f"^(?:{ch.increment})")

    # --- the sentence -------------------------------------------------------------------
    def sentence(self, text: str) -> list[Resolved]:
        """Every target of one normalized sentence, left to right."""
        quantities = self.matcher.quantities(text)
        if not quantities:
            return []
        years = self.matcher.years(text)
        out: list[Resolved] = []
        last: Optional[Resolved] = None
        for i, q in enumerate(quantities):
            cs, ce = clause_bounds(text, q.start)
            prev = quantities[i - 1] if i and quantities[i - 1].end > cs else None
            local = text[prev.end if prev else cs:q.start]
            suffix = text[q.end:ce]
            mark = self.year_at(years, q.start)
            if mark and mark.role == "history":
                continue
            if self.excluded(q, text[max(0, q.start - 8):q.start], text[cs:ce], suffix, mark is None):
                continue
            if self.counts_its_list(q, local):
                continue
            fields = self.fields(text, q, cs, local, suffix, mark, last, same_clause=prev is not None)
            if fields is None:
                continue
            last = fields
            out.extend(self.split(fields, text[cs:q.start], local))
        return self.pair_respectively(text, out, years)

    def year_at(self, years: list[YearMark], pos: int) -> Optional[YearMark]:
        before = [y for y in years if y.end <= pos]
        return before[-1] if before else None

    def excluded(self, q: Quantity, before: str, clause: str, suffix: str, no_year: bool) -> bool:
        family = q.unit_rule.family
        for before_rx, after_rx, clause_rx, scope, without_year in self.exclusions:
            if ((scope in ("amount", "measure") and family in SHARE_FAMILIES)
                    or (scope == "measure" and q.unit_rule.count)
                    or (scope == "count" and not q.unit_rule.count)):
                continue
            if without_year and not no_year:
                continue
            if ((before_rx and before_rx.search(before)) or (after_rx and after_rx.match(suffix))
                    or (clause_rx and clause_rx.search(clause))):
                return True
        return False

    def counts_its_list(self, q: Quantity, local: str) -> bool:
        """郑州、开封、濮阳、周口4个示范区: a count equal to the items listed right before it."""
        if not q.unit_rule.count or q.number_max:
            return False
        items = [p for p in self.separators_rx.split(local) if p]
        return len(items) > 1 and len(items) == parse_number(q.number)

    # --- fields ---------------------------------------------------------------------------
    def fields(self, text: str, q: Quantity, cs: int, local: str, suffix: str,
               mark: Optional[YearMark], last: Optional[Resolved],
               same_clause: bool) -> Optional[Resolved]:
        clause_prefix = text[cs:q.start]
        prev = last if same_clause else None
        comparator = self.comparator(local, suffix, q)
        strive = self.strive(text, cs, q.start)
        year = mark.year if mark else None
        if not self.is_commitment(q, clause_prefix, year, comparator, strive, last):
            return None
        share = q.unit_rule.family in SHARE_FAMILIES
        # 建成绿色园区30个、绿色工厂300家: a later number of a clause names its own subject.
        own = local.lstrip("、和及与") if prev and self.has_words(local) else clause_prefix
        indicator = self.indicator(own, suffix, share) or (last.indicator if last else "")
        if prev and not self.predicate_rx.search(local) and comparator == "=":
            comparator = prev.comparator  # "A、B分别不低于X、Y": Y shares A's comparator
        kind, direction = self.kind(q, local, indicator, prev)
        base = self.base_year(clause_prefix) if kind == "change" else None
        value = parse_number(q.number)
        factor = q.unit_rule.factor_of(q.unit)
        std = (q.unit_rule.std or q.unit) + q.per
        return Resolved(indicator, value, parse_number(q.number_max) if q.number_max else None,
                        q.unit + q.per, round(value * factor, 9), std, comparator, kind, direction, base,
                        year, strive, q.start, q.end, f"unit:{q.unit_rule.id}")

    @staticmethod
    def has_words(text: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in text)

    def comparator(self, local: str, suffix: str, q: Quantity) -> str:
        if q.number_max:
            return "="
        found = [sym for sym, pos, rx, _ in self.comparators
                 if (rx.match(suffix) if pos == "after" else rx.search(local[-6:]))]
        if "~" in found:
            return "~"
        return found[0] if found else "="

    def strive(self, text: str, cs: int, pos: int) -> bool:
        """力争 covers its clause; a clause without a number, or a subjectless next one, too."""
        if self.strive_rx.search(text, cs, pos):
            return True
        if cs == 0:
            return False
        prev_cs, _ = clause_bounds(text, cs - 1)
        previous = text[prev_cs:cs - 1]
        if not self.strive_rx.search(previous):
            return False
        if self.matcher.quantities(previous):
            return bool(self.carry_rx.match(text[cs:]))
        # 力争到2025年，A达到X: a clause of nothing but the strive word and a year leads the next.
        rest = self.strive_rx.sub("", previous)
        for y in reversed(self.matcher.years(rest)):
            rest = rest[:y.start] + rest[y.end:]
        return not self.has_words(rest.replace("在", "").replace("前", ""))

    def is_commitment(self, q: Quantity, clause_prefix: str, year: Optional[int],
                      comparator: str, strive: bool, last: Optional[Resolved]) -> bool:
        if q.chinese:
            # 两个, 十项: a Chinese numeral counts only right after its verb; elsewhere it is part
            # of a name (七台河) or of a phrase (一项重大任务, 五个新城).
            return q.number != "一" and bool(self.count_verbs_rx.search(clause_prefix[-6:]))
        if q.unit_rule.count:
            # A list of counts shares its verb: 创建绿色工厂200家以上，绿色园区30家左右.
            follows_count = last is not None and last.rule_id.split("+")[0] in self.count_rule_ids
            return follows_count or bool(self.count_verbs_rx.search(clause_prefix))
        return (year is not None or comparator != "=" or strive
                or bool(self.verbs_rx.search(clause_prefix)))

    def kind(self, q: Quantity, local: str, indicator: str,
             prev: Optional[Resolved]) -> tuple[str, str]:
        rate = self.rate_rx.search(indicator)
        changes = [m for m in self.change_rx.finditer(local)
                   if not self.to_level_rx.match(local[m.end():])]
        increments = list(self.increment_rx.finditer(local))
        adds_up = q.unit_rule.family not in SHARE_FAMILIES
        if changes and not (adds_up and increments and increments[-1].start() > changes[-1].start()):
            return "change", "down" if changes[-1].group("down") else "up"
        if rate:
            return "change", "down" if rate.group("down") else "up"
        if q.unit_rule.family == "share_change":
            return "change", prev.direction if prev and prev.direction else "up"
        if prev and not self.predicate_rx.search(local):
            return prev.kind, prev.direction
        if adds_up and increments and not self.stock_rx.search(local):
            return "increment", ""
        return "level", ""

    def base_year(self, clause_prefix: str) -> Optional[int]:
        for rx in self.base_rxs:
            found = list(rx.finditer(clause_prefix))
            if found:
                return int(found[-1].group("y"))
        return None

    def indicator(self, clause_prefix: str, suffix: str, share: bool = False) -> str:
        """The clause's subject: up to its first verb, less years, strive and place words.

        For a share, 新增/新建 belong to the subject (当年新增新能源汽车比例): a share is never
        an amount added, so they cannot be its predicate.
        """
        subject = clause_prefix
        for y in self.matcher.years(subject):
            subject = subject[:y.start] + " " * (y.end - y.start) + subject[y.end:]
        subject = self.strive_rx.sub(" ", subject)
        for rx in self.base_rxs:  # 比2025年 is a baseline, not a subject
            subject = rx.sub(lambda m: " " * len(m.group()), subject)
        cuts = [m for m in self.subject_end_rx.finditer(subject)
                 if not (share and self.increment_cut_rx.match(m.group()))]
        bounds = [0] + [x for m in cuts for x in (m.start(), m.end())] + [len(subject)]
        # The text before the first verb; failing that (新增抽水蓄能装机规模240万千瓦: the
        # subject follows the verb), the first non-empty text between two verbs.
        segments = (self.strip_rx.sub("", subject[a:b].replace(" ", ""))
                    for a, b in zip(bounds[::2], bounds[1::2]))
        head = next((seg for seg in segments if seg), "")
        rest = self.after_comparator_rx.sub("", suffix, count=1).lstrip("的").rstrip("。!?")
        if not cuts and rest[:1].isalpha():
            head += rest  # 城镇新建建筑100%执行绿色建筑标准; 80%以上的县级机关达到要求
        return head[:60]

    # --- one value, several targets ---------------------------------------------------------
    def split(self, r: Resolved, clause_prefix: str, local: str) -> list[Resolved]:
        for rule in self.rules.split.split:
            if rule.marker and self.rules.rx(rule.marker).search(local):
                items = self.items(r.indicator, rule.copies)
                if len(items) > 1:
                    return [replace(r, indicator=i, rule_id=f"{r.rule_id}+split:{rule.id}") for i in items]
            if rule.subject:
                m = self.rules.rx(rule.subject).search(r.indicator)
                if m:
                    names = [m["pre"] + m["a"] + m["head"], m["pre"] + m["b"] + m["head"]]
                    return [replace(r, indicator=n, rule_id=f"{r.rule_id}+split:{rule.id}") for n in names]
        return [r]

    def pair_respectively(self, text: str, found: list[Resolved],
                          years: list[YearMark]) -> list[Resolved]:
        """A、B、C分别达到X、Y、Z: the i-th item of the subject is the i-th value's indicator;
        2025年和2030年…分别达到X、Y: the i-th year is the i-th value's deadline."""
        marker = self.rules.rx(self.rules.split.respectively)
        clause_of = [clause_bounds(text, f.start)[0] for f in found]
        out, i = [], 0
        while i < len(found):
            r, cs = found[i], clause_of[i]
            group = [f for f, c in zip(found[i:], clause_of[i:]) if c == cs]
            paired = marker.search(text, cs, r.start) and len(group) > 1
            items = self.items(r.indicator, len(group)) if paired else []
            if paired and len(items) == len(group):
                group = [replace(f, indicator=item) for f, item in zip(group, items)]
            deadlines = self.year_list(text, years, r.start) if paired else []
            if len(deadlines) == len(group):
                group = [replace(f, target_year=y) for f, y in zip(group, deadlines)]
            out += group if paired else [r]
            i += len(group) if paired else 1
        return out

    def year_list(self, text: str, years: list[YearMark], pos: int) -> list[int]:
        """The last run of years joined by 和/、 before pos (2025年和2030年), as deadlines."""
        run: list[YearMark] = []
        for y in (y for y in years if y.end <= pos and y.role == "target"):
            joined = run and self.separators_rx.fullmatch(text[run[-1].end:y.start])
            run = run + [y] if joined else [y]
        return [y.year for y in run] if len(run) > 1 else []

    def items(self, subject: str, copies: Optional[int]) -> list[str]:
        """Cut a subject into its items, each ending in the noun they share."""
        rx = self.rules.rx
        parts = [p for p in rx("、").split(subject) if p]
        if len(parts) < 2 or (copies and len(parts) != copies):
            parts = [p for p in rx(self.rules.split.separators).split(subject) if p]
        if copies and len(parts) != copies:
            return [subject]
        head = rx(self.rules.split.heads).search(parts[-1])
        shared = head.group(0) if head else ""
        return [p if p.endswith(shared) else p + shared for p in parts]
