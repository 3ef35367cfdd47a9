"""Canonical indicators: every example and counterexample, the unit-family rule, validation
errors that name file, id and reason, the hook into extraction, and coverage on the gold set
and the corpus."""
from __future__ import annotations

import csv
import shutil
import time

import pytest
from typer.testing import CliRunner

from targets.core import indicators
from targets.cli import app
from targets.core.examples import run_all
from targets.core.indicators import Case, check_examples, classify, load_taxonomy, taxonomy_for
from targets.models import RuleError
from targets.core.pipeline import extract_text
from targets.core.rulebook import DEFAULT_RULES_DIR, load_rules
from targets.outputs.runner import run_extract

from .conftest import GOLD

TAXONOMY = taxonomy_for(load_rules())


def _cases():
    for ind in TAXONOMY.indicators:
        for c in ind.examples:
            text, fam = (c, ind.family[0]) if isinstance(c, str) else (c.text, c.family or ind.family[0])
            yield pytest.param(ind.id, text, fam, True, id=f"{ind.id}:{text[:20]}:{fam}")
        for c in ind.counterexamples:
            fams = ind.family if isinstance(c, str) or not c.family else [c.family]
            text = c if isinstance(c, str) else c.text
            for fam in fams:
                yield pytest.param(ind.id, text, fam, False, id=f"not-{ind.id}:{text[:20]}:{fam}")


@pytest.mark.parametrize("indicator_id, text, family, maps", list(_cases()))
def test_indicator_example(indicator_id, text, family, maps):
    got, sector = TAXONOMY.classify(text, family)
    if maps:
        assert (got, sector) == (indicator_id, TAXONOMY.by_id[indicator_id].sector)
    else:
        assert got != indicator_id


def test_every_indicator_is_complete():
    sectors = {i.sector for i in TAXONOMY.indicators}
    assert len(TAXONOMY.indicators) >= 50
    assert {"energy", "industry", "buildings", "transport", "agriculture", "ecology",
            "circular_economy", "emissions", "economy"} <= sectors
    assert all(i.zh and i.en and i.examples and i.patterns for i in TAXONOMY.indicators)


def test_a_share_is_never_a_capacity():
    assert classify("风电装机容量", "power") == ("wind_capacity", "energy")
    assert classify("风电装机容量", "share") == ("", "")
    assert classify("可再生能源发电装机", "power")[0] == "renewable_capacity"
    assert classify("可再生能源发电装机比重", "share")[0] == "renewable_capacity_share"


@pytest.mark.parametrize("text", ["单位国内生产总值能耗", "单位地区生产总值能源消耗", "单位GDP能耗", "万元GDP能耗"])
def test_four_spellings_of_energy_intensity_are_one(text):
    assert classify(text, "share") == ("energy_intensity", "energy")


@pytest.mark.parametrize("text", ["风电、光伏发电装机容量", "风电、太阳能发电总装机容量"])
def test_two_spellings_of_wind_and_solar_are_one(text):
    assert classify(text, "power") == ("wind_solar_capacity", "energy")


def test_unit_family_of_a_target():
    units = ["%", "个百分点", "万千瓦", "亿立方米", "吨/万元", "亿吨/年", "公里/平方公里", "", "furlong", "furlong/年"]
    assert [TAXONOMY.family_of(u) for u in units] == [
        "share", "share_change", "power", "volume", "intensity", "mass", "length", "none", "", ""]


def test_classification_is_memoised_and_fast(corpus_results):
    pairs = [(t.indicator, TAXONOMY.family_of(t.unit)) for r in corpus_results for t in r.targets]
    taxonomy = load_taxonomy(load_rules())  # a fresh memo
    started = time.perf_counter()
    for text, fam in pairs:
        taxonomy.classify(text, fam)
    seconds = time.perf_counter() - started
    info = taxonomy.classify.cache_info()
    assert info.misses == len(set(pairs)) and info.hits == len(pairs) - len(set(pairs))
    print(f"\n{len(pairs)} targets ({len(set(pairs))} distinct) classified in {seconds:.3f}s")
    assert seconds < 2.0


# ---- the gold set: firm rows must get an id, headline ones the right one -----------------

HEADLINE = {
    "非化石能源消费比重": "non_fossil_energy_share", "非化石能源占能源消费总量比重": "non_fossil_energy_share",
    "非化石能源消费总量比重": "non_fossil_energy_share", "单位生产总值能源消耗": "energy_intensity",
    "单位GDP能耗下降率": "energy_intensity", "单位地区生产总值能耗": "energy_intensity",
    "单位GDP二氧化碳排放下降率": "carbon_intensity", "可再生能源消费比重": "renewable_energy_share",
    "煤炭消费占比": "coal_share", "风电累计并网容量": "wind_capacity", "风电装机容量": "wind_capacity",
    "光伏发电并网容量": "solar_capacity", "光伏装机容量": "solar_capacity",
    "太阳能、风电总装机容量": "wind_solar_capacity", "可再生能源发电装机容量": "renewable_capacity",
    "新能源发电总装机容量": "new_energy_capacity", "抽水蓄能装机规模": "pumped_storage_capacity",
    "抽水蓄能电站装机规模": "pumped_storage_capacity", "抽水蓄能电站装机容量": "pumped_storage_capacity",
    "新型储能装机规模": "new_storage_capacity", "新型储能装机容量": "new_storage_capacity",
    "可再生能源占全社会用电量比重": "renewable_power_share", "可再生能源电量占全社会用电量比重": "renewable_power_share",
    "天然气管输供应能力": "gas_supply_capacity", "森林覆盖率": "forest_coverage", "森林蓄积量": "forest_stock",
    "城镇新建建筑执行绿色建筑标准": "green_building_share", "二星及以上绿色建筑占新建建筑比例": "star_green_building_share",
    "装配式建筑占新建建筑面积的比例": "prefab_building_share", "装配式建筑占新建建筑比例": "prefab_building_share",
    "新开工装配式建筑面积占新建建筑面积比例": "prefab_building_share",
    "城镇建筑可再生能源替代率": "building_renewable_substitution",
    "新建公共机构建筑、新建厂房屋顶光伏覆盖率": "rooftop_pv_coverage", "累计推广超低能耗建筑规模": "ultra_low_energy_buildings",
    "城市地面公交新能源车替代率": "nev_share_public_transport", "公共领域车辆新能源化比例": "nev_share_public_transport",
    "当年新增新能源、清洁能源动力交通工具比例": "nev_share_new_vehicles",
    "特大城市公共交通机动化出行分担率": "public_transport_mode_share", "公共交通机动化出行分担率": "public_transport_mode_share",
    "中小城市和县城绿色出行比例": "green_travel_share", "城区常住人口100万以上城市绿色出行比例": "green_travel_share",
    "营运交通工具单位换算周转量碳排放强度": "freight_carbon_intensity", "铁路综合能耗强度": "rail_energy_intensity",
    "集中式公共充换电站": "charging_infrastructure", "城市生活垃圾资源化利用率": "household_waste_recycling",
    "生活垃圾资源化利用率": "household_waste_recycling", "秸秆综合利用率": "straw_utilisation",
    "主要粮食作物化肥利用率": "fertiliser_efficiency", "单位工业增加值碳排放": "industrial_carbon_intensity",
}


def _gold_rows():
    with (GOLD / "gold.csv").open(encoding="utf-8-sig") as fh:
        return [r for r in csv.DictReader(fh) if r["optional"] == "0"]


@pytest.mark.skipif(not (GOLD / "gold.csv").is_file(), reason="shared gold set not present")
def test_gold_headline_indicators_get_the_right_id():
    rows = [r for r in _gold_rows() if r["indicator"] in HEADLINE]
    assert len(rows) >= 60
    wrong = [(r["indicator"], got) for r in rows
             if (got := TAXONOMY.classify(r["indicator"], TAXONOMY.family_of(r["unit"]))[0]) != HEADLINE[r["indicator"]]]
    assert wrong == []


@pytest.mark.skipif(not (GOLD / "gold.csv").is_file(), reason="shared gold set not present")
def test_gold_firm_rows_are_mapped():
    rows = _gold_rows()
    unmapped = [r["indicator"] for r in rows if not TAXONOMY.classify(r["indicator"], TAXONOMY.family_of(r["unit"]))[0]]
    share = 1 - len(unmapped) / len(rows)
    print(f"\ngold: {len(rows) - len(unmapped)} of {len(rows)} firm rows mapped ({share:.1%}); unmapped: {unmapped}")
    assert share >= 0.90


def test_corpus_unmapped_share(corpus_results):
    targets = [t for r in corpus_results for t in r.targets]
    unmapped = sum(1 for t in targets if not t.indicator_id)
    print(f"\ncorpus: {unmapped} of {len(targets)} targets unmapped ({unmapped / len(targets):.1%})")
    assert unmapped / len(targets) < 0.30
    assert all(bool(t.indicator_id) == bool(t.sector) for t in targets)


# ---- the hook: extraction sets indicator_id and sector, and nothing else changes ----------

def test_extraction_sets_indicator_id_and_sector(rules):
    found = extract_text("到2025年，单位地区生产总值能源消耗比2020年下降14%，风电装机容量达到2700万千瓦以上。", rules)
    assert [(t.indicator_id, t.sector) for t in found] == [("energy_intensity", "energy"), ("wind_capacity", "energy")]


@pytest.fixture()
def rules_copy(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    return folder


@pytest.mark.skipif(not (GOLD / "texts").is_dir(), reason="shared gold set not present")
def test_the_hook_changes_no_other_field(rules, rules_copy):
    (rules_copy / "indicators.toml").unlink()
    bare = load_rules(rules_copy)
    for path in sorted((GOLD / "texts").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        with_ids, without = extract_text(text, rules), extract_text(text, bare)
        assert len(with_ids) == len(without) and all(t.indicator_id == "" for t in without)
        taxonomy_fields = {"indicator_id", "sector", "indicator_en", "sector_en"}
        for a, b in zip(with_ids, without):
            assert a.model_dump(exclude=taxonomy_fields) == b.model_dump(exclude=taxonomy_fields)


def test_summary_counts_unmapped_targets(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "plan.txt").write_text("到2025年，风电装机容量达到2700万千瓦以上，某某指数达到5%。", encoding="utf-8")
    summary = run_extract([src], tmp_path / "out")
    with (tmp_path / "out" / "targets.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["indicator_id"], r["sector"]) for r in rows] == [("wind_capacity", "energy"), ("", "")]
    assert (summary.targets, summary.unmapped) == (2, 1)


# ---- a broken indicators.toml: RuleError naming file, id and reason -----------------------

BREAKS = [
    ('id = "wind_capacity"', 'id = "wind_capacity"\nshape = "round"', "wind_capacity", "Extra inputs are not permitted"),
    ("patterns = ['风电(?:累计)?(?:并网|装机)'", "patterns = ['风电(?:累计(?:并网|装机)'", "wind_capacity", "bad regex"),
    ('id = "forest_stock"\nzh = "森林蓄积量"\nen = "Forest stock volume"\nsector = "ecology"',
     'id = "forest_stock"\nzh = "森林蓄积量"\nen = "Forest stock volume"\nsector = "forestry"', "forest_stock",
     "sector 'forestry' is not one of `sectors`"),
    ('family = ["volume"]\npatterns = [\'(?:森林|活立木)蓄积量\']', 'family = ["cubits"]\npatterns = [\'(?:森林|活立木)蓄积量\']',
     "forest_stock", "unknown unit family ['cubits']"),
    ('id = "forest_stock"', 'id = "forest_coverage"', "forest_coverage", "id already used"),
    ('id = "gdp_growth"', 'id = "GDP growth"', "GDP growth", "String should match pattern"),
    ('id = "gdp_growth"', 'id = "gdp_growth_of_each_province_and_city"', "gdp_growth_of_each_province_and_city",
     "String should have at most 31 characters"),
    ('combined = ["wind_solar_capacity"]', 'combined = ["wind_and_sun"]', "wind_solar", "unknown indicator ids ['wind_and_sun']"),
]


@pytest.mark.parametrize("old, new, rule_id, reason", BREAKS, ids=[b[3][:30] for b in BREAKS])
def test_broken_indicators_toml_names_file_id_and_reason(rules_copy, old, new, rule_id, reason):
    path = rules_copy / "indicators.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_taxonomy(load_rules(rules_copy))
    message = str(err.value)
    assert str(path) in message and repr(rule_id) in message and reason in message


def test_rules_check_and_extract_fail_cleanly_on_a_broken_indicators_toml(rules_copy, tmp_path):
    path = rules_copy / "indicators.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("sector = \"transport\"", "sector = \"roads\"", 1),
                    encoding="utf-8")
    runner = CliRunner()
    for args in (["rules", "check", "--rules", str(rules_copy)],
                 ["extract", str(DEFAULT_RULES_DIR / "units.toml"), "-o", str(tmp_path / "o"), "-q",
                  "--rules", str(rules_copy), "-j", "1"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and "indicators.toml" in result.output
        assert "sector 'roads' is not one of `sectors`" in result.output


def test_rules_check_runs_the_indicator_examples(rules):
    n, failures = run_all(rules)
    n_indicators, _ = check_examples(TAXONOMY)
    assert failures == [] and n > n_indicators > 600


def test_a_failing_indicator_example_is_reported():
    ind = TAXONOMY.by_id["coal_share"].model_copy(update={"examples": [Case(text="煤炭消费量", family="share")]})
    taxonomy = indicators.Taxonomy([ind], [], TAXONOMY.family_of_unit)  # 1 example, 2 counterexamples × 2 families
    assert check_examples(taxonomy) == (5, ["indicators.toml:coal_share:煤炭消费量 [share]: got 'nothing'"])


def test_a_folder_without_indicators_maps_nothing(rules_copy):
    (rules_copy / "indicators.toml").unlink()
    assert classify("单位GDP能耗", "share", load_rules(rules_copy)) == ("", "")
