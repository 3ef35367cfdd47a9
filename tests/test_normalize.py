"""Normalization and its offset map, on the cases the corpus shows."""
from __future__ import annotations

import pytest

from targets.core.normalize import normalize


@pytest.mark.parametrize("original, expected", [
    ("到 2025 年", "到2025年"),
    # A page break inside a sentence is joined; the break after a heading or title line stays.
    ("到2025年，起重装备产业产值实\n\n现双 500 亿元", "到2025年,起重装备产业产值实现双500亿元"),
    ("三、重点任务\n\n到2025年，产值实现双 500 亿元", "三、重点任务\n\n到2025年,产值实现双500亿元"),
    ("協(xié)同發(fā)展", "协同发展"),
    ("碳达峰第868页北京市", "碳达峰北京市"),
    ("达到４０％以上，", "达到40%以上,"),
    ("第一段。\n\n第二段", "第一段。\n\n第二段"),
    ("指标\t单位\n\n比\t\t", "指标\t单位\n\n比\t\t"),
])
def test_normalized_text(original, expected, rules):
    assert normalize(original, rules).text == expected


def test_offsets_point_into_the_original(rules):
    original = "協(xié)同 到 2030 年第5页，风电达到 2700 万千瓦"
    norm = normalize(original, rules)
    start = norm.text.index("2700")
    s, e = norm.span_to_orig(start, start + len("2700万千瓦"))
    assert original[s:e] == "2700 万千瓦"
    assert original[norm.to_orig(norm.text.index("2030"))] == "2"
