"""Properties that hold for any text (issue #6): the offset map, extraction, the CSV round trip."""
from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from targets.outputs.export import cell_text, rows_of, write_csv
from targets.models import TARGET_COLUMNS, Target
from targets.core.match import literal_alternation
from targets.core.normalize import normalize
from targets.core.pipeline import extract_text
from targets.core.rulebook import load_rules
from targets.core.segment import SENTENCE, SENTENCE_MAX, sentences

RULES = load_rules()

# Decoded text never holds a lone surrogate (no codec yields one).
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
# Pieces of target sentences, shuffled: enough to reach the matcher, resolver and splitter.
FRAGMENTS = ["到2025年", "到2030年", "2020年", "比", "达到", "以上", "以下", "左右", "力争", "下降",
             "提高", "新增", "累计", "分别", "、", "和", "%", "万千瓦", "亿千瓦时", "个百分点", "万辆",
             "吨标准煤", "个", "风电装机容量", "非化石能源消费比重", "单位GDP能耗", "十四五", "两千",
             "1", "20", "2700", "13.5", "0.5", "-", "~", "至", "，", "。", "；", "：", "\n", "\t",
             " ", "（", "）", "第3页", "(xié)", "發電", "２０", "％"]
CLAUSE = st.tuples(
    st.sampled_from(["", "到2025年，", "到2030年", "力争", "“十四五”期间，", "2020年，"]),
    st.sampled_from(["", "风电装机容量", "非化石能源消费比重", "风电、光伏装机", "新能源汽车保有量"]),
    st.sampled_from(["", "达到", "比2020年下降", "提高", "新增", "累计建成", "分别达到"]),
    st.sampled_from(["20", "2700", "13.5", "0.5", "两千", "1-2", "5~6", "１２"]),
    st.sampled_from(["%", "万千瓦", "亿千瓦时", "个百分点", "万辆", "吨标准煤", "个", ""]),
    st.sampled_from(["", "以上", "以下", "左右"]),
    st.sampled_from(["。", "，", "；", "、", "\n", "\t", ""]),
).map("".join)
PLAN_TEXT = st.lists(st.one_of(CLAUSE, st.sampled_from(FRAGMENTS),
                               ANY_TEXT.filter(lambda t: len(t) < 4)), max_size=30).map("".join)
# Characters simplify() never changes: ASCII other than what the deletions remove, and
# simplified Han that OpenCC has no other form for. Their offsets must map back exactly.
STABLE = set("0123456789abcxyzABC%.,;:()-") | set("到年达以上风电装机容量非化石能源消费比重万千瓦力争")


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, PLAN_TEXT))
def test_offset_map_is_monotonic_and_points_into_the_original(original):
    norm = normalize(original, RULES)
    mapped = [norm.to_orig(i) for i in range(len(norm.text) + 1)]
    assert mapped == sorted(mapped)  # non-decreasing
    assert all(0 <= m < len(original) for m in mapped[:-1])
    assert mapped[-1] <= len(original)
    assert len(set(mapped[:-1])) == len(norm.text)  # one-to-one: no two characters share one
    for i, char in enumerate(norm.text):
        if original[mapped[i]] in STABLE:
            assert char == original[mapped[i]], (i, char)


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, PLAN_TEXT))
def test_extraction_never_raises_and_every_span_is_in_the_text(text):
    for t in extract_text(text, RULES):
        assert 0 <= t.char_start < t.char_end <= len(text)
        assert t.sentence and t.sentence in text
        assert math.isfinite(t.value) and (t.value_std is None or math.isfinite(t.value_std))


# Long lines are what the cap is about: a short run repeated up to some thousand characters.
LONG_LINE = st.tuples(st.text(alphabet=st.sampled_from("风电达到5万千瓦，, 。\n"), min_size=1, max_size=12),
                      st.integers(1, 800)).map(lambda t: t[0] * t[1])


@settings(max_examples=200, deadline=None)
@given(LONG_LINE)
def test_sentences_cover_their_line_in_pieces_no_longer_than_the_cap(line):
    found = sentences(line)
    assert all(len(s.text) <= SENTENCE_MAX and s.text == line[s.start:s.end] for s in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    # The cap cuts sentences into pieces and drops nothing but white space between them.
    whole = "".join(m.group() for m in SENTENCE.finditer(line))
    kept = "".join(s.text for s in found)
    assert "".join(kept.split()) == "".join(whole.split())


def round_trip(records: list[Target]) -> list[dict[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "targets.csv"
        write_csv(path, TARGET_COLUMNS, rows_of(records, TARGET_COLUMNS))
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))


def assert_same(record: Target, row: dict[str, str]) -> None:
    """Field by field: what the CSV holds is the record, as cell_text writes it."""
    assert list(row) == TARGET_COLUMNS
    for column in TARGET_COLUMNS:
        value, text = getattr(record, column), row[column]
        if value is None:
            assert text == "", column
        elif isinstance(value, bool):
            assert text == str(int(value)), column
        elif isinstance(value, (int, float)):
            assert float(text) == value, column  # repr of a float reads back exactly
        else:  # text starting a formula gets a leading quote, and nothing else changes
            assert text == cell_text(value), column
            assert text == value or (text == "'" + value and value[0] in "=+-@\t\r"), column


@settings(max_examples=150, deadline=None)
@given(PLAN_TEXT)
def test_extracted_records_survive_the_csv_round_trip(text):
    records = extract_text(text, RULES, source="=plan.txt")
    back = round_trip(records)
    assert len(back) == len(records)
    for record, row in zip(records, back):
        assert_same(record, row)


FIELD_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                     max_size=40)
TARGETS = st.builds(
    Target, doc_id=FIELD_TEXT, source=FIELD_TEXT, doc_title=FIELD_TEXT, indicator=FIELD_TEXT,
    value=st.floats(allow_nan=False, allow_infinity=False),
    value_max=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    unit=FIELD_TEXT, comparator=st.sampled_from([">=", "<=", "~", "="]),
    kind=st.sampled_from(["level", "change", "increment"]), strive=st.booleans(),
    sentence=FIELD_TEXT, char_start=st.integers(0, 10**9), char_end=st.integers(0, 10**9),
    target_year=st.none() | st.integers(1900, 2100))


@settings(max_examples=200, deadline=None)
@given(st.lists(TARGETS, max_size=5))
def test_any_records_survive_the_csv_round_trip(records):
    # Quotes, commas, line breaks (\r\n, lone \r), formula starts, any script: all read back.
    back = round_trip(records)
    assert len(back) == len(records)
    for record, row in zip(records, back):
        assert_same(record, row)


WORDS = st.lists(st.text(alphabet="万千瓦吨/年%.", min_size=1, max_size=4), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(WORDS, st.text(alphabet="万千瓦吨/年%.1 ", max_size=40))
def test_a_trie_of_words_matches_as_their_alternation_longest_first(words, text):
    # match.literal_alternation (the unit words of the quantity scan) against the plain
    # alternation it replaces, its words longest first: the same matches, at every place.
    plain = regex.compile("|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True)))
    trie = regex.compile(literal_alternation(words))
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]
    # and followed by more pattern, where the engine must back off to a shorter word
    assert ([m.span() for m in regex.finditer(f"(?:{trie.pattern})1", text)]
            == [m.span() for m in regex.finditer(f"(?:{plain.pattern})1", text)])
