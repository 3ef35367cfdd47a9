"""Hard wraps (normalize.toml [wrap], wraps.py): joined inside sentences, kept before headings,
list items and table rows, and never in text that is not hard-wrapped."""
from __future__ import annotations

from targets.core.normalize import normalize
from targets.core.wraps import wrap_breaks

PAGE = ["一、主要目标",
        "到2025年，全省非化石能源消费比重达到20%左右，",
        "单位地区生产总值能源消耗比2020年下降14.5%，单",
        "位地区生产总值二氧化碳排放比2020年下降18%，为",
        "实现碳达峰奠定坚实基础。到2030年，风电装机容量",
        "达到5000万千瓦以上，光伏发电装机容量达到7000万",
        "千瓦以上，顺利实现2030年前碳达峰目标，主要有：",
        "(一)能源结构优化工程。推进能源结构绿色低碳转型，",
        "1.风电。到2025年，风电装机容量达到2700万千瓦，",
        "——光伏。到2025年，光伏装机容量达到1500万千瓦，",
        "①氢能。到2025年，氢能产业规模力争达到1000亿元，",
        "第三章 重点任务和工程措施，推动能源绿色低碳转型，",
        "1.5个百分点的下降幅度是全省统一安排的约束性指标。"]


def _joined(lines, rules):
    text = "\n".join(lines)
    return sorted(text[:k].count("\n") for k in wrap_breaks(text, rules.normalize.wrap, rules.rx))


def test_wraps_are_joined_and_headings_and_list_items_stay_lines(rules):
    # Line i joins line i + 1: 1-5 are wraps; 6 ends with a colon before (一): stays, as do the
    # breaks before 1. —— ① 第三章; 0 is a short heading; "1.5个" is a number, not an item.
    assert _joined(PAGE, rules) == [1, 2, 3, 4, 5, 11]


def test_a_page_break_inside_a_sentence_is_a_wrap(rules):
    lines = PAGE[1:7]
    lines[2] += "\n"  # a blank line: the PDF reader's page separator
    text = "\n".join(lines)
    norm = normalize(text, rules)
    assert "下降18%,为实现碳达峰" in norm.text


def test_spans_point_into_the_original_text(rules):
    text = "\n".join(PAGE)
    norm = normalize(text, rules)
    start = norm.text.index("14.5%,单位")
    s, e = norm.span_to_orig(start, start + len("14.5%,单位地区"))
    assert text[s:e] == "14.5%，单\n位地区"


def test_text_with_a_paragraph_a_line_is_not_hard_wrapped(rules):
    paragraphs = [line * (k + 1) for k, line in enumerate(PAGE[1:7])]  # lengths all different
    assert _joined(paragraphs, rules) == []


def test_table_rows_are_never_joined(rules):
    rows = ["指标\t单位\t2025年目标值\t备注说明文字说明文字说明文字说明文字"] * 8
    assert _joined(PAGE[1:7] + rows, rules) == [0, 1, 2, 3, 4]


def test_short_lines_are_not_a_layout(rules):
    lines = ["一、总体要求", "二、主要目标", "三、重点任务", "四、保障措施", "五、组织实施", "六、附则"]
    assert _joined(lines, rules) == []


def test_long_paragraphs_are_not_a_layout(rules):
    paragraphs = ["到2025年，全省非化石能源消费比重达到20%左右，" * 20] * 10  # 10 lines of 520 characters
    assert _joined(paragraphs, rules) == []
