"""subjects.toml: a target's indicator, the measure its clause is about.

The subject is the clause's text up to its first predicate, less years, strive words,
baselines, asides and leading place and filler words. Where a verb of making (新增, 建成, 完成 …)
stands before the number, the measure is its object: the text between the verb and the number
(新增骨干慢行通道30公里), or the noun after the number (累计完成100项工业节能降碳改造项目), with a
short subject of its own in front (湖北省可再生能源新增发电装机). Then the sentence refines it:
a later count of a list names its own object (创建50家绿色工厂、3家绿色供应链管理企业); a clause
that opens with 占 is a share of the previous subject; a generic measure (总规模, 发电量) is said
of the previous subject's topic; an item with no measure of its own (其中风电360万千瓦) takes the
previous subject's measure. For a share, 新增/新建 belong to the subject (当年新增新能源汽车
比例): a share is never an amount added.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from targets.core.match import clause_bounds
from targets.core.schema import Examples, Pattern
from targets.core.steps.units import SHARE_FAMILIES

if TYPE_CHECKING:
    from targets.core.context import Clause, Draft
    from targets.core.match import Quantity

SUBJECT_MAX = 60  # characters of an indicator kept


class Subjects(Examples):
    strip: Pattern
    strip_end: Pattern
    aside: Pattern
    inside_bracket: Pattern  # the text before a number inside brackets, up to their opening
    standard_after: Pattern  # a standard named right after a share: the subject's measure
    group: Pattern  # a group a later clause names on its own: the previous measure, for it
    new_predicate: Pattern  # what opens another predicate after a number (并建成…)
    measure_of: Pattern  # a bare measure whose thing is named after its number (总面积309万亩的…)
    noun_after_of: Pattern  # that thing, after 的 (and its count)
    counted_tail: Pattern  # the verb after a counted noun (…示范小区建设): no part of it
    group_measure: Pattern  # a share word such a group may carry (海口市、三亚市占比)
    share_of_total: Pattern  # the total a share is of, after the subject's verb (…总量的)
    share_of_total_name: str  # the name of such a share: {subject} and {total}
    repeated_max: int  # the longest subject that may name the previous target's measure again
    shared_head_min: int  # the characters a measure shares with the previous one's to be of its topic
    measure_item_max: int  # the longest bare item that takes the previous target's measure
    enumeration: Pattern  # examples before 等, dropped unless 分别 pairs them with values
    auxiliary: Pattern  # what ends a phrase that is no subject (云南将, 上海计划)
    adverbs: Pattern  # words of manner that name nothing standing alone (重点, 积极)
    suffix_lead: Pattern  # stripped from the text after the unit before it joins the subject
    goal_noun: Pattern  # a text after the unit that only calls the amount a goal (的目标)
    object_verbs: Pattern  # verbs of making: their object is the measure
    share_of: Pattern  # a clause that opens so is a share of the previous subject
    noun_after: Pattern  # the noun phrase after a number that is a verb's object
    generic: Pattern  # a measure that names no thing of its own (发电量, 总规模)
    topic_end: Pattern  # where a subject's topic ends (新能源|新增并网装机)
    measure_head: Pattern  # the measure at a subject's end (…|回收率, …|装机容量)
    has_measure: Pattern  # a subject ending so has a measure of its own
    adjectival: Pattern  # verbs of making that stay in the measure they lead (新增发电装机)
    light_verbs: Pattern  # a verb that joins what follows it to the subject (实现)
    locative: Pattern  # an object that only says where (城市建成区内): the noun after the number is what
    conjunction: Pattern  # a subject that is only one of these or a separator has none of its own
    bare_measure: Pattern  # an object that is only a measure (面积): what it measures comes before
    modifier: Pattern  # a short noun that makes two verbs of making one object (实施节能改造)
    of_noun: Pattern  # a share followed so names its measure after it (5%的需求侧响应能力)
    condition: Pattern  # a head that is a condition (改造后): the measure follows it
    topic_phrase: Pattern  # a clause naming the topic of what follows (在…方面)
    share_measure: Pattern  # a share's own measure, after a first predicate (…的比例)


def joined(item: str, measure: str) -> str:
    """An item and the measure it takes, the words they share said once (太阳能发电|发电装机:
    太阳能发电装机)."""
    overlap = next((k for k in range(min(len(item), len(measure)), 1, -1) if item.endswith(measure[:k])), 0)
    return item + measure[overlap:]


def own_subject(p: Phrases, text: str) -> str:
    """A clause's own subject: what stands before its first quantity, less the verb that made
    it (全省已建成加氢站10座，到2025年将建成50座: 加氢站, not 已建成加氢站10座)."""
    amount = next(iter(p.matcher.quantities(text)), None)
    found = p.subject(text[:amount.start] if amount else text, "")
    made = p.object_verbs.match(found) if amount else None
    return found[made.end():] if made and made.end() < len(found) else found


def topic_and_measure(subject: str, measure_head, topic_end) -> tuple[str, str]:
    """(topic, measure) of a subject: 新能源|新增并网装机; the measure is "" without a measure word."""
    cut = measure_head.search(subject) or topic_end.search(subject)
    return (subject[:cut.start()], subject[cut.start():]) if cut else (subject, "")


def after_previous_item(text: str, previous: str, separator: str, tidy) -> str:
    """The text of a later item of a list, after the previous target's own noun and the list's
    separator (12个森林碳汇发展片区|、总面积1220万亩); the whole text otherwise (换电站、加氢站共50座)."""
    head, sep, tail = text.rpartition(separator)
    return tail if sep and tidy(tail) and tidy(head) and previous.endswith(tidy(head)) else text


def qualifies(predicate, qualifier_at: Optional[int]) -> bool:
    """Whether a predicate match is the verb of a qualifier at `qualifier_at` (超过|43%的…), right
    before it or one character before (提升|至20%以上的…, a space)."""
    return qualifier_at is not None and 0 <= qualifier_at - predicate.end() <= 1


def first_predicate(ends, text: str, qualifier_at: Optional[int] = None):
    """The first match of `ends` in `text` that is no qualifier's verb, or None."""
    return next((m for m in ends.finditer(text) if not qualifies(m, qualifier_at)), None)


class MadeObject:
    """The object of a verb of making before a number (新增骨干慢行通道30公里: 骨干慢行通道)."""

    def __init__(self, rules, phrases: "Phrases"):
        rx, s = rules.rx, rules.subjects
        self.phrases = phrases
        self.object_verbs = rx(s.object_verbs)
        self.adjectival = rx(f"^(?:{s.adjectival})$")
        self.stock = rx(rules.changes.stock)  # 新增…保有量: a stock, so 新增 says what is added
        self.modifier = rx(s.modifier)
        self.bare_measure = rx(s.bare_measure)
        self.locative = rx(s.locative)

    def __call__(self, text: str, noun, share: bool = False, qualifier_at: Optional[int] = None) -> str:
        """The object of the last verb of making before the number, if one stands there: the
        text after the verb (up to a predicate), or the noun after the number; with a short
        noun subject before the verb in front (湖北省可再生能源新增发电装机). A share is never an
        amount made: only a noun right after it can be its measure (形成20%用户侧调峰能力)."""
        verbs = list(self.object_verbs.finditer(text))
        for k in range(len(verbs) - 1, -1, -1):
            verb = verbs[k]
            # 实施节能改造机组42台: 节能 between 实施 and 改造 makes 节能改造机组 one object.
            while k > 0 and self.modifier.fullmatch(text[verbs[k - 1].end():verb.start()]):
                k, verb = k - 1, verbs[k - 1]
            after = text[verb.end():]
            if share and after.strip():
                return ""
            cut = first_predicate(self.phrases.ends, after,
                                  None if qualifier_at is None else qualifier_at - verb.end())
            obj = self.phrases.tidy(after[:cut.start()] if cut else after)
            bare = not after[:cut.start()].strip() and not after[cut.end():].strip() if cut else not after.strip()
            if not obj and bare and noun:
                obj = self.phrases.tidy(noun.group())  # 建成(不少于)500亩的碳汇示范林
                cut = None
            if obj and not self.phrases.only_verbs.match(obj):
                if k > 0 and (not cut or not after[cut.end():].strip()) and self.bare_measure.match(obj):
                    # 实施公共建筑能效提升改造面积: a bare measure names what the work is done to,
                    # from the verb before (whatever predicates stand inside the compound).
                    before = verbs[k - 1]
                    lead = before.group() if self.adjectival.match(before.group()) else ""
                    return self.phrases.tidy(lead + text[before.end():verb.end()] + obj)
                if noun and self.locative.search(obj):
                    obj = self.phrases.tidy(obj + noun.group())  # 完成城市建成区内343个老旧小区改造
                break
            if cut:
                return ""
        else:
            return ""
        raw = text[:verb.start()]
        first = self.phrases.tidy(raw)
        plain = (first and len(first) <= 8 and not self.phrases.ends.search(raw)
                 and not self.phrases.verbs.search(raw) and not self.object_verbs.search(raw)
                 and not self.phrases.auxiliary.search(first))
        if plain and first != obj:
            return self.phrases.tidy(first + verb.group() + obj)
        # 新增/新建 qualifies a measure that has a predicate of its own (新建建筑…排放量不高于,
        # 新增装机容量超过); before the amount it makes it is the verb, said by the kind.
        keep = self.adjectival.match(verb.group()) and (cut or self.stock.search(obj))
        return self.phrases.tidy(verb.group() + obj) if keep else obj


class OtherGroup:
    """A later clause that names only another group (其他区域不低于80%; 其中海口市、三亚市占比
    达到80%): the previous target's measure in the same unit, for that group, less a group
    leading it."""

    def __init__(self, rules):
        s = rules.subjects
        self.group = rules.rx(f"^(?P<group>{s.group})(?P<share>{s.group_measure})?$")
        # (groups joined: 县城和城乡结合部 leads as one)
        self.lead = rules.rx(f"^(?:{s.group})(?:(?:和|、|及)(?:{s.group}))*(?=\\p{{Han}}{{4}})")
        self.share_end = rules.rx(f"(?:{s.group_measure})$")

    def __call__(self, last: "Draft", found: str, q: "Quantity") -> Optional[str]:
        if q.count or last.get("unit") != q.unit + q.per:
            return None  # (only a measure in the same unit: 替代散烧煤1.5亿吨，县城达80%以上)
        previous = last["indicator"]
        m = self.group.match(found)
        if not m or (m.group("share") and not self.share_end.search(previous)):
            return None
        if self.group.match(previous):
            return None  # the previous target named a group only: no measure to share
        return m.group("group") + self.lead.sub("", previous, count=1)


class Phrases:
    """The text-level reading of a subject."""

    def __init__(self, rules, matcher):
        rx, s = rules.rx, rules.subjects
        self.matcher = matcher
        self.strive = rx(rules.strive.words)
        self.bases = [rx(b) for b in rules.changes.base.values()]
        self.ends = rx(rules.triggers.predicates)
        self.verbs = rx(rules.triggers.verbs)
        self.strip, self.strip_end, self.aside = rx(s.strip), rx(s.strip_end), rx(s.aside)
        self.inside_bracket, self.standard_after = rx(s.inside_bracket), rx(s.standard_after)
        self.share_of_total, self.share_of_total_name = rx(s.share_of_total), s.share_of_total_name
        self.own_predicate_after = rx(rules.changes.own_predicate_after)
        # A separator right before the number is no part of the subject (创建1个示范镇和10个
        # 示范基地); only there: 碳中和 and 参与 end words elsewhere.
        self.joins_next = rx(f"(?:{rules.split.separators})\\s*$")
        self.new_predicate = rx(s.new_predicate)
        self.next_item = rx(f"(?:{rules.split.item_separator})\\D*\\d.*$")
        self.enumeration, self.auxiliary = rx(s.enumeration), rx(s.auxiliary)
        self.adverbs = rx(f"^(?:{s.adverbs})$")
        self.object_verbs, self.noun = rx(s.object_verbs), rx(s.noun_after)
        self.only_verbs = rx(f"^(?:{s.object_verbs}|{rules.triggers.verbs})+$")
        self.only_made = rx(f"^(?:{s.object_verbs})+$")
        self.conjunction = rx(f"^(?:{rules.split.separators}|{s.conjunction})$")
        self.of_noun, self.has_measure = rx(s.of_noun), rx(s.has_measure)
        self.light = rx(f"^(?:{s.light_verbs})$")
        self.condition = rx(s.condition)
        self.share_measure = rx(s.share_measure)
        self.increment_cut = rx(f"^(?:{rules.changes.increment})")
        self.after = rx("|".join(c.pattern for c in rules.comparators if c.position == "after"))
        self.before = rx("|".join(f"(?:{c.pattern})" for c in rules.comparators if c.position == "before"))
        self.suffix_lead, self.goal_noun = rx(s.suffix_lead), rx(s.goal_noun)
        self.made = MadeObject(rules, self)

    def tidy(self, text: str) -> str:
        text = text.replace(" ", "")
        if not text:
            return ""  # (a third of the calls: the empty segments of a subject's cuts)
        text = self.aside.sub("", text)
        text = self.strip.sub("", text)
        return self.strip_end.sub("", text)[:SUBJECT_MAX]

    def rest(self, suffix: str) -> str:
        """The text after the unit, less its comparator and a leading 的 (none: …的目标)."""
        rest = self.suffix_lead.sub("", self.after.sub("", suffix, count=1)).rstrip("。!?")
        return "" if self.goal_noun.match(rest) else rest

    def subject(self, text: str, suffix: str, share: bool = False, listed: bool = False,
                marks: Optional[list] = None, count: bool = False,
                qualifier_at: Optional[int] = None) -> str:
        """The subject of the text before a number (and the text after it); `marks`: the year
        marks of `text`, where known. A count's comparator right before it (制修订不少于200项…)
        cuts nothing, nor does the verb of a qualifier at `qualifier_at` (能效提升20%以上的…)."""
        # (The bracket is cut after the year marks, whose offsets are the text's, are blanked.)
        text = self.joins_next.sub("", self.inside_bracket.sub("", self.after_years(text, marks)))
        if count:
            text = self.before.sub("", text)
        if not listed:
            text = self.enumeration.sub("", text)
        cuts = [m for m in self.ends.finditer(text)
                if not (share and self.increment_cut.match(m.group()))
                and not qualifies(m, qualifier_at)]
        bounds = [0] + [x for m in cuts for x in (m.start(), m.end())] + [len(text)]
        segments = [self.tidy(text[a:b]) for a, b in zip(bounds[::2], bounds[1::2])]
        segments = ["" if self.adverbs.match(seg) else seg for seg in segments]  # 重点|突破|…技术
        head = next((seg for seg in segments if seg), "")
        if len(cuts) > 1 and segments[0]:
            k = max(i for i, seg in enumerate(segments) if seg)
            if share and 0 < k < len(cuts) and self.share_measure.search(segments[k]):
                head = self.tidy(text[:cuts[k].start()])  # A达到B的比例超过30%: all of it
            elif self.light.match(cuts[0].group()) and segments[1]:
                head = self.tidy(segments[0] + segments[1])  # 改造后实现整体能效提升
        if cuts and segments[0] and segments[1] and self.condition.search(segments[0]) \
                and not self.light.match(cuts[0].group()):
            head = segments[1]  # 改造后增加供热能力: the measure, not the condition
        total = self.share_of_total.match(text[cuts[-1].end():].strip()) if share and cuts else None
        if total and head and segments[0] and not self.share_measure.search(head):
            # 新能源汽车新车销售量达到汽车新车销售总量的25% (not 配建比例不低于总车位的30%)
            return self.share_of_total_name.format(subject=head, total=total.group("total"))
        rest = self.rest(suffix)
        noun = self.noun.match(rest)
        if (share and noun and self.ends.search(text) and self.has_measure.search(noun.group())
                and self.of_noun.match(self.after.sub("", suffix, count=1))):
            return self.tidy(noun.group())  # 达到最大负荷5%左右的需求侧响应能力: the measure follows
        made = self.made(text, noun, share, qualifier_at)
        if made:
            return made
        own_predicate = (share and bool(head) and self.own_predicate_after.match(suffix)
                         # (a rest that holds another number is that number's: 20%以上的建筑达到200万平方米)
                         and not any(ch.isdigit() for ch in rest))
        # (Not a rest that opens a predicate of its own: 规划加氢站接近100座|并建成运行超过30座.)
        if (not cuts and not (head and self.new_predicate.match(rest))) or (not head and noun) or own_predicate:
            # 城镇新建建筑100%执行绿色建筑标准; 80%以上的县级机关达到要求; 实现25万辆新能源汽车保有量;
            # 建成区45%以上面积达到海绵城市要求: the measure and its predicate follow (to a next item)
            head = self.tidy(head + self.next_item.sub("", rest)) if rest[:1].isalpha() else head
        if self.only_verbs.match(head) or self.conjunction.match(head):
            return ""  # 投产296万千瓦, 达到70%或比2020年提高5个百分点: no subject of its own
        standard = (self.standard_after.match(rest)
                    if share and head and not self.has_measure.search(head) else None)
        if standard and not head.endswith(standard.group()):
            return self.tidy(head + standard.group())  # 新建居住建筑本体达到83%节能要求
        return head

    def after_years(self, text: str, marks: Optional[list] = None) -> str:
        """The text after its last year mark, when words follow it (将打造…项目2030年清洁能源装机
        达到: the subject follows the year), with strive words and baselines blanked out."""
        marks = self.matcher.years(text) if marks is None else marks
        for y in marks:
            text = text[:y.start] + " " * (y.end - y.start) + text[y.end:]
        if marks and self.tidy(text[:marks[-1].start]):
            first_cut, end = self.ends.search(text), marks[-1].end
            if not first_cut or first_cut.start() >= end:
                cut_after = self.ends.search(text, end)
                if self.tidy(text[end:cut_after.start() if cut_after else len(text)]):
                    text = " " * end + text[end:]
        text = self.strive.sub(" ", text)
        for rx in self.bases:
            text = rx.sub(lambda m: " " * len(m.group()), text)
        return text


class Subject:
    """Step: the indicator, its subject refined by the sentence around it (see the module); a
    number nothing names is rejected."""

    def __init__(self, rules, matcher):
        rx, s = rules.rx, rules.subjects
        self.phrases = Phrases(rules, matcher)
        self.respectively = rx(rules.split.respectively)
        self.joiners = rx(f"^(?:(?:{self.phrases.after.pattern}))?(?:{rules.split.separators})+")
        self.share_of, self.generic, self.topic_end = rx(s.share_of), rx(s.generic), rx(s.topic_end)
        self.share_inside = rx(s.share_of.removeprefix("^"))  # a share phrase inside an indicator
        self.topic_phrase = rx(s.topic_phrase)
        self.measure_head = rx(s.measure_head)
        self.heads = rx(rules.split.heads)
        self.repeated_max, self.shared_head_min = s.repeated_max, s.shared_head_min
        self.measure_item_max = s.measure_item_max
        self.other_group = OtherGroup(rules)
        self.item_separator = rules.split.item_separator
        self.bare_measure, self.noun_after_of = rx(s.measure_of), rx(s.noun_after_of)
        self.counted_tail = rx(s.counted_tail)

    def __call__(self, clause: "Clause", draft: "Draft") -> Optional[str]:
        p, prev, last = self.phrases, clause.same_clause_last, clause.last
        own = bool(prev and any("\u4e00" <= ch <= "\u9fff" for ch in clause.local))
        text = self.joiners.sub("", clause.local) if own else clause.prefix
        if own:
            text = after_previous_item(text, prev["indicator"], self.item_separator, p.tidy)
        share = clause.quantity.unit_rule.family in SHARE_FAMILIES
        listed = bool(self.respectively.search(clause.text))  # 分别 pairs the items: keep them
        begin = clause.quantity.start - len(text)  # the text is the sentence's up to the number
        marks = [replace(m, start=m.start - begin, end=m.end - begin) for m in clause.years
                 if m.start >= begin and m.end <= clause.quantity.start]
        qualifier = clause.qualifier
        qualifier_at = qualifier.start - begin if qualifier and qualifier.start >= begin else None
        found = p.subject(text, clause.suffix, share, listed, marks, clause.quantity.count, qualifier_at)
        rule = "own" if own else "clause"
        if self.bare_measure.match(found) and (of := self.noun_after_of.match(clause.suffix)):
            found, rule = of.group("noun") + found, "measure_of"  # 总面积309万亩的12个…片区
        if clause.quantity.count:  # 推进10个省级创新平台高质量建设: what is counted, less its verb
            found = self.counted_tail.sub("", found) or found
        # (less the previous number's own after-comparator: 20名以上科技人才、100名…)
        between = p.tidy(p.joins_next.sub("", p.after.sub("", text, count=1))) if own and prev else ""
        if between and prev["indicator"].endswith(between):
            # 创建50家绿色工厂、3家绿色供应链: the text between is the previous count's object.
            noun = p.noun.match(p.rest(clause.suffix))
            found, rule = (p.tidy(noun.group()), "object") if noun else (found, rule)
        parts = topic_and_measure(found, self.measure_head, self.topic_end)
        if last and found:
            said = self.said_of(last, found, text, clause, own, draft.get("target_year"))
            if said:
                found, rule, parts = said
        verbs = p.tidy(text)
        if not found and last and last.get("_parts") and p.only_made.match(verbs):
            topic, measure = last["_parts"]  # 开工新型储能装机1000万千瓦，建成投产600万千瓦
            found, rule, parts = p.tidy(topic + verbs + measure), "verbs", last["_parts"]
        if not found and (topic := self.topic_phrase.search(clause.sentence, 0, clause.start)):
            found, rule = p.tidy(topic["topic"]), "topic_phrase"  # 在清洁能源装机方面,…,要达到85%
        if not found and last:
            found, rule, parts = last["indicator"], "previous", last.get("_parts")
        if not found:
            found, rule = self.fallback(clause, text)
        if not found:
            return "subject:none"  # a number no words name (20%以上。): precision first
        draft.decide("indicator", found, f"subject:{rule}")
        draft.fields["_parts"] = parts  # (topic, measure) a later clause may take up
        return None

    def fallback(self, clause: "Clause", text: str) -> tuple[str, str]:
        """An indicator is never empty: the previous clause's subject (已建设施…实施改造,2025年
        前改造不低于50%), else the verb phrase itself (累计改造300万平米: 改造)."""
        p = self.phrases
        if clause.start > 0:
            before, _ = clause_bounds(clause.sentence, clause.start - 1)
            found = own_subject(p, clause.sentence[before:clause.start - 1])
            if found:
                return found, "previous_clause"
        return p.tidy(p.strive.sub("", p.after_years(text))), "verb"

    def repeated(self, last: "Draft", found: str, year: Optional[int]) -> bool:
        """Whether a short subject that ends the previous target's indicator names that measure
        again, for another deadline (…年利用量达到A；到2030年，年利用量达到B); for the same year
        it names a measure of its own (人均综合能耗下降6%，综合能耗下降5%)."""
        previous, p = last["indicator"], self.phrases
        dropped = previous[:-len(found)] if previous.endswith(found) else ""
        return (2 <= len(found) <= self.repeated_max and bool(dropped)
                and year is not None and last.get("target_year") not in (None, year)
                and not p.verbs.search(dropped) and not p.object_verbs.search(dropped))

    def said_of(self, last: "Draft", found: str, text: str, clause: "Clause", own: bool,
                year: Optional[int]) -> Optional[tuple[str, str, Optional[tuple[str, str]]]]:
        """The subject read with the previous target's: 占…, a generic measure, a bare item,
        the same measure for another year; (indicator, rule, the parts it passes on), or None."""
        p, parts = self.phrases, last.get("_parts")
        if not own and self.share_of.match(text):
            # …增加值占服务业比重达到54%，占地区生产总值比重: the share of the same numerator
            base = last["indicator"]
            inner = self.share_inside.search(base, 1)
            return p.tidy((base[:inner.start()] if inner else base) + found), "share_of", None
        if self.repeated(last, found, year):
            return last["indicator"], "repeated", parts  # 大宗固废年利用量达到…;到2030年,年利用量…
        if other := self.other_group(last, found, clause.quantity):
            return p.tidy(other), "other_group", parts
        if not parts:
            return None
        topic, measure = parts
        if self.generic.match(found) and len(topic) >= 2:
            return p.tidy(topic + found), "topic", parts
        if (len(topic) >= 2 and len(os.path.commonprefix([measure, found])) >= self.shared_head_min
                and not p.verbs.match(found) and not p.object_verbs.match(found)):
            # 可再生能源|发电装机容量达到…，发电装机比重达到…: a measure of the same topic
            return p.tidy(topic + found), "topic_measure", parts
        # (A count's item names what it counts: 新增…国家高新技术企业100家，省科技型中小企业200家.)
        if (measure and not clause.quantity.count and len(found) <= self.measure_item_max
                and not clause.predicated(self.phrases.ends)
                and not self.heads.search(found)
                and not self.phrases.has_measure.search(found)
                and not p.verbs.search(clause.prefix) and not p.object_verbs.search(clause.prefix)
                and not self.generic.match(found)):
            return p.tidy(joined(found, measure)), "measure", parts  # 其中风电360万千瓦
        return None
