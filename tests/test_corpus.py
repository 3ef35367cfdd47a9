"""The whole corpus: every record's span holds its number as written, in the original text."""
from __future__ import annotations

import regex

from targets.core.load import load_file
from targets.core.normalize import simplify
from targets.core.steps.units import parse_number

from .conftest import CORPUS

LEADING_NUMBER = regex.compile(r"\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+")


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
            number = LEADING_NUMBER.match(written)
            assert number, (t.source, t.char_start, written)
            assert parse_number(number.group(), rules.numerals) == t.value, (t.source, t.char_start, written)
            # A table cell holds the number; its unit stands in the row's unit column.
            where_unit = t.sentence if t.rule_id.startswith("table:") else written
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
