"""The outline's scan (outline.py): a heading or list item stands where a boundary ends, and
the start of the text is read as a line's start (the text is searched after a line break)."""
from __future__ import annotations

import dataclasses

from targets.core.outline import Reader


def _titles(reader: Reader, text: str) -> list[str]:
    return [h.title for h in reader.outline(text).headings]


def test_a_heading_and_an_item_at_the_very_start_of_the_text_are_found(rules):
    reader = Reader(rules)
    assert _titles(reader, "一、总体要求。全面贯彻新发展理念。") == ["一、总体要求"]
    assert _titles(reader, " \u3000“一、总体要求。全面贯彻。") == ["一、总体要求"]  # after spaces, a quote
    # Where the text starts after a sentence, the same marker is a heading too; inside one, not.
    assert _titles(reader, "现印发。二、主要目标。到2025年。") == ["二、主要目标"]
    assert _titles(reader, "各地要做到一、二产业协同。") == []
    text = "——光伏。到2025年，光伏装机达到1500万千瓦。\n(1)风电。"
    items = reader.outline(text).items
    assert [(start, rule) for start, _, rule in items] == [(0, "dash"), (text.index("(1)"), "parenthesised_number")]


def test_a_heading_found_right_after_the_last_titles_end_and_at_a_line_start(rules):
    reader = Reader(rules)
    text = "一、总体要求(一)指导思想。以习近平新时代中国特色社会主义思想为指导。\n二、主要目标\n到2025年，A达到5%。"
    outline = reader.outline(text)
    assert [h.title for h in outline.headings] == ["一、总体要求", "(一)指导思想", "二、主要目标"]
    assert [s.path for s in outline.sections] == ["一、总体要求", "一、总体要求 / (一)指导思想", "二、主要目标"]
    assert outline.section_at(text.index("到2025年")).role == "goals"


def test_a_rule_folders_boundary_with_a_start_branch_finds_the_same(rules):
    # A rule folder written for the old scan (`^|` in its boundary) reads the same outlines.
    old = dataclasses.replace(rules, outline=rules.outline.model_copy(
        update={"boundary": "(?:^|\\n|[。！？!?；;)）])[ \\t\\u3000“”\"]*$"}))
    old._cache = {}
    for text in ("一、总体要求。全面贯彻。", " 二、主要目标\n1.风电。到2025年。", "——光伏。(1)风电。"):
        assert reader_outline(Reader(old), text) == reader_outline(Reader(rules), text)


def reader_outline(reader: Reader, text: str) -> tuple:
    outline = reader.outline(text)
    return [h.title for h in outline.headings], outline.items


def test_a_title_ends_at_its_first_title_end_even_where_a_marker_would_fit_before_it(rules):
    # 2030、 is no numbered heading (30、 is followed by a digit); looking for the next marker
    # only up to the title's end (2060年) would cut the digit off and take 0、 for one.
    assert _titles(Reader(rules), "。(四)到2030、2060年目标。到2030年,经济社会发展全面绿色转型。") == ["(四)到2030、"]


def test_a_rule_folders_marker_that_looks_behind_or_a_boundary_before_the_line_break(rules):
    # The text is searched after a line break it does not hold: a marker that looks behind,
    # past the text's start (\s before 一、), finds no heading there, and the scan goes on; a
    # boundary that ends before the line break (^, then a marker that takes \s) puts its
    # marker at the text's start, as it did when the text was searched with ^.
    numbered = rules.outline.heading[3]
    behind = numbered.model_copy(update={"marker": "(?<=\\s)[一二三四五六七八九十]{1,3}[、,，]"})
    spaced = numbered.model_copy(update={"marker": "\\s*[一二三四五六七八九十]{1,3}[、,，]"})
    text = "一、总体要求。\n二、主要目标。"
    for outline, expected in ((rules.outline.model_copy(update={"heading": [behind]}), ["二、主要目标"]),
                              (rules.outline.model_copy(update={"boundary": "(?:^|\\n)$", "heading": [spaced]}),
                               ["一、总体要求", "二、主要目标"])):
        folder = dataclasses.replace(rules, outline=outline)
        folder._cache = {}
        assert _titles(Reader(folder), text) == expected


def test_a_marker_followed_by_a_sentence_not_a_title_cuts_nothing_after_it(rules):
    # 16. opens an item that starts with its sentence (no title_end within title_max): the
    # item is a section named by its opening words, and its sentence stays whole.
    reader = Reader(rules)
    text = "推动企业上市。16.遴选200家左右掌握核心技术的绿色低碳领域高新技术企业，采取一企一策方式。"
    outline = reader.outline(text)
    [heading] = outline.headings
    assert heading.title.startswith("16.遴选200家") and heading.end == text.index("遴选")
    assert outline.cuts() == [text.index("16."), text.index("遴选")]
    # A title that ends within title_max is cut off from the sentence after it, as before.
    short = reader.outline("推动企业上市。16.遴选领军企业。到2025年，培育200家企业。")
    assert [h.title for h in short.headings] == ["16.遴选领军企业"]
    # A rule folder's marker that matches no character cannot hold the scan in place.
    empty = dataclasses.replace(rules, outline=rules.outline.model_copy(update={"heading": [
        rules.outline.heading[3].model_copy(update={"marker": "(?=\\d{2}\\.)"})]}))
    empty._cache = {}
    assert len(Reader(empty).outline(text).headings) == 1


def test_a_line_start_marker_whose_text_reaches_a_number_opens_a_sentence(rules):
    # 1.全省新增…车辆2000辆以上。: past title_max, a number within number_reach: not a title.
    # A long title with no number soon after is still cut at title_max.
    reader = Reader(rules)
    text = "二、主要任务\n1.全省新增新能源和清洁能源动力的城市公交车和物流配送车辆2000辆以上。"
    heading = reader.outline(text).headings[1]
    assert heading.end == text.index("全省")
    titled = "三、加快构建以新能源为主体的新型电力系统和清洁低碳安全高效能源体系全省非化石能源消费比重达到20%。"
    assert reader.outline(titled).headings[0].end == len("三、") + rules.outline.title_max
