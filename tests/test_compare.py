"""`targets compare`: provinces side by side from an extract folder. A small hand-made extract
gives exact sheets, charts, CSV rows and rollup sums; the corpus gives the real thing."""
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

from targets.cli import app
from targets.analysis.compare import LONG_COLUMNS, write_compare
from targets.models import DOCUMENT_COLUMNS, TARGET_COLUMNS, TargetsError
from targets.core.rulebook import DEFAULT_RULES_DIR
from targets.outputs.runner import run_extract

from .conftest import CORPUS

runner = CliRunner()

DOCS = [  # doc_id, title, province, level
    ("nat", "2030年前碳达峰行动方案", "全国", "national"),
    ("hb", "河北省碳达峰实施方案", "河北省", "province"),
    ("hn", "河南省碳达峰实施方案", "河南省", "province"),
    ("nm", "内蒙古自治区碳达峰实施方案", "内蒙古自治区", "province"),
    ("sd", "山东省碳达峰实施方案", "山东省", "province"),
    ("cy", "长垣市推进碳达峰试点建设工作方案", "河南省", "district-county"),
    ("cq", "成渝地区双城经济圈碳达峰碳中和联合行动方案", "四川省;重庆市", "province"),
]
NF, GW = ("non_fossil_energy_share", "energy", "非化石能源消费比重", "%", "%"), ("GW",)
TARGETS = [  # doc, indicator_id, value_std, unit_std, kind, year, strive, page
    ("nat", "non_fossil_energy_share", 20, "%", "level", 2025, 0, 3),
    ("nat", "non_fossil_energy_share", 25, "%", "level", 2030, 0, 3),
    ("hb", "non_fossil_energy_share", 13, "%", "level", 2025, 0, None),
    ("hb", "non_fossil_energy_share", 19, "%", "level", 2030, 0, None),
    ("hn", "non_fossil_energy_share", 16, "%", "level", 2025, 1, None),   # 力争: after the firm 15
    ("hn", "non_fossil_energy_share", 15, "%", "level", 2025, 0, None),
    ("hn", "non_fossil_energy_share", 22, "%", "level", 2030, 0, None),
    ("hn", "non_fossil_energy_share", 5, "pp", "change", 2025, 0, None),  # another measure: CSV only
    ("nm", "non_fossil_energy_share", 18, "%", "level", 2025, 0, 12),
    ("cy", "non_fossil_energy_share", 99, "%", "level", 2025, 0, None),   # a county's: ignored
    ("cq", "non_fossil_energy_share", 30, "%", "level", 2030, 0, 40),     # joint plan: both provinces
    ("nat", "wind_solar_capacity", 1200, "GW", "level", 2030, 0, 4),
    ("hb", "wind_solar_capacity", 135, "GW", "level", 2030, 0, None),
    ("hb", "wind_solar_capacity", 10, "GW", "increment", 2025, 0, None),  # an addition: not a stock
    ("hn", "wind_capacity", 27, "GW", "level", 2025, 0, None),
    ("hn", "solar_capacity", 20, "GW", "level", 2025, 0, None),
    ("hn", "wind_capacity", 30, "GW", "level", 2030, 0, None),
    ("nm", "new_energy_capacity", 200, "GW", "level", 2030, 0, 13),
    ("cy", "wind_capacity", 0.047, "GW", "level", 2024, 0, None),
]
UNITS = {"%": "%", "pp": "个百分点", "GW": "GW"}
SECTORS = {"non_fossil_energy_share": "energy"}


def make_extract(out: Path, targets=TARGETS) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    docs = {d[0]: d for d in DOCS}
    with (out / "documents.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, DOCUMENT_COLUMNS)
        w.writeheader()
        for doc_id, title, province, level in DOCS:
            w.writerow({"doc_id": doc_id, "source": f"{doc_id}.txt", "doc_title": title, "region": province,
                        "province": province, "level": level})
    with (out / "targets.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, TARGET_COLUMNS)
        w.writeheader()
        for doc_id, ind, value, unit, kind, year, strive, page in targets:
            _, title, province, _ = docs[doc_id]
            w.writerow({"doc_id": doc_id, "source": f"{doc_id}.txt", "doc_title": title, "province": province,
                        "indicator": ind, "indicator_id": ind, "sector": "energy", "value": value,
                        "unit": UNITS[unit], "value_std": value, "unit_std": unit, "kind": kind,
                        "direction": "up" if kind == "change" else "", "target_year": year, "strive": strive,
                        "comparator": "~" if value == 25 else ">=" if unit == "GW" else "=", "page": page or ""})
    return out


@pytest.fixture()
def extract(tmp_path):
    out = make_extract(tmp_path / "out")
    write_compare(out, top=2)
    return out


def test_headline_sheet_puts_provinces_beside_the_national_row(extract):
    book = load_workbook(extract / "compare.xlsx")
    assert book.sheetnames == ["index", "non_fossil_energy_share", "wind_capacity", "rollup_wind_solar"]
    ws = book["non_fossil_energy_share"]
    assert [c.value for c in ws[4]][:9] == ["province", "2025 value (%)", "2025 comparator", "2025 document",
                                           "2025 page", "2030 value (%)", "2030 comparator", "2030 document",
                                           "2030 page"]
    rows = [[c.value for c in r][:9] for r in ws.iter_rows(min_row=5, max_row=10)]
    assert rows == [
        ["全国", 20, "=", "2030年前碳达峰行动方案 (nat)", 3, 25, "~", "2030年前碳达峰行动方案 (nat)", 3],
        ["四川省", None, None, None, None, 30, "=", "成渝地区双城经济圈碳达峰碳中和联合行动方案 (cq)", 40],
        ["重庆市", None, None, None, None, 30, "=", "成渝地区双城经济圈碳达峰碳中和联合行动方案 (cq)", 40],
        ["河南省", 15, "=", "河南省碳达峰实施方案 (hn)", None, 22, "=", "河南省碳达峰实施方案 (hn)", None],
        ["河北省", 13, "=", "河北省碳达峰实施方案 (hb)", None, 19, "=", "河北省碳达峰实施方案 (hb)", None],
        ["内蒙古自治区", 18, "=", "内蒙古自治区碳达峰实施方案 (nm)", 12, None, None, None, None],
    ]
    assert ws.max_row == 10  # the county's 99 % is not Henan's target
    assert ws["C5"].data_type == "s"  # a comparator `=` is text, not a formula


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


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


def _charts(path: Path) -> dict[str, list[dict]]:
    """Chart series per sheet name, read from the package's XML (sheet → drawing → chart)."""
    out = {}
    with zipfile.ZipFile(path) as z:
        sheets = _rels(z, "xl/workbook.xml")
        for sheet in ElementTree.fromstring(z.read("xl/workbook.xml")).iter(f"{{{NS['m']}}}sheet"):
            series = []
            for drawing in _rels(z, sheets[sheet.get(f"{{{NS['r']}}}id")]).values():
                for chart in _rels(z, drawing).values():
                    for ser in ElementTree.fromstring(z.read(chart)).iter(f"{{{NS['c']}}}ser"):
                        series.append({k: ser.find(f"c:{k}//c:f", NS).text.replace("'", "")
                                       for k in ("tx", "cat", "val")})
            out[sheet.get("name")] = series
        assert sum(n.startswith("xl/charts/chart") for n in z.namelist()) == sum(bool(s) for s in out.values())
    return out


def test_chart_series_reference_the_right_cells(extract):
    charts = _charts(extract / "compare.xlsx")
    s = "non_fossil_energy_share"
    assert charts[s] == [
        {"tx": f"{s}!$B$4", "cat": f"{s}!$A$6:$A$10", "val": f"{s}!$B$6:$B$10"},
        {"tx": f"{s}!$F$4", "cat": f"{s}!$A$6:$A$10", "val": f"{s}!$F$6:$F$10"},
    ]
    ws = load_workbook(extract / "compare.xlsx")[s]
    assert [ws[f"A{r}"].value for r in range(6, 11)] == ["四川省", "重庆市", "河南省", "河北省", "内蒙古自治区"]
    assert [ws[f"F{r}"].value for r in range(6, 11)] == [30, 30, 22, 19, None]
    assert charts["index"] == [] and charts["rollup_wind_solar"] == []
    assert len(charts["wind_capacity"]) == 2


def test_compare_csv_is_the_long_form(extract):
    with (extract / "compare.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == LONG_COLUMNS
    assert len(rows) == 17  # 9 non-fossil levels, 1 change, 3 wind+solar, 2 wind, 1 solar, 1 new energy
    hn = [r for r in rows if r["province"] == "河南省" and r["target_year"] == "2025"
          and r["indicator_id"] == "non_fossil_energy_share"]
    assert [(r["kind"], r["value_cmp"], r["candidates"], r["other_values"], r["headline"]) for r in hn] == [
        ("change", "5", "1", "", "0"), ("level", "15", "2", "16", "1")]
    assert not [r for r in rows if r["doc_id"] == "cy"]
    assert not list(extract.glob(".*.part"))


def test_rollup_sums_provinces_against_the_national_goal(extract):
    ws = load_workbook(extract / "compare.xlsx")["rollup_wind_solar"]
    cells = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    assert [cells[f"{c}5"] for c in "ABCDEFG"] == [
        "province", "2025 (GW)", "2025 basis", "2025 documents", "2030 (GW)", "2030 basis", "2030 documents"]
    table = [[ws.cell(r, c).value for c in (1, 2, 3, 5, 6)] for r in range(6, 9)]
    assert table == [["河北省", None, None, 135, "wind_solar"],  # provinces in their usual order
                     ["河南省", 47, "wind + solar", 30, "wind only"],
                     ["内蒙古自治区", None, None, 200, "≈ new_energy"]]
    assert ws["G8"].value == "内蒙古自治区碳达峰实施方案 (nm, p.13)"
    summary = {ws.cell(r, 1).value: (ws.cell(r, 2).value, ws.cell(r, 5).value) for r in range(10, 14)}
    assert summary == {"sum of provinces": (47, 365), "provinces with a figure": (1, 3),
                       "全国 goal": (None, 1200), "sum / goal": (None, pytest.approx(365 / 1200))}
    text = " | ".join(str(v) for v in cells.values())
    assert "全国 in the extract: 1200 GW (2030), 2030年前碳达峰行动方案 (nat)" in text
    assert "no number (3): 重庆市、山东省、四川省" in text
    assert "no province-level document (25):" in text and "香港" not in text and "台湾" not in text


def test_the_national_figure_comes_from_the_rule_file(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    toml = rules / "indicators.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("value = 1200", "value = 1000"), encoding="utf-8")
    result = write_compare(make_extract(tmp_path / "out"), rules, top=1)
    assert result.rollups[0].rollup.national.value == 1000
    ws = load_workbook(tmp_path / "out" / "compare.xlsx")["rollup_wind_solar"]
    assert [ws.cell(r, 5).value for r in (12, 13)] == [1000, pytest.approx(0.365)]


def test_cli_prints_the_rollup(tmp_path):
    out = make_extract(tmp_path / "out")
    result = runner.invoke(app, ["compare", str(out), "--top", "3"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "sum of provinces" in result.output and "365 (3)" in result.output and ">=1200" in result.output
    assert "no number (3): 重庆市、山东省、四川省" in result.output
    assert (out / "compare.xlsx").is_file() and (out / "compare.csv").is_file()


def test_cli_errors_are_one_clean_line(tmp_path):
    for args in (["compare", str(tmp_path / "missing")], ["compare", str(tmp_path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "not an extract folder" in result.output
    with pytest.raises(TargetsError, match="no target has an indicator_id"):
        write_compare(make_extract(tmp_path / "bare", [t[:1] + ("",) + t[2:] for t in TARGETS]))


def test_compare_help_does_not_import_heavy_libraries():
    probe = ("import json, sys\nfrom targets.cli import app\nsys.argv = ['targets', 'compare', '--help']\n"
             "try:\n    app()\nexcept SystemExit:\n    pass\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    modules = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    assert "Usage" in proc.stdout and not modules & {"pandas", "openpyxl", "numpy"}


TOOLS = shutil.which("libreoffice") or shutil.which("soffice"), shutil.which("pdftoppm"), shutil.which("pdftotext")


@pytest.mark.skipif(not all(TOOLS), reason="libreoffice, pdftoppm or pdftotext not installed")
def test_rendered_workbook_shows_the_chart(extract, tmp_path):
    office, pdftoppm, pdftotext = TOOLS
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(extract / "compare.xlsx")], check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "compare.pdf"
    pages = [subprocess.run([pdftotext, "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True,
                            text=True).stdout for i in range(1, 20)]
    page = next(i for i, t in enumerate(pages, start=1) if "非化石能源消费比重 ·" in t)
    subprocess.run([pdftoppm, "-png", "-r", "80", "-f", str(page), "-l", str(page), str(pdf),
                    str(tmp_path / "chart")], check=True, timeout=60)
    png = next(tmp_path.glob("chart*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The same page as PPM, to count pixels: the table is black on white, the bars are coloured.
    subprocess.run([pdftoppm, "-r", "80", "-f", str(page), "-l", str(page), str(pdf), str(tmp_path / "px")],
                   check=True, timeout=60)
    data = next(tmp_path.glob("px*.ppm")).read_bytes()
    w, h = map(int, data.split(b"\n")[1].split())
    pixels = data[-w * h * 3:]
    coloured = sum(1 for i in range(0, len(pixels), 3)
                   if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 80)
    print(f"\nchart page rendered to {png} ({coloured} coloured pixels)")
    assert coloured > 300


@pytest.fixture(scope="module")
def corpus_compare(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    run_extract([CORPUS], out)
    return out, write_compare(out)


def test_corpus_compare(corpus_compare):
    out, result = corpus_compare
    assert len(result.headline) == 12
    assert {"non_fossil_energy_share", "forest_coverage", "green_travel_share"} <= set(result.headline)
    charts = _charts(out / "compare.xlsx")
    assert all(len(charts[i]) >= 1 for i in result.headline)
    r = result.rollups[0]
    assert r.rollup.national.value == 1200
    # the action plan's 2030 figure, and the 意见's, whose 2030 stands in an earlier sentence
    nat = r.national_in_extract
    assert set(nat["value_cmp"]) == {1200} and 2030 in set(nat["target_year"])
    hebei = r.table[r.table["province"] == "河北省"]
    assert hebei[["target_year", "value", "basis"]].values.tolist() == [[2030, 135, "wind_solar"]]
    print(f"\nrollup {r.totals.to_dict('records')}; no number: {r.no_number}; no document: {r.no_document}")
