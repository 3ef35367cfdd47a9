"""`targets compare`: what each province commits to now, and how it changed. A small generated
extract gives exact sheets, charts, CSV rows and rollup sums; a generated plan and its
revision go through `targets extract`, `compare` and `diff --pairs`; the corpus gives the
real thing."""
from __future__ import annotations

import csv
import json
import posixpath
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from targets.analysis.compare import LONG_COLUMNS, significant
from targets.analysis.compare_report import write_compare
from targets.analysis.compare_sheet import HEADER_ROW, NATIONAL_ROW
from targets.cli import app
from targets.core.rulebook import DEFAULT_RULES_DIR
from targets.models import DOCUMENT_COLUMNS, TARGET_COLUMNS, RuleError, TargetsError
from targets.outputs.runner import run_extract

from .conftest import CORPUS

runner = CliRunner()

OPINIONS = "中共河南省委河南省人民政府关于完整准确全面贯彻新发展理念做好碳达峰碳中和工作的实施意见"
DOCS = [  # doc_id, title, province, level, is_draft
    ("nat", "2030年前碳达峰行动方案", "全国", "national", 0),
    ("ind", "工业领域碳达峰实施方案", "全国", "ministry", 0),
    ("hb", "河北省碳达峰实施方案", "河北省", "province", 0),
    ("hn_op", OPINIONS, "河南省", "province", 0),
    ("hn", "河南省碳达峰实施方案", "河南省", "province", 0),
    ("nm", "内蒙古自治区碳达峰实施方案", "内蒙古自治区", "province", 0),
    ("sd_pub", "山东省公共机构绿色低碳循环发展行动方案", "山东省", "province", 0),
    ("sh", "上海市碳达峰实施方案", "上海市", "province", 0),
    ("sh_pub", "上海市公共机构绿色低碳循环发展行动方案", "上海市", "province", 0),
    ("yn", "云南省碳达峰实施方案(征求意见稿)", "云南省", "province", 1),
    ("cy", "长垣市推进碳达峰试点建设工作方案", "河南省", "district-county", 0),
    ("cq", "成渝地区双城经济圈碳达峰碳中和联合行动方案", "四川省;重庆市", "province", 0),
]
UNITS = {"%": "%", "pp": "个百分点", "GW": "万千瓦", "bcm": "亿立方米"}
NF, WS = "non_fossil_energy_share", "wind_solar_capacity"


def T(doc, ind, value, unit="%", year=2025, kind="level", **kw):  # noqa: N802 - a row, read as a table
    return dict(doc=doc, ind=ind, value=value, unit=unit, year=year, kind=kind, **kw)


TARGETS = [
    T("nat", NF, 20), T("nat", NF, 25, year=2030), T("nat", WS, 1200, "GW", 2030),
    T("nat", "energy_intensity", 13.5, kind="change", direction="down", base_year=2020),
    T("ind", "energy_intensity", 99, kind="change", direction="down", base_year=2020),  # a ministry's
    T("hb", NF, 13), T("hb", NF, 19, year=2030), T("hb", WS, 135, "GW", 2030),
    T("hb", WS, 10, "GW", kind="increment"),                                 # an addition: not a stock
    T("hb", "energy_intensity", 14, kind="change", direction="down", base_year=2020),
    T("hb", "forest_stock", 2.2, "bcm", 2030, value_std=0.22000000000000003),
    T("hn_op", NF, 14),                                                      # the 意见, superseded
    T("hn", NF, 16, strive=1), T("hn", NF, 15), T("hn", NF, 22, year=2030),  # 力争 16 after the firm 15
    T("hn", NF, 5, "pp", kind="change", direction="up"),                     # another measure
    T("hn", "wind_capacity", 2700, "GW", value_std=27), T("hn", "solar_capacity", 2000, "GW", value_std=20),
    T("hn", "wind_capacity", 3000, "GW", 2030, value_std=30),
    T("hn", "forest_stock", 0.22269, "bcm", value_std=0.022269000000000002),
    T("nm", NF, 18, page=12), T("nm", NF, 25, year=None),                    # a value without a year
    T("nm", "new_energy_capacity", 2, "GW", 2030, value_std=200, page=13),
    T("sd_pub", NF, 10),                                                     # a sector plan, alone
    T("sh", NF, 20), T("sh_pub", NF, 50),                                    # ... and beside the plan
    T("sh_pub", "solar_capacity", 5, "GW", 2023, value_std=0.05),
    T("yn", NF, 12),                                                         # a draft, alone
    T("cy", NF, 99), T("cy", "wind_capacity", 4.7, "GW", 2024, value_std=0.047),  # a county's: ignored
    T("cq", NF, 30, year=2030, page=40),                                     # joint plan: both provinces
]


def make_extract(out: Path, targets=TARGETS, docs=DOCS) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    by_id = {d[0]: d for d in docs}
    with (out / "documents.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, DOCUMENT_COLUMNS)
        w.writeheader()
        for doc_id, title, province, level, draft in docs:
            w.writerow({"doc_id": doc_id, "source": f"{doc_id}.txt", "doc_title": title, "region": province,
                        "province": province, "level": level, "is_draft": draft})
    with (out / "targets.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, TARGET_COLUMNS)
        w.writeheader()
        for t in targets:
            _, title, province, _, _ = by_id[t["doc"]]
            w.writerow({"doc_id": t["doc"], "source": f"{t['doc']}.txt", "doc_title": title, "province": province,
                        "indicator": t["ind"], "indicator_id": t["ind"], "sector": "energy", "value": t["value"],
                        "unit": UNITS[t["unit"]], "value_std": t.get("value_std", t["value"]), "unit_std": t["unit"],
                        "kind": t["kind"], "direction": t.get("direction", "up" if t["kind"] == "change" else ""),
                        "base_year": t.get("base_year", ""), "target_year": t["year"] or "",
                        "strive": t.get("strive", 0), "page": t.get("page", ""),
                        "comparator": "~" if t["value"] == 25 else ">=" if t["unit"] == "GW" else "="})
    return out


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    out = make_extract(tmp_path_factory.mktemp("cmp") / "out")
    return out, write_compare(out, top=6)


def rows_of(ws, first: int, last: int, cols: int) -> list[list]:
    return [[c.value for c in r][:cols] for r in ws.iter_rows(min_row=first, max_row=last)]


def long_rows(out: Path) -> list[dict]:
    with (out / "compare.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


# ---- which value stands -------------------------------------------------------------------

def test_sheets_are_the_headline_indicators_then_the_most_common(extract):
    out, result = extract
    # indicators.toml's headline list in its order (those the extract holds), then the most
    # common up to --top 6: solar in two provinces (上海's sector plan counts for its sheet)
    assert result.headline == ["energy_intensity", NF, WS, "forest_stock", "solar_capacity", "wind_capacity"]
    assert load_workbook(out / "compare.xlsx").sheetnames == ["index", *result.headline, "rollup_wind_solar"]


def test_each_value_has_its_status(extract):
    out, _ = extract
    rows = long_rows(out)
    assert list(rows[0]) == LONG_COLUMNS
    nf_2025 = {(r["province"], r["doc_id"], r["value_cmp"]): (r["status"], r["shown"], r["superseded_by"])
               for r in rows if r["indicator_id"] == NF and r["target_year"] == "2025" and r["kind"] == "level"}
    assert nf_2025 == {
        ("全国", "nat", "20"): ("current", "1", ""),
        ("河北省", "hb", "13"): ("current", "1", ""),
        ("河南省", "hn", "15"): ("current", "1", ""),          # firm before 力争, in the same plan
        ("河南省", "hn", "16"): ("current", "0", ""),
        ("河南省", "hn_op", "14"): ("superseded", "0", "hn"),  # the 意见 came first
        ("内蒙古自治区", "nm", "18"): ("current", "1", ""),
        ("山东省", "sd_pub", "10"): ("sector", "1", ""),        # nothing else states it: shown, flagged
        ("上海市", "sh", "20"): ("current", "1", ""),
        ("上海市", "sh_pub", "50"): ("sector", "0", "sh"),
        ("云南省", "yn", "12"): ("draft", "1", ""),
    }
    assert not [r for r in rows if r["doc_id"] == "cy"]
    ministry = [(r["status"], r["shown"], r["superseded_by"]) for r in rows if r["doc_id"] == "ind"]
    assert ministry == [("sector", "0", "nat")]  # a ministry never speaks before the State Council
    assert len(rows) == 30
    assert not list(out.glob(".*.part"))


def test_standard_values_are_rounded_as_the_source(extract):
    out, _ = extract
    stock = {r["province"]: r["value_cmp"] for r in long_rows(out) if r["indicator_id"] == "forest_stock"}
    assert stock == {"河北省": "0.22", "河南省": "0.022269"}
    assert significant(7200003.600000001, 720.00036) == 7200003.6


def test_published_dates_order_documents_before_the_fallback(tmp_path):
    """With a date on every document, the later one stands, whatever its kind."""
    docs = [("plan", "河南省碳达峰实施方案", "河南省", "province", 0), ("op", OPINIONS, "河南省", "province", 0)]
    out = make_extract(tmp_path / "out", [T("plan", NF, 15), T("op", NF, 16)], docs)
    text = (out / "documents.csv").read_text(encoding="utf-8-sig").splitlines()
    dated = [text[0], text[1].replace(",0,,,", ",0,,2022-03-01,"), text[2].replace(",0,,,", ",0,,2022-09-01,")]
    (out / "documents.csv").write_text("\n".join(dated) + "\n", encoding="utf-8-sig")
    write_compare(out, top=1)
    status = {r["doc_id"]: (r["status"], r["published"]) for r in long_rows(out)}
    assert status == {"op": ("current", "2022-09-01"), "plan": ("superseded", "2022-03-01")}


# ---- the sheets ---------------------------------------------------------------------------

def test_headline_sheet_lists_every_province(extract):
    out, _ = extract
    ws = load_workbook(out / "compare.xlsx")[NF]
    assert ws["A1"].value == "非化石能源消费比重 (%) · Non-fossil share of energy consumption"
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == ["province", "note", "2025 (%)", "2025 comparator", "2025 flag", "2025 earlier", "2025 document",
                      "2030 (%)", "2030 comparator", "2030 flag", "2030 earlier", "2030 document",
                      "no year", "no year document", "other measures", "全国 2025", "全国 2030"]
    rows = rows_of(ws, NATIONAL_ROW, NATIONAL_ROW + 9, 15)
    plan = {d[0]: d[1] for d in DOCS}
    assert rows == [
        ["全国", "reference", 20, "=", None, None, f"{plan['nat']} (nat)", 25, "~", None, None,
         f"{plan['nat']} (nat)", None, None, None],
        ["四川省", None, *[None] * 5, 30, "=", None, None, f"{plan['cq']} (cq, p.40)", None, None, None],
        ["重庆市", None, *[None] * 5, 30, "=", None, None, f"{plan['cq']} (cq, p.40)", None, None, None],
        ["河南省", None, 15, "=", None, "14 (hn_op)", f"{plan['hn']} (hn)", 22, "=", None, None,
         f"{plan['hn']} (hn)", None, None, "change (up) 5 pp (2025)"],
        ["河北省", None, 13, "=", None, None, f"{plan['hb']} (hb)", 19, "=", None, None, f"{plan['hb']} (hb)",
         None, None, None],
        ["上海市", None, 20, "=", None, None, f"{plan['sh']} (sh)", *[None] * 8],
        ["内蒙古自治区", None, 18, "=", None, None, f"{plan['nm']} (nm, p.12)", *[None] * 5, "≈25",
         f"{plan['nm']} (nm)", None],
        ["云南省", None, 12, "=", "draft", None, f"{plan['yn']} (yn)", *[None] * 8],
        ["山东省", None, 10, "=", "sector", None, f"{plan['sd_pub']} (sd_pub)", *[None] * 8],
        ["北京市", "no document", *[None] * 13],
    ]
    notes = {r[0]: r[1] for r in rows_of(ws, NATIONAL_ROW, ws.max_row, 2)}
    assert len(notes) == 1 + 31  # 全国 and the 31 mainland units the national goals cover
    assert {n for p, n in notes.items() if p not in {"全国", *(r[0] for r in rows)}} == {"no document"}
    assert ws["D25"].data_type == "s"  # a comparator `=` is text, not a formula


def test_no_number_and_no_document_are_different_facts(extract):
    out, _ = extract
    ws = load_workbook(out / "compare.xlsx")["forest_stock"]
    notes = {r[0]: r[1] for r in rows_of(ws, NATIONAL_ROW + 1, ws.max_row, 2)}
    assert notes["河北省"] is None and notes["河南省"] is None
    assert notes["上海市"] == notes["云南省"] == notes["四川省"] == "no number"
    assert notes["北京市"] == notes["西藏自治区"] == "no document"


def test_units_are_scaled_for_display(extract):
    out, _ = extract
    ws = load_workbook(out / "compare.xlsx")["forest_stock"]
    assert ws["A1"].value.startswith("森林蓄积量 (亿立方米)")
    values = {r[0]: r[2] for r in rows_of(ws, NATIONAL_ROW + 1, NATIONAL_ROW + 2, 3)}
    assert values == {"河北省": None, "河南省": 0.22269}
    assert ws.cell(NATIONAL_ROW + 1, 8).value == 2.2  # 河北 2030: 0.22 bcm, shown as 2.2 亿立方米


# ---- the charts ---------------------------------------------------------------------------

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id → target part (a path inside the package) of a part."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in z.namelist():
        return {}
    root = ElementTree.fromstring(z.read(rels))
    return {r.get("Id"): (r.get("Target").lstrip("/") if r.get("Target").startswith("/")
                          else posixpath.normpath(posixpath.join(folder, r.get("Target"))))
            for r in root.findall("p:Relationship", NS)}


def charts_of(path: Path) -> dict[str, list[dict]]:
    """Per sheet, its charts: title text and series (kind bar/line, tx, cat, val references)."""
    out = {}
    with zipfile.ZipFile(path) as z:
        sheets = _rels(z, "xl/workbook.xml")
        for sheet in ElementTree.fromstring(z.read("xl/workbook.xml")).iter(f"{{{NS['m']}}}sheet"):
            charts = []
            for drawing in _rels(z, sheets[sheet.get(f"{{{NS['r']}}}id")]).values():
                for part in _rels(z, drawing).values():
                    root = ElementTree.fromstring(z.read(part))
                    series = [{"kind": kind, **{k: ser.find(f"c:{k}//c:f", NS).text.replace("'", "")
                                                for k in ("tx", "cat", "val")}}
                              for kind in ("bar", "line") for plot in root.iter(f"{{{NS['c']}}}{kind}Chart")
                              for ser in plot.findall("c:ser", NS)]
                    title = "".join(t.text for t in root.find("c:chart/c:title", NS).iter(f"{{{NS['a']}}}t"))
                    charts.append({"title": title, "series": series})
            out[sheet.get("name")] = charts
        assert sum(n.startswith("xl/charts/chart") for n in z.namelist()) == sum(len(c) for c in out.values())
    return out


def test_chart_bars_provinces_against_the_national_line(extract):
    out, _ = extract
    charts = charts_of(out / "compare.xlsx")
    (chart,) = charts[NF]
    cat = f"{NF}!$A$26:$A$33"  # the eight provinces with a 2025 or 2030 value
    assert chart == {"title": "非化石能源消费比重 (%)", "series": [
        {"kind": "bar", "tx": f"{NF}!$C$24", "cat": cat, "val": f"{NF}!$C$26:$C$33"},
        {"kind": "bar", "tx": f"{NF}!$H$24", "cat": cat, "val": f"{NF}!$H$26:$H$33"},
        {"kind": "line", "tx": f"{NF}!$P$24", "cat": cat, "val": f"{NF}!$P$26:$P$33"},
        {"kind": "line", "tx": f"{NF}!$Q$24", "cat": cat, "val": f"{NF}!$Q$26:$Q$33"}]}
    ws = load_workbook(out / "compare.xlsx")[NF]
    assert [(ws[f"P{r}"].value, ws[f"Q{r}"].value) for r in range(26, 34)] == [(20, 25)] * 8
    assert charts["index"] == []


def test_binding_indicators_have_a_sheet_and_the_national_series(extract):
    out, _ = extract
    charts = charts_of(out / "compare.xlsx")
    (chart,) = charts["energy_intensity"]
    assert chart["title"] == "单位国内生产总值能耗 比2020年下降 (%)"  # the measure is in the title
    assert [s["kind"] for s in chart["series"]] == ["bar", "line"]
    assert chart["series"][1]["tx"] == "energy_intensity!$K$24"  # after the 2025 block, no year, other
    ws = load_workbook(out / "compare.xlsx")["energy_intensity"]
    assert (ws["K24"].value, ws["K26"].value, ws["C25"].value) == ("全国 2025", 13.5, 13.5)  # not the ministry's 99
    # a national total beside provincial amounts: the line on an axis of its own
    with zipfile.ZipFile(out / "compare.xlsx") as z:
        xml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/")]
    ws_chart = next(x for x in xml if "全国 (GW, right axis)" in x)
    assert len(ElementTree.fromstring(ws_chart.encode()).findall(".//c:valAx", NS)) == 2
    assert all(c["series"] and any(s["kind"] == "line" for s in c["series"])
               for sheet in ("energy_intensity", NF, WS) for c in charts[sheet])  # forest_stock: no 全国 value


# ---- the rollup ---------------------------------------------------------------------------

def test_rollup_counts_comprehensive_plans_and_marks_partial_sums(extract):
    out, result = extract
    r = result.rollups[0]
    assert r.table[["province", "target_year", "value", "basis", "quality"]].values.tolist() == [
        ["河北省", 2030, 135, "wind_solar", "complete"],
        ["河南省", 2025, 47, "wind + solar", "complete"],
        ["河南省", 2030, 30, "wind only", "partial"],
        ["内蒙古自治区", 2030, 200, "≈ new_energy", "approximate"]]  # not 上海's 公共机构 0.05 GW
    assert r.totals.values.tolist() == [[2025, 1, 47, 0], [2030, 3, 365, 2]]
    assert (r.left_out, r.no_number) == (1, ["上海市", "重庆市", "山东省", "四川省", "云南省"])
    ws = load_workbook(out / "compare.xlsx")["rollup_wind_solar"]
    cells = {c.value for row in ws.iter_rows() for c in row if c.value is not None}
    assert {"wind only (partial)", "≈ new_energy (approximate)", "of which partial or approximate"} <= cells
    (chart,) = charts_of(out / "compare.xlsx")["rollup_wind_solar"]
    assert [(s["kind"], s["tx"]) for s in chart["series"]] == [
        ("bar", "rollup_wind_solar!$B$24"), ("bar", "rollup_wind_solar!$C$24"), ("line", "rollup_wind_solar!$D$24")]
    assert [[ws.cell(r, c).value for c in range(1, 5)] for r in (25, 26)] == [["2025", 47, 0, None],
                                                                            ["2030", 135, 230, 1200]]


def test_the_national_figure_comes_from_the_rule_file(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    toml = rules / "indicators.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("value = 1200", "value = 1000"), encoding="utf-8")
    result = write_compare(make_extract(tmp_path / "out"), rules, top=1)
    assert result.rollups[0].rollup.national.value == 1000


def test_a_broken_compare_rule_file_names_itself(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    toml = rules / "compare.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("comprehensive = '", "comprehensive = '(", 1),
                    encoding="utf-8")
    with pytest.raises(RuleError, match="compare.toml"):
        write_compare(make_extract(tmp_path / "out"), rules)
    result = runner.invoke(app, ["rules", "check", "--rules", str(rules)])
    assert result.exit_code == 2 and "compare.toml" in result.output and "Traceback" not in result.output


# ---- the CLI ------------------------------------------------------------------------------

def test_cli_prints_the_rollup(tmp_path):
    out = make_extract(tmp_path / "out")
    result = runner.invoke(app, ["compare", str(out), "--top", "3"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "sum of provinces" in result.output and "365 (3; 2)" in result.output and ">=1200" in result.output
    assert "no number (5): 上海市、重庆市、山东省、四川省、云南省" in result.output
    assert (out / "compare.xlsx").is_file() and (out / "compare.csv").is_file()


def test_cli_errors_are_one_clean_line(tmp_path):
    for args in (["compare", str(tmp_path / "missing")], ["compare", str(tmp_path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "not an extract folder" in result.output
    with pytest.raises(TargetsError, match="no target has an indicator_id"):
        write_compare(make_extract(tmp_path / "bare", [{**t, "ind": ""} for t in TARGETS[:1]]))


def test_compare_help_does_not_import_heavy_libraries():
    probe = ("import json, sys\nfrom targets.cli import app\nsys.argv = ['targets', 'compare', '--help']\n"
             "try:\n    app()\nexcept SystemExit:\n    pass\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    modules = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    assert "Usage" in proc.stdout and not modules & {"pandas", "openpyxl", "numpy"}


# ---- a plan and its revision, through extract, compare and diff ------------------------

REVISIONS = {  # file: (title, published, 2025 value)
    "plan.txt": ("河北省碳达峰实施方案（2022年）", "2022年6月10日", 13),
    "revision.txt": ("河北省碳达峰实施方案（2023年修订）", "2023年7月1日", 15),
}


def test_a_revision_supersedes_its_plan_and_diff_agrees(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (title, date, value) in REVISIONS.items():
        (corpus / name).write_text(f"{title}\n\n河北省人民政府\n{date}\n\n一、主要目标\n到2025年，非化石能源消费"
                                   f"比重达到{value}%。到2030年，非化石能源消费比重达到19%。\n", encoding="utf-8")
    out = tmp_path / "out"
    run_extract([corpus], out, by="none")
    write_compare(out, top=1)
    rows = {(r["target_year"], r["doc_id"]): (r["value_cmp"], r["status"], r["superseded_by"])
            for r in long_rows(out) if r["indicator_id"] == NF}
    assert rows == {("2025", "plan"): ("13", "superseded", "revision"), ("2025", "revision"): ("15", "current", ""),
                    ("2030", "plan"): ("19", "superseded", "revision"), ("2030", "revision"): ("19", "current", "")}
    ws = load_workbook(out / "compare.xlsx")[NF]
    hebei = next(r for r in ws.iter_rows(min_row=NATIONAL_ROW, values_only=True) if r[0] == "河北省")
    assert hebei[2:6] == (15, "=", None, "13 (plan)")
    result = runner.invoke(app, ["diff", "--corpus", str(corpus), "--pairs", "--format", "json"])
    diff = json.loads(result.stdout)
    assert result.exit_code == 1 and {(d["old_doc_id"], d["new_doc_id"]) for d in diff} == {("plan", "revision")}
    changed = [(d["target_year"], d["old_value"], d["new_value"]) for d in diff if d["status"] == "changed"]
    assert changed == [(2025, 13, 15)]  # what compare calls superseded is what diff calls changed


# ---- rendered, and on the corpus -------------------------------------------------------

TOOLS = shutil.which("libreoffice") or shutil.which("soffice"), shutil.which("pdftoppm"), shutil.which("pdftotext")


@pytest.mark.skipif(not all(TOOLS), reason="libreoffice, pdftoppm or pdftotext not installed")
def test_rendered_workbook_shows_the_chart(extract, tmp_path):
    office, pdftoppm, pdftotext = TOOLS
    out, _ = extract
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(out / "compare.xlsx")], check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "compare.pdf"
    pages = [subprocess.run([pdftotext, "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True,
                            text=True).stdout for i in range(1, 40)]
    page = next(i for i, t in enumerate(pages, start=1) if "非化石能源消费比重 (%) ·" in t)
    # The page as PPM, to count pixels: the table is black on white, the bars are coloured.
    subprocess.run([pdftoppm, "-r", "80", "-f", str(page), "-l", str(page), str(pdf), str(tmp_path / "px")],
                   check=True, timeout=60)
    data = next(tmp_path.glob("px*.ppm")).read_bytes()
    w, h = map(int, data.split(b"\n")[1].split())
    pixels = data[-w * h * 3:]
    coloured = sum(1 for i in range(0, len(pixels), 3) if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 80)
    assert coloured > 300


@pytest.fixture(scope="module")
def corpus_compare(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    run_extract([CORPUS], out, by="none")
    return out, write_compare(out)


def test_corpus_every_province_stating_a_non_fossil_share_has_it_in_the_sheet(corpus_compare):
    out, result = corpus_compare
    with (out / "targets.csv").open(encoding="utf-8-sig") as fh, (out / "documents.csv").open(encoding="utf-8-sig") as d:
        levels = {r["doc_id"]: r["level"] for r in csv.DictReader(d)}
        stating = {p for r in csv.DictReader(fh) if r["indicator_id"] == NF and levels[r["doc_id"]] == "province"
                   for p in r["province"].split(";")}
    ws = load_workbook(out / "compare.xlsx", read_only=True)[NF]
    header = next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True))
    values = [i for i, h in enumerate(header) if h and (h.endswith("(%)") or h in ("no year", "other measures"))]
    shown = {r[0] for r in ws.iter_rows(min_row=NATIONAL_ROW + 1, values_only=True)
             if r[0] and any(r[i] not in (None, "") for i in values)}
    assert len(stating) >= 20 and stating <= shown
    assert {"energy_intensity", "carbon_intensity", NF} <= set(result.headline)
    charts = charts_of(out / "compare.xlsx")
    for sheet in ("energy_intensity", "carbon_intensity", NF):
        (chart,) = charts[sheet]
        assert [s for s in chart["series"] if s["kind"] == "line"], sheet
    r = result.rollups[0]
    assert r.rollup.national.value == 1200
    assert "上海市公共机构绿色低碳循环发展行动方案" not in " ".join(r.table["documents"])
