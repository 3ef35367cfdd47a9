"""places.py and attribute.py: issuer as named -> division, level and province."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from targets.core.documents import split_documents
from targets.core.attribute import attribute, leading_name, level_of, province_of
from targets.core.places import load_places
from targets.models import RuleError

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "src" / "targets" / "rules" / "jurisdictions.toml"

CASES = [
    # region, title, province, level
    ("长垣市", "", "河南省", "district-county"),
    ("长垣市人民政府办公室", "", "河南省", "district-county"),
    ("永城市", "", "河南省", "district-county"),
    ("徐汇区", "", "上海市", "district-county"),
    ("静安区", "", "上海市", "district-county"),
    ("嘉定区", "", "上海市", "district-county"),
    ("上海市徐汇区", "徐汇区碳达峰实施方案", "上海市", "district-county"),
    ("大足区", "", "重庆市", "district-county"),
    ("重庆市大足区", "", "重庆市", "district-county"),
    ("新吴区", "", "江苏省", "district-county"),
    ("无锡市", "", "江苏省", "city"),
    # The compilation files 新吴区's plan under 无锡市: the title names the narrower issuer.
    ("无锡市", "新吴区电力能源双碳行动方案", "江苏省", "district-county"),
    ("包头市", "碳达峰碳中和林草碳汇(包头)试验区实施方案", "内蒙古自治区", "city"),
    ("石家庄", "", "河北省", "city"),
    ("石家庄市", "", "河北省", "city"),
    ("辽源市", "", "吉林省", "city"),
    ("湛江市", "", "广东省", "city"),
    ("固原市", "", "宁夏回族自治区", "city"),
    ("安康市", "", "陕西省", "city"),
    ("国务院", "", "全国", "national"),
    ("中共中央", "", "全国", "national"),
    ("中共中央、国务院", "", "全国", "national"),
    ("工业和信息化部", "", "全国", "ministry"),
    ("工信部", "工业领域碳达峰实施方案", "全国", "ministry"),
    ("生态部", "", "全国", "ministry"),
    ("国家能源局", "", "全国", "ministry"),
    ("市场监管总局", "", "全国", "ministry"),
    ("国资委", "", "全国", "ministry"),
    ("国家发展和改革委员会", "", "全国", "ministry"),
    ("退役军人事务部", "", "全国", "ministry"),       # not listed: by the 部 pattern
    ("国家粮食和物资储备局", "", "全国", "ministry"),  # not listed: by the 国家…局 pattern
    ("中共浙江省委", "", "浙江省", "province"),
    ("浙江省财政厅", "", "浙江省", "province"),
    ("内蒙古", "", "内蒙古自治区", "province"),
    ("广西", "", "广西壮族自治区", "province"),
    ("宁夏", "", "宁夏回族自治区", "province"),
    ("新疆", "", "新疆维吾尔自治区", "province"),
    ("西藏", "", "西藏自治区", "province"),
    ("北京", "", "北京市", "province"),
    ("黑龙江", "", "黑龙江省", "province"),
    ("", "河南省碳达峰实施方案", "河南省", "province"),
    ("", "中共中央国务院关于完整准确全面贯彻新发展理念做好碳达峰碳中和工作的意见", "全国", "national"),
    ("", "长垣市推进碳达峰试点建设工作方案", "河南省", "district-county"),
    # Joint plan: every province of the area, joined by ";" (see rules/jurisdictions.toml).
    ("四川省", "成渝地区双城经济圈碳达峰碳中和联合行动方案", "四川省;重庆市", "province"),
    ("", "成渝地区双城经济圈碳达峰碳中和联合行动方案", "四川省;重庆市", "province"),
    # A joint area named later in a title does not make the plan joint.
    ("河北省", "河北省推进京津冀协同发展碳达峰行动方案", "河北省", "province"),
    # Unknown: no guess.
    ("某某市委", "", "", ""),
    ("", "关于加强节能工作的通知", "", ""),
    ("", "", "", ""),
]


@pytest.mark.parametrize("region,title,province,level", CASES)
def test_cases(region, title, province, level):
    assert (province_of(region, title), level_of(region, title)) == (province, level)


PROVINCES = [
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
    "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
    "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
]


@pytest.mark.parametrize("name", PROVINCES)
def test_all_provinces_and_short_forms(name):
    assert len(PROVINCES) == 34
    short = name.removesuffix("省").removesuffix("市")
    for text in (name, short, f"{name}人民政府", f"中共{short}省委" if name.endswith("省") else name):
        assert (province_of(text), level_of(text)) == (name, "province"), text


COMPILATION_PROVINCES = {
    "中共中央、国务院": "全国", "国务院": "全国", "国资委": "全国", "教育部": "全国",
    "财政部": "全国", "生态部": "全国", "交通部": "全国", "农业部": "全国", "住建部": "全国",
    "工信部": "全国", "科技部": "全国", "国家能源局": "全国", "市场监管总局": "全国",
    "浙江省": "浙江省", "山东省": "山东省", "广东省": "广东省", "吉林省": "吉林省",
    "河北省": "河北省", "湖南省": "湖南省", "江苏省": "江苏省", "河南省": "河南省",
    "四川省": "四川省", "内蒙古": "内蒙古自治区", "广西": "广西壮族自治区",
    "宁夏": "宁夏回族自治区", "云南省": "云南省", "黑龙江": "黑龙江省", "江西省": "江西省",
    "贵州省": "贵州省", "海南省": "海南省", "安徽省": "安徽省", "福建省": "福建省",
    "陕西省": "陕西省", "青海省": "青海省", "湖北省": "湖北省", "北京市": "北京市",
    "上海市": "上海市", "上海市徐汇区": "上海市", "上海市静安区": "上海市",
    "上海市嘉定区": "上海市", "南京市": "江苏省", "无锡市": "江苏省", "武汉市": "湖北省",
    "宜昌市": "湖北省", "天津市": "天津市", "杭州市": "浙江省", "金华市": "浙江省",
    "宁波市": "浙江省", "台州市": "浙江省", "石家庄": "河北省", "辽源市": "吉林省",
    "重庆市": "重庆市", "重庆市大足区": "重庆市", "湛江市": "广东省", "永城市": "河南省",
    "绵阳市": "四川省", "安康市": "陕西省", "南宁市": "广西壮族自治区",
    "柳州市": "广西壮族自治区", "固原市": "宁夏回族自治区", "益阳市": "湖南省",
    "包头市": "内蒙古自治区",
}


def test_every_region_of_the_compilation_resolves():
    text = (ROOT / "corpus" / "003_a895838ed2e4cd84.txt").read_text(encoding="utf-8")
    docs = split_documents(text)
    assert {d.region: province_of(d.region) for d in docs} == COMPILATION_PROVINCES
    for d in docs:
        assert province_of(d.region, d.title), (d.region, d.title)
        assert level_of(d.region, d.title), (d.region, d.title)
    joint = [d for d in docs if ";" in province_of(d.region, d.title)]
    assert [(d.title, province_of(d.region, d.title)) for d in joint] == [
        ("成渝地区双城经济圈碳达峰碳中和联合行动方案", "四川省;重庆市")]


def test_leading_name():
    assert leading_name("长垣市推进碳达峰试点建设工作方案") == "长垣市"
    assert leading_name("中共浙江省委浙江省人民政府关于…") == "浙江省"
    assert leading_name("国务院关于印发2030年前碳达峰行动方案的通知") == "国务院"
    assert leading_name("关于加快推进河南省…的通知") == ""


def write_rules(tmp_path: Path, old: str, new: str) -> Path:
    source = RULES.read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "jurisdictions.toml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


def test_rules_file_is_complete():
    data = tomllib.loads(RULES.read_text(encoding="utf-8"))
    assert sorted(p["name"] for p in data["province"]) == sorted(PROVINCES)
    load_places()


def test_rules_reject_bad_level_naming_entry(tmp_path):
    path = write_rules(tmp_path, 'name = "雄安新区"\nprovince = "河北省"\nlevel = "city"',
                       'name = "雄安新区"\nprovince = "河北省"\nlevel = "town"')
    with pytest.raises(RuleError, match=r"jurisdictions\.toml: entry place\.'雄安新区'\.level"):
        load_places(path.parent)


def test_rules_reject_unknown_province(tmp_path):
    path = write_rules(tmp_path, 'province = "河北省"', 'province = "河北"')
    with pytest.raises(RuleError, match=r"jurisdictions\.toml: .*'雄安新区': unknown province"):
        load_places(path.parent)


def test_rules_reject_unknown_key(tmp_path):
    path = write_rules(tmp_path, 'name = "两江新区"', 'name = "两江新区"\ncounty = true')
    with pytest.raises(RuleError,
                       match=r"jurisdictions\.toml: entry place\.'两江新区'\.county: Extra inputs"):
        load_places(path.parent)


def test_rules_reject_bad_pattern(tmp_path):
    path = write_rules(tmp_path, 'patterns = ["部$"', 'patterns = ["部$("')
    with pytest.raises(RuleError,
                       match=r"jurisdictions\.toml: entry ministry\.patterns\.0: .*bad regex"):
        load_places(path.parent)


def test_a_name_that_runs_into_a_word_is_cut_back():
    places = load_places()
    assert attribute(places, "", "", lambda: "推进海南区域协调发展").province == "海南省"
    assert attribute(places, "海南区").region_code == "150303"          # 乌海市海南区
    assert attribute(places, "", "", lambda: "长垣县域经济").region_code == "410783"
