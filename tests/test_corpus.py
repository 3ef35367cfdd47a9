"""The whole corpus: every record's span holds its number as written, in the original text."""
from __future__ import annotations

import regex

from targets.core.load import load_file
from targets.core.normalize import simplify
from targets.core.steps.units import parse_number

from .conftest import CORPUS

LEADING_NUMBER = r"(?:{minus})?\d+(?:\.\d+)?|[{chinese}]+"  # numerals.toml's minus and numerals


def test_corpus_reads_without_errors(corpus_results):
    assert [r.error for r in corpus_results if r.error] == []
    assert len(corpus_results) == 5
    assert sum(len(r.targets) for r in corpus_results) > 1000


def test_every_span_holds_its_number_and_unit(corpus_results, rules):
    checked = 0
    for result in corpus_results:
        text = load_file(CORPUS / result.source).text
        for t in result.targets:
            written = regex.sub(r"\s|第\d+页", "", simplify(text[t.char_start:t.char_end]))
            number = regex.match(LEADING_NUMBER.format(minus=rules.numerals.minus,
                                                       chinese=rules.numerals.characters), written)
            assert number, (t.source, t.char_start, written)
            assert parse_number(number.group(), rules.numerals) == t.value, (t.source, t.char_start, written)
            # A table cell holds the number; its unit stands in the row's unit column. A listed
            # number (426、191万千瓦) takes the unit written after the list.
            shared = t.rule_id.startswith("table:") or "+listed" in t.rule_id
            where_unit = t.sentence if shared else written
            assert t.unit in where_unit, (t.source, t.char_start, written, t.unit)
            assert t.sentence and written[:number.end()] in regex.sub(r"\s|第\d+页", "", simplify(t.sentence))
            checked += 1
    assert checked == sum(len(r.targets) for r in corpus_results)


def test_records_carry_provenance(corpus_results):
    for result in corpus_results:
        for t in result.targets:
            assert t.source == result.source and t.doc_id and t.rule_id
            assert 0 <= t.char_start < t.char_end


def test_compilation_targets_have_pages(corpus_results):
    compilation = next(r for r in corpus_results if r.source.startswith("003_"))
    assert all(t.page is not None and t.page > 0 for t in compilation.targets)
    pages = [t.page for t in compilation.targets]
    assert pages == sorted(pages)


def _roles(rules):
    """The role of each heading title a record's section path names."""
    from targets.core.outline import Reader

    reader = Reader(rules)
    marker = regex.compile(reader.marker.pattern)

    def role(title: str) -> str:
        m = marker.match(title)
        return reader.role_of(title[m.end():] if m else title)[0]
    return role


def test_no_record_comes_from_a_history_outlook_or_project_section(corpus_results, rules):
    """Issue 12: numbers in 发展基础, 面临形势, 附件 project lists and conditions give no target."""
    from collections import Counter

    from targets.core.reading import NO_TARGETS

    role = _roles(rules)
    sections = Counter(t.section.split(" / ")[0] for r in corpus_results for t in r.targets)
    banned = {s: n for s, n in sections.items()
              if any(role(part) in NO_TARGETS for part in s.split(" / "))}
    assert banned == {}
    # The records come from the plans' goal and task sections, which the outline found.
    top = [s for s, _ in sections.most_common(8)]
    assert {"三、重点任务", "二、重点任务", "二、主要目标"} <= set(top), top
    assert sum(1 for r in corpus_results for t in r.targets if t.section) > 0.9 * sum(
        len(r.targets) for r in corpus_results)


def test_indicators_name_their_measure(corpus_results, rules):
    """At most 3% of records have an indicator of two characters or less, or ending in a verb."""
    verb_end = regex.compile(f"(?:{rules.triggers.verbs}|达|应|到|至|为)$", regex.V1)
    records = [t for r in corpus_results for t in r.targets]
    poor = [t.indicator for t in records if len(t.indicator) <= 2 or verb_end.search(t.indicator)]
    assert len(poor) <= 0.03 * len(records), (len(poor), len(records), poor[:20])


def test_the_central_opinions_give_their_headline_years(corpus_results):
    """Issue 12: corpus/003 #001 states 到2025年 / 到2030年 in sentences of their own."""
    doc = next(r for r in corpus_results if r.source.startswith("003_"))
    targets = [t for t in doc.targets if t.doc_id.endswith("#001")]
    years = {(t.value, t.target_year, t.year_source) for t in targets}
    for value in (13.5, 18, 20, 24.1, 180):
        assert (value, 2025, "headline") in years, value
    for value in (65, 25):
        assert (value, 2030, "headline") in years, value
