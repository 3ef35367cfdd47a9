"""Diff between versions of a plan: alignment, what counts as a change, and `targets diff`."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from targets.cli import app
from targets.analysis.diff import (align, changed_fields, diff_targets, load_diff_rules, national_pairs,
                          version_key, version_pairs)
from targets.analysis.diff_report import COLUMNS, PAIR_COLUMNS
from targets.models import Document, RuleError, Target
from targets.core.pipeline import extract_file

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
HENAN = CORPUS / "000_aa5cdd18997ec508.txt"
HEBEI = CORPUS / "002_493f755c1bb0d623.txt"
HEBEI_OPINIONS = "003_a895838ed2e4cd84#025"   # 中共河北省委河北省人民政府…实施意见, inside 003
runner = CliRunner()

# Henan's plan, edited: two numbers changed, one target sentence replaced by another
# (one removed, one added), one amount rewritten in another unit (1500万千瓦 = 0.15亿千瓦).
HENAN_EDITS = [
    ("风电累计并网容量达到 2700 万千瓦以上", "风电累计并网容量达到 3000 万千瓦以上"),
    ("全省森林覆盖率达到 26.09%", "全省森林覆盖率达到 26.5%"),
    ("到2025年，全省新开工装配式建筑面积占新建建筑面积比例力争达到40%。",
     "到2025年，全省绿色建材应用比例达到60%。"),
    ("抽水蓄能电站装机规模达到 1500 万千瓦以上", "抽水蓄能电站装机规模达到 0.15 亿千瓦以上"),
]


def t(indicator: str, value: float, year: int | None = 2025, unit: str = "%", **kw) -> Target:
    """A target as the pipeline would give it; value_std on the same unit unless told."""
    fields = dict(doc_id="d", source="d.txt", indicator=indicator, value=value, unit=unit,
                  value_std=value, unit_std=unit, comparator="=", kind="level",
                  target_year=year, sentence=f"到{year}年，{indicator}达到{value:g}{unit}。",
                  char_start=0, char_end=1)
    fields.update(kw)
    return Target(**fields)


def statuses(changes) -> list[str]:
    return [c.status for c in changes]


@pytest.fixture(scope="module")
def henan_versions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("henan")
    text = HENAN.read_text(encoding="utf-8")
    edited = text
    for before, after in HENAN_EDITS:
        assert edited.count(before) == 1, before
        edited = edited.replace(before, after)
    (folder / "old.txt").write_text(text, encoding="utf-8")
    (folder / "new.txt").write_text(edited, encoding="utf-8")
    return folder / "old.txt", folder / "new.txt"


def _targets(path: Path) -> list[Target]:
    result = extract_file(path, path.parent)
    assert result.error is None
    return result.targets


# ---- a real plan, edited ---------------------------------------------------------------

def test_edited_plan_reports_exactly_the_four_changes(henan_versions):
    old, new = (_targets(p) for p in henan_versions)
    changes = diff_targets(old, new)
    differing = [(c.status, (c.old or c.new).indicator, c.old and c.old.value,
                  c.new and c.new.value, c.changed_fields)
                 for c in changes if c.status != "unchanged"]
    assert differing == [
        ("changed", "风电累计并网容量", 2700.0, 3000.0, ["value"]),
        ("removed", "新开工装配式建筑面积占新建建筑面积比例", 40.0, None, []),
        ("added", "绿色建材应用比例", None, 60.0, []),
        ("changed", "森林覆盖率", 26.09, 26.5, ["value"]),
    ]
    assert len(changes) == len(old) + 1 and statuses(changes).count("unchanged") == len(old) - 3
    rewritten = [c for c in changes if c.old and c.new and c.old.unit != c.new.unit]
    assert [(c.status, c.old.value, c.old.unit, c.new.value, c.new.unit) for c in rewritten] == [
        ("unchanged", 1500.0, "万千瓦", 0.15, "亿千瓦")]


def test_a_plan_against_itself_is_unchanged(henan_versions):
    old = _targets(henan_versions[0])
    changes = diff_targets(old, old)
    assert statuses(changes) == ["unchanged"] * len(old) and len(old) > 30
    assert all(c.old is c.new for c in changes)


def test_hebei_plan_beside_its_opinions_pairs_the_shared_indicators():
    from targets.analysis.diff_report import load_side

    _, plan = load_side(str(HEBEI), None)
    _, opinions = load_side(HEBEI_OPINIONS, CORPUS)
    shared = [(c.old.indicator, c.old.value, c.new.value, c.old.target_year)
              for c in diff_targets(plan, opinions) if c.old and c.new]
    assert shared == [("非化石能源消费比重", 13.0, 13.0, 2025), ("非化石能源消费比重", 19.0, 19.0, 2030),
                      ("森林覆盖率", 38.0, 38.0, 2030), ("森林蓄积量", 2.2, 2.2, 2030)]


def test_hebei_shared_indicators_are_unchanged():
    """The opinions give 到2025年 in a sentence of its own (…经济体系初步形成。): a headline year."""
    from targets.analysis.diff_report import load_side

    _, plan = load_side(str(HEBEI), None)
    _, opinions = load_side(HEBEI_OPINIONS, CORPUS)
    assert [c.status for c in diff_targets(plan, opinions) if c.old and c.new] == ["unchanged"] * 4


# ---- alignment -------------------------------------------------------------------------

def test_an_indicator_listed_twice_keeps_its_own_partner():
    old = [t("森林覆盖率", 5), t("森林覆盖率", 7)]
    assert statuses(diff_targets(old, [t("森林覆盖率", 7)])) == ["removed", "unchanged"]
    assert align(old, list(old)) == {0: 0, 1: 1}
    # Both changed: first with first, never crossed over.
    assert align(old, [t("森林覆盖率", 6), t("森林覆盖率", 8)]) == {0: 0, 1: 1}


def test_indicator_id_aligns_different_wordings_and_keeps_different_ids_apart():
    old = [t("风电装机容量", 30, indicator_id="wind_capacity")]
    renamed = [t("风力发电装机规模", 35, indicator_id="wind_capacity")]
    assert [(c.status, c.changed_fields) for c in diff_targets(old, renamed)] == [("changed", ["value"])]
    other = [t("风电装机容量", 30, indicator_id="solar_capacity")]
    assert statuses(diff_targets(old, other)) == ["removed", "added"]


def test_without_indicator_id_the_normalized_indicator_text_aligns():
    old = [t("全省森林覆盖率", 26)]
    new = [t("森林 覆盖率", 26, sentence="森林覆盖率要达到26%。")]
    assert statuses(diff_targets(old, new)) == ["unchanged"]
    # One side with an id, the other without: the text still pairs them.
    assert statuses(diff_targets(old, [t("森林覆盖率", 26, indicator_id="forest_cover")])) == ["unchanged"]


def test_sentence_similarity_pairs_a_moved_deadline():
    sentence = "到{}年，全省新型储能装机规模达到220万千瓦以上。"
    old = [t("新型储能装机规模", 220, 2025, "万千瓦", sentence=sentence.format(2025))]
    new = [t("新型储能装机规模", 220, 2027, "万千瓦", sentence=sentence.format(2027))]
    assert [(c.status, c.changed_fields) for c in diff_targets(old, new)] == [
        ("changed", ["target_year"])]


def test_a_replaced_target_in_a_similar_sentence_is_removed_and_added():
    old = [t("城镇建筑可再生能源替代率", 8, sentence="到2025年，城镇建筑可再生能源替代率达到8%。")]
    new = [t("农村清洁取暖率", 8, sentence="到2025年，农村清洁取暖率达到8%。")]
    assert statuses(diff_targets(old, new)) == ["removed", "added"]


def test_indicator_similarity_decides_within_an_edited_sentence():
    wind = t("风电装机容量", 2700, unit="万千瓦", sentence="到2025年，风电装机容量达到2700万千瓦。")
    solar = t("光伏装机容量", 2700, unit="万千瓦", sentence="到2025年，光伏装机容量达到2700万千瓦。")
    assert statuses(diff_targets([wind], [solar])) == ["removed", "added"]
    storage = t("新型储能装机规模", 220, unit="万千瓦", sentence="到2025年，新型储能装机规模达到220万千瓦。")
    renamed = t("新型储能装机容量", 220, unit="万千瓦", sentence="到2025年，新型储能装机容量达到220万千瓦。")
    assert statuses(diff_targets([storage], [renamed])) == ["unchanged"]


def test_a_target_without_year_pairs_with_the_dated_one_as_a_year_change():
    old = [t("森林覆盖率", 36.5, 2025), t("森林覆盖率", 38, 2030)]
    new = [t("森林覆盖率", 38, None)]
    assert [(c.status, c.changed_fields) for c in diff_targets(old, new)] == [
        ("removed", []), ("changed", ["target_year"])]


# ---- what counts as a change -----------------------------------------------------------

def test_values_compare_on_the_standard_unit():
    yi = t("风电、光伏发电装机容量", 1.35, 2030, "亿千瓦", value_std=135.00000000000003, unit_std="GW")
    wan = t("风电、光伏发电装机容量", 13500, 2030, "万千瓦", value_std=135.0, unit_std="GW")
    assert changed_fields(yi, wan) == []
    more = wan.model_copy(update={"value": 14000, "value_std": 140.0})
    assert changed_fields(yi, more) == ["value"]


def test_every_compared_field():
    old = t("非化石能源消费比重", 20, unit="%", comparator="~")
    new = old.model_copy(update={"value": 25, "value_std": 25, "comparator": ">=", "target_year": 2030,
                                 "strive": True, "unit": "个百分点", "unit_std": "pp"})
    assert changed_fields(old, new) == ["value", "comparator", "target_year", "strive", "unit"]
    ranged = old.model_copy(update={"value_max": 22})
    assert changed_fields(old, ranged) == ["value"]


def test_removed_targets_come_before_what_was_added_in_their_place():
    old = [t("森林覆盖率", 24), t("新型储能装机规模", 220, unit="万千瓦"), t("秸秆综合利用率", 93)]
    new = [t("森林覆盖率", 24), t("城市地面公交新能源车替代率", 100), t("秸秆综合利用率", 93)]
    assert [(c.status, (c.old or c.new).indicator) for c in diff_targets(old, new)] == [
        ("unchanged", "森林覆盖率"), ("removed", "新型储能装机规模"),
        ("added", "城市地面公交新能源车替代率"), ("unchanged", "秸秆综合利用率")]


# ---- which documents -------------------------------------------------------------------

def doc(doc_id: str, title: str, region: str = "河南省", **kw) -> Document:
    return Document(doc_id=doc_id, source="c.txt", doc_title=title, region=region, **kw)


def test_version_key_strips_markers_and_years():
    assert version_key(doc("a", "云南省城乡建设领域碳达峰实施方案(征求意见稿)")) == (
        "河南省", "云南省城乡建设领域碳达峰实施方案", -1)
    assert version_key(doc("b", "湖南省科技支撑碳达峰碳中和实施方案(2022-2030年)")) == (
        "河南省", "湖南省科技支撑碳达峰碳中和实施方案", 0)
    assert version_key(doc("c", "河南省碳达峰实施方案（修订版）"))[1:] == ("河南省碳达峰实施方案", 1)


def test_version_pairs_order_draft_adopted_revision_within_one_region():
    docs = [doc("final", "河南省碳达峰实施方案"), doc("other", "河南省碳达峰实施方案", region="河北省"),
            doc("rev", "河南省碳达峰实施方案(修订)"), doc("draft", "河南省碳达峰实施方案(征求意见稿)"),
            doc("alone", "河南省减污降碳协同增效行动方案")]
    assert [(a.doc_id, b.doc_id) for a, b in version_pairs(docs)] == [("draft", "final"), ("final", "rev")]


def test_national_pairs_set_provincial_documents_beside_the_national_plan():
    docs = [doc("nat", "2030年前碳达峰行动方案", "国务院", province="全国", level="national"),
            doc("hn", "河南省碳达峰实施方案", province="河南省", level="province"),
            doc("city", "郑州市碳达峰实施方案", "郑州市", province="河南省", level="city"),
            doc("min", "工业领域碳达峰实施方案", "工信部", province="全国", level="ministry")]
    assert [(a.doc_id, b.doc_id) for a, b in national_pairs(docs)] == [("nat", "hn")]
    assert national_pairs(docs[1:]) == []


def test_diff_rules_errors_name_the_file_and_key(tmp_path):
    text = (ROOT / "src" / "targets" / "rules" / "diff.toml").read_text(encoding="utf-8")
    (tmp_path / "diff.toml").write_text(text.replace("min_sentence_similarity = 0.6",
                                                     "min_sentence_similarity = 6"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"diff\.toml: key align\.min_sentence_similarity: "):
        load_diff_rules(tmp_path)
    (tmp_path / "diff.toml").write_text(text.replace('order = 1\nexamples = ["XX省碳达峰实施方案(修订)"',
                                                     'order = 1\nexamples = ["修改稿"'), encoding="utf-8")
    with pytest.raises(RuleError, match=r"key versions\.marker\.'revision': .*does not match"):
        load_diff_rules(tmp_path)


# ---- the command -----------------------------------------------------------------------

def test_cli_exit_codes(henan_versions, tmp_path):
    old, new = (str(p) for p in henan_versions)
    same = runner.invoke(app, ["diff", old, old])
    assert same.exit_code == 0, same.output
    assert "0 changed, 0 added, 0 removed" in same.output
    differs = runner.invoke(app, ["diff", old, new, "--show", "changes"])
    assert differs.exit_code == 1, differs.output
    assert "2 changed, 1 added, 1 removed" in differs.output and "风电累计并网容量" in differs.output
    for args, message in ((["diff", old, str(tmp_path / "nope.txt")], "no such file"),
                          (["diff", str(CORPUS / "003_a895838ed2e4cd84.txt"), old], "holds 114 documents"),
                          (["diff", old, "000#999", "--corpus", str(CORPUS)], "no document with this doc_id"),
                          (["diff", old, new, "--format", "xlsx"], "needs --out"),
                          (["diff", old, new, "--out", str(tmp_path / "x.txt")], "unknown suffix"),
                          (["diff", old, "--pairs", "--corpus", str(CORPUS)], "no OLD NEW"),
                          (["diff", old], "give OLD and NEW")):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_cli_csv_to_stdout_and_json_and_xlsx_files(henan_versions, tmp_path):
    old, new = (str(p) for p in henan_versions)
    result = runner.invoke(app, ["diff", old, new, "--format", "csv", "--show", "changes"])
    assert result.exit_code == 1
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == COLUMNS
    # indicator_id (column 1) is the indicator taxonomy's business, tested in test_indicators.py
    assert [r[:1] + r[2:3] + r[5:12] for r in rows[1:]] == [
        ["changed", "风电累计并网容量", "2700", "万千瓦", ">=", "3000", "万千瓦", ">=", "value"],
        ["removed", "新开工装配式建筑面积占新建建筑面积比例", "40", "%", "=", "", "", "", ""],
        ["added", "绿色建材应用比例", "", "", "", "60", "%", "=", ""],
        ["changed", "森林覆盖率", "26.09", "%", "=", "26.5", "%", "=", "value"]]
    result = runner.invoke(app, ["diff", old, new, "--out", str(tmp_path / "d.json")])
    assert result.exit_code == 1 and "2 changed, 1 added, 1 removed" in result.output
    data = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert len(data) == len(_targets(henan_versions[0])) + 1 and list(data[0]) == COLUMNS
    assert [d["changed_fields"] for d in data if d["status"] == "changed"] == [["value"], ["value"]]
    result = runner.invoke(app, ["diff", old, new, "-f", "xlsx", "-o", str(tmp_path / "d.xlsx")])
    assert result.exit_code == 1
    from openpyxl import load_workbook
    sheet = load_workbook(tmp_path / "d.xlsx").active
    assert [c.value for c in sheet[1]] == COLUMNS and sheet.max_row == len(data) + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json", "d.xlsx"]   # no leftovers


def test_cli_doc_id_in_a_corpus():
    result = runner.invoke(app, ["diff", str(HEBEI), HEBEI_OPINIONS, "--corpus", str(CORPUS),
                                 "--show", "shared", "--format", "json"])
    assert result.exit_code == 0  # the shared targets are all unchanged (headline years)
    assert [(r["indicator"], r["old_value"], r["new_value"]) for r in json.loads(result.stdout)] == [
        ("非化石能源消费比重", 13.0, 13.0), ("非化石能源消费比重", 19.0, 19.0),
        ("森林覆盖率", 38.0, 38.0), ("森林蓄积量", 2.2, 2.2)]


def test_cli_pairs_finds_the_draft_and_the_adopted_plan(henan_versions, tmp_path):
    old, new = henan_versions
    draft = old.read_text(encoding="utf-8").replace("河南省碳达峰实施方案\n", "河南省碳达峰实施方案（征求意见稿）\n", 1)
    (tmp_path / "z_draft.txt").write_text(draft, encoding="utf-8")
    shutil.copy(new, tmp_path / "a_final.txt")
    shutil.copy(CORPUS / "001_df398209041a4ec7.txt", tmp_path)   # same region, another plan
    result = runner.invoke(app, ["diff", "--corpus", str(tmp_path), "--pairs", "-f", "csv", "--show", "changes"])
    assert result.exit_code == 1, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == PAIR_COLUMNS
    assert [(r["status"], r["old_doc_id"], r["new_doc_id"]) for r in rows] == [
        ("changed", "z_draft", "a_final"), ("removed", "z_draft", "a_final"),
        ("added", "z_draft", "a_final"), ("changed", "z_draft", "a_final")]
    (tmp_path / "alone").mkdir()
    shutil.copy(CORPUS / "001_df398209041a4ec7.txt", tmp_path / "alone")
    alone = runner.invoke(app, ["diff", "--corpus", str(tmp_path / "alone"), "--pairs"])
    assert alone.exit_code == 0 and "no version pairs found" in alone.output


def test_cli_against_national(tmp_path):
    result = runner.invoke(app, ["diff", "--corpus", str(CORPUS), "--against-national", "-f", "json"])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert {r["old_doc_id"] for r in rows} == {"003_a895838ed2e4cd84#002"}
    assert {r["status"] for r in rows} == {"unchanged", "changed"}
    hebei = [(r["indicator"], r["target_year"], r["old_value"], r["new_value"])
             for r in rows if r["new_doc_id"] == "002_493f755c1bb0d623"]
    assert ("森林覆盖率", 2030, 25.0, 38.0) in hebei
    shutil.copy(HENAN, tmp_path)
    missing = runner.invoke(app, ["diff", "--corpus", str(tmp_path), "--against-national"])
    assert missing.exit_code == 2 and "national plan" in missing.output


@pytest.mark.parametrize("arg,suggestion", [
    ("003_a895838ed2e4cd84#25", "did you mean 003_a895838ed2e4cd84#025?"),   # unpadded number
    ("003_a895838ed2e4cd8#025", "did you mean 003_a895838ed2e4cd84?"),       # a file's name mistyped
])
def test_cli_unknown_doc_id_suggests_the_closest(arg, suggestion):
    result = runner.invoke(app, ["diff", str(HEBEI), arg, "--corpus", str(CORPUS)])
    assert result.exit_code == 2, result.output
    assert "no document with this doc_id" in result.output and suggestion in result.output
    assert "Traceback" not in result.output
