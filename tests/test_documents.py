"""documents.py: splitting files into documents, and page numbers from 第N页 footers."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from targets.core.documents import DocSpan, load_document_rules, page_at, page_markers, split_documents
from targets.models import RuleError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLD_TEXTS = Path("/work/shared/gold/texts")
COMPILATION = CORPUS / "003_a895838ed2e4cd84.txt"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def comp_text() -> str:
    return read(COMPILATION)


@pytest.fixture(scope="module")
def comp_docs(comp_text: str) -> list[DocSpan]:
    return split_documents(comp_text)


def parse_toc(text: str) -> list[tuple[str, str, int]]:
    """(region, short title, page) of every contents entry of 003, parsed independently.

    The one-line copy of the contents is complete but glues page numbers to the next entry
    (…意见.....022030年前…), so its two national entries, which have no 《》, come from the
    line-by-line copy printed first.
    """
    head = text[: text.index("2023.1目录")]
    national = [("", m.group(1), int(m.group(2)))
                for m in re.finditer(r"(?m)^([^《\n.]+?)\s*\.{3,}\s*(\d+)$", head)
                if not re.search(r"方案\d+项", m.group(1))]
    start = text.index("2023.1目录")
    toc = text[start: text.index("附表:", start)]
    entries, region = [], ""
    for m in re.finditer(r"([\u4e00-\u9fff]{0,8})\s*《([^》]+)》[\s.]*?(\d+)", toc):
        region = m.group(1) or region          # an entry without issuer continues the last one
        entries.append((region, m.group(2), int(m.group(3))))
    return national + entries


def title_overlap(short: str, title: str) -> float:
    """Share of the contents' short title's characters found in the document title."""
    short, title = short.replace("双碳", "碳达峰碳中和"), title.replace("双碳", "碳达峰碳中和")
    return sum(c in set(title) for c in short) / len(short)


# The compiler's contents has two misprinted page numbers (国家能源局 127 printed 1277;
# 浙江 finance opinion 165 printed 175, listed before 171) and one entry whose short title
# names a different plan than the one printed at its page (山东 p186).
TOC_PAGE_TYPOS = {1277: 127, 175: 165}
TOC_TITLE_DIFFERS = {186}


def test_compilation_matches_table_of_contents(comp_text, comp_docs):
    toc = parse_toc(comp_text)
    assert len(toc) == 114
    assert len(comp_docs) == 114
    markers = page_markers(comp_text)
    for (region, short, page), doc in zip(toc, comp_docs):
        assert page_at(markers, doc.start) == TOC_PAGE_TYPOS.get(page, page), (short, doc)
        if region:
            assert doc.region.startswith(region), (region, doc.region)
        else:
            assert doc.region in ("中共中央、国务院", "国务院")
        if page not in TOC_TITLE_DIFFERS:
            # 0.7: the lowest overlap of a right pair is 宁夏's 0.71 (双碳科技支撑工作计划 for
            # 碳达峰碳中和科技支撑行动方案); the contents abbreviates, it does not name other plans.
            assert title_overlap(short, doc.title) >= 0.7, (short, doc.title)
        assert doc.is_draft == ("征求意见稿" in short), (short, doc.title)


def test_compilation_first_documents(comp_text, comp_docs):
    first, second = comp_docs[0], comp_docs[1]
    # The first national plan lost its opening page: no header, its title from the contents.
    assert (first.title, first.region, first.url) == (
        "关于完整准确全面贯彻新发展理念做好碳达峰碳中和工作的意见", "中共中央、国务院", "")
    assert comp_text[first.start:].startswith("——全国统筹。")
    assert comp_text[first.start - 3:first.start] == "第1页"
    assert (second.title, second.region) == ("2030年前碳达峰行动方案", "国务院")
    assert comp_text[second.start:].startswith("国务院2030年前碳达峰行动方案扫码查看全文")
    assert comp_text[second.body_start:].startswith("为深入贯彻落实党中央")


def test_compilation_headers_and_urls(comp_docs):
    by_title = {d.title: d for d in comp_docs}
    beijing = by_title["北京市碳达峰实施方案"]
    assert beijing.region == "北京市"
    assert beijing.url == "http://www.beijing.gov.cn/zhengce/gfxwj/202210/t20221014_2836026.html"
    # "(非官网)" is a note after the URL, not part of it.
    assert by_title["江苏省碳达峰实施方案"].url == "https://news.bjx.com.cn/html/20221017/1261324.shtml"
    # A URL glued to the body's first words (…htm2030年前…) ends at its page suffix.
    assert by_title["农业农村减排固碳实施方案"].url == \
        "http://www.moa.gov.cn/govpublic/KJJYS/202206/t20220630_6403715.htm"
    assert by_title["固原市碳达峰碳中和科技支撑行动方案"].url == \
        "https://news.bjx.com.cn/html/20220419/1218844.shtml"
    assert by_title["徐汇区碳达峰实施方案"].region == "上海市徐汇区"
    assert by_title["重庆市大足区碳达峰实施方案(征求意见稿)"].is_draft is True
    assert sum(d.is_draft for d in comp_docs) == 15
    assert all(d.url.startswith("http") for d in comp_docs[2:])


def test_spans_ordered_and_disjoint(comp_docs):
    for doc in comp_docs:
        assert 0 <= doc.start <= doc.body_start < doc.end
    for a, b in zip(comp_docs, comp_docs[1:]):
        assert a.end <= b.start


@pytest.mark.parametrize("pattern", [
    # (目录 alone also occurs in plans: 产业结构调整指导目录.)
    "目 录", "汇编最新版", r"\.{6,}", "汇总表", "发布单位", "发布日期", "资料库", "更多干货",
    "微信[:：]", "VIP", "当您付费下载文档", r"方案\d+项",
])
def test_no_front_matter_tables_or_ads_in_documents(comp_text, comp_docs, pattern):
    for doc in comp_docs:
        assert not re.search(pattern, comp_text[doc.start:doc.end]), (pattern, doc.title)


def test_summary_tables_fall_between_documents(comp_text, comp_docs):
    tables = [m.start() for m in re.finditer("发布单位政策文件", comp_text)]
    assert len(tables) == 5
    for pos in tables:
        assert not any(d.start <= pos < d.end for d in comp_docs)
    # The last document ends with its page footer, right before the closing summary table.
    assert comp_text[:comp_docs[-1].end].endswith("第1285页")
    assert comp_text[comp_docs[-1].end:].startswith("附表:全国双碳方案汇总表")


def test_page_at_footer_semantics(comp_text, comp_docs):
    markers = page_markers(comp_text)
    assert len(markers) == 1289
    assert [n for _, _, n in markers[:3]] == [1, 3, 4]   # page 2's footer is missing
    beijing = next(d for d in comp_docs if d.title == "北京市碳达峰实施方案")
    s, e, n = next(m for m in markers if m[1] == beijing.start)
    assert (comp_text[s:e], n) == ("第867页", 867)
    assert page_at(markers, beijing.start) == 868          # after 第867页: page 868
    assert page_at(markers, s) == 867                      # the footer is on its own page
    assert page_at(markers, e - 1) == 867
    assert page_at(markers, s - 1) == 867
    assert page_at(markers, 0) == 1                        # before the first footer
    assert page_at(markers, len(comp_text)) == 1291
    assert page_at([], 5) is None
    assert page_markers("到2025年，无页码。") == []


def test_stray_page_words_are_not_footers():
    text = "正文第1页正文第2页见第900页正文第3页"
    assert [n for _, _, n in page_markers(text)] == [1, 2, 3]


def test_split_is_fast(comp_text):
    split_documents(comp_text)
    began = time.perf_counter()
    split_documents(comp_text)
    assert time.perf_counter() - began < 0.5


SINGLE = [
    ("000_aa5cdd18997ec508.txt", "河南省碳达峰实施方案", "河南省", ""),
    ("001_df398209041a4ec7.txt", "河南省减污降碳协同增效行动方案", "河南省", "2023-03-01"),
    ("002_493f755c1bb0d623.txt", "河北省碳达峰实施方案", "河北省", ""),
    ("004_36a725ee7d72af04.txt", "长垣市推进碳达峰试点建设工作方案", "长垣市", "2023-05-08"),
]


@pytest.mark.parametrize("name,title,region,published", SINGLE)
def test_single_document_files(name, title, region, published):
    text = read(CORPUS / name)
    assert split_documents(text) == [DocSpan(0, len(text), title, region, published=published)]


GOLD = [
    ("000_aa5cdd18997ec508.txt", "河南省碳达峰实施方案", "河南省", "", None),
    ("001_df398209041a4ec7.txt", "河南省减污降碳协同增效行动方案", "河南省", "", None),
    ("004_36a725ee7d72af04.txt", "长垣市推进碳达峰试点建设工作方案", "长垣市", "", None),
    ("beijing_carbon_peak.txt", "北京市碳达峰实施方案", "北京市",
     "http://www.beijing.gov.cn/zhengce/gfxwj/202210/t20221014_2836026.html", 868),
    ("hunan_carbon_peak.txt", "湖南省碳达峰实施方案", "湖南省",
     "https://www.hunan.gov.cn/hnszf/xxgk/wjk/szfwj/202211/t20221107_29118520.html", 258),
]


@pytest.mark.skipif(not GOLD_TEXTS.is_dir(), reason="gold texts not on this machine")
@pytest.mark.parametrize("name,title,region,url,first_page", GOLD)
def test_gold_texts_are_one_document(name, title, region, url, first_page):
    text = read(GOLD_TEXTS / name)
    [doc] = split_documents(text)
    assert (doc.start, doc.end, doc.title, doc.region, doc.url) == (0, len(text), title, region, url)
    assert page_at(page_markers(text), 0) == first_page


def test_excerpt_of_compilation_is_one_document(comp_text, comp_docs):
    # A plan cut out of 003 with its header (as the gold excerpts are) is one document.
    hunan = next(d for d in comp_docs if d.title == "湖南省碳达峰实施方案")
    text = comp_text[hunan.start:hunan.end]
    [doc] = split_documents(text)
    assert (doc.start, doc.end, doc.title, doc.region, doc.url) == \
        (0, len(text), hunan.title, "湖南省", hunan.url)
    assert page_at(page_markers(text), 0) == 258


def test_draft_title_line():
    text = "\n某某市碳达峰实施方案（征求意见稿）\n\n一、总体要求\n到2025年，……"
    [doc] = split_documents(text)
    assert (doc.title, doc.region, doc.is_draft) == \
        ("某某市碳达峰实施方案（征求意见稿）", "某某市", True)


def write_rules(tmp_path: Path, old: str, new: str) -> Path:
    source = read(ROOT / "src" / "targets" / "rules" / "documents.toml")
    assert old in source
    path = tmp_path / "documents.toml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


def test_rules_file_loads():
    rules = load_document_rules()
    assert [h.id for h in rules.header] == ["region_title_url", "national_qr"]


def test_rules_reject_unknown_key(tmp_path):
    path = write_rules(tmp_path, "min_headers = 2", "min_headers = 2\nmin_header = 3")
    with pytest.raises(RuleError,
                       match=r"documents\.toml: entry compilation\.min_header: Extra inputs"):
        load_document_rules(path)


def test_rules_reject_bad_regex_naming_entry(tmp_path):
    path = write_rules(tmp_path, "扫码查看全文(?:扫码下载原文)?'", "扫码查看全文(?:扫码下载原文'")
    with pytest.raises(RuleError,
                       match=r"documents\.toml: entry header\.'national_qr'\.pattern: .*bad regex"):
        load_document_rules(path)


def test_rules_header_needs_region_and_title(tmp_path):
    path = write_rules(tmp_path, "(?P<region>中共中央、?国务院", "(?P<issuer>中共中央、?国务院")
    with pytest.raises(RuleError, match=r"entry header\.'national_qr'\.pattern: .*named groups"):
        load_document_rules(path)
