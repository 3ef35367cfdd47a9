"""The fast paths give exactly what the plain ones give (speed itself is benchmarks/bench.py's)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targets.core import segment
from targets.core.normalize import FULL_TO_HALF, normalize, simplify
from targets.core.pipeline import _engine, resolve_text
from targets.core.reading import DocumentPass
from targets.core.resolve import DEFAULT_DOC

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
GOLD_TEXTS = Path(__file__).resolve().parents[2] / "shared" / "gold" / "texts"


def plain_resolve_text(text, resolver):
    """resolve_text without the whole-text quantity scan: every sentence goes to the resolver."""
    found = DocumentPass(text, resolver, resolver.reader, DEFAULT_DOC).run(None)
    return [(r, s, s.start + r.start, s.start + r.end) for r, s in found]


def assert_read_as_plainly(engine, text):
    """The fast path gives, on the normalized `text`, what the plain one gives."""
    rules, resolver = engine
    norm = normalize(text, rules).text
    assert resolve_text(norm, resolver) == plain_resolve_text(norm, resolver)


@pytest.fixture(scope="module")
def engine():
    return _engine(None)


def texts():
    files = sorted(CORPUS.glob("*.txt")) + sorted(GOLD_TEXTS.glob("*.txt"))
    return [p for p in files if p.stat().st_size < 200_000]


@pytest.mark.parametrize("path", texts(), ids=lambda p: p.name)
def test_quantity_scan_skips_only_sentences_without_targets(engine, path):
    assert_read_as_plainly(engine, path.read_text(encoding="utf-8"))


FRAGMENTS = ["到2025年", "，", "。", "\n", "\t", "！", "？", "风电装机容量达到", "2700万千瓦", "以上",
             "非化石能源消费比重", "25%", "3.5%", "左右", "十四五期间", "两千个", "第十个", "一个",
             "比2020年下降", "18%", "力争", "5-10万千瓦", "a5千瓦", ".5万吨", "新建", "充电桩", "万个",
             "２０３０年", "５０％", "　", "萬千瓦", "風電裝機", "。\n", "\t\t"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_quantity_scan_on_generated_text(engine, parts):
    assert_read_as_plainly(engine, "".join(parts))


# What carries context from sentence to sentence (headings, list items, blank lines, 其中,
# opening year phrases): the lazy segmentation skips unsegmented sentences only where none of
# these can change what a later sentence reads.
CONTEXT = ["二、主要目标", "（一）能源", "\n\n", "\n", "。", "，", "其中", "——", "①", "到2025年，", "2030年",
           "截至2020年底", "目前", "“十四五”期间", "风电装机达到", "2700万千瓦", "50%", "加强统筹协调",
           "发展历程", "\t", "\t\t", "。。", " ", "力争"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CONTEXT), max_size=50))
def test_quantity_scan_keeps_the_context_sentences_carry(engine, parts):
    assert_read_as_plainly(engine, "".join(parts))


# Each: a sentence with no number and no year (加强统筹协调) that the lazy segmentation leaves
# unread, and what it carries to the next one.
SKIPPED = {
    "其中 continues it": "到2030年，风电达到50%。加强统筹协调。其中风电装机达到2700万千瓦。",
    "a blank line among them ends the headline": "到2025年，主要目标如下：\n加强统筹协调。\n\n推动绿色转型。\n风电装机达到2700万千瓦。",
    "a heading among them ends it": "到2025年，主要目标如下：\n加强统筹协调。（一）能源转型\n推动绿色转型。风电装机达到2700万千瓦。",
    "a list item among them": "到2025年：\n——加强统筹协调。推动绿色转型。风电装机达到2700万千瓦。",
    "a table after them": "到2030年，风电达到50%。加强统筹协调。\n指标\t2025\t2030\n风电\t50\t60\n其中风电装机达到2700万千瓦。",
    "a list after a target": "到2025年，风电达到50%。\n——加强统筹协调。\n——风电装机达到2700万千瓦。",
    "an item right after a short one": "到2025年：\n加强。。——风电装机达到2700万千瓦。",
}


@pytest.mark.parametrize("text", SKIPPED.values(), ids=SKIPPED.keys())
def test_quantity_scan_keeps_what_skipped_sentences_carry(engine, text):
    assert_read_as_plainly(engine, text)


@pytest.mark.parametrize("tail", ["25万千瓦以上。", "a5万千瓦以上。", "第十个以上。", "25万千瓦以上"])
@pytest.mark.parametrize("lead", [-4, -2, -1, 0])
def test_quantity_scan_on_overlong_sentences(engine, lead, tail):
    """No stop and no break for SENTENCE_MAX characters: segment cuts the sentence anywhere,
    here in the middle of a number, and the piece after the cut (5万千瓦以上) can have a target
    that the whole-text scan, which saw 25万千瓦, does not start there."""
    assert_read_as_plainly(engine, "达" * (getattr(segment, "SENTENCE_MAX", 2000) + lead) + tail)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("协同發展：２０２５年，　ａＺ！～。a1 \n") | st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_simplify_replaces_full_width_as_translate_did(text):
    reference = text.translate(FULL_TO_HALF)
    assert simplify(text) == simplify_reference(reference)


def simplify_reference(half: str) -> str:
    from targets.core.normalize import _t2s

    converted = _t2s().convert(half)
    if len(converted) == len(half):
        return converted
    return "".join(c if len(s := _t2s().convert(c)) != 1 else s for c in half)
