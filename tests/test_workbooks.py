"""Workbooks per province and per document (issue #3), `--by`, `--province` and `targets docs`."""
from __future__ import annotations

import csv
import doctest
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from targets.outputs import workbooks
from targets.cli import app
from targets.outputs.export import rows_of, write_csv
from targets.models import DOCUMENT_COLUMNS, TARGET_COLUMNS, Document, Target
from targets.outputs.workbooks import sheet_name, write_workbooks

from .conftest import CORPUS

runner = CliRunner()
HENAN, HEBEI = "000_aa5cdd18997ec508", "002_493f755c1bb0d623"
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _sheets(path: Path) -> dict[str, list[tuple]]:
    book = load_workbook(path, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.fixture(scope="module")
def two_provinces(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("in")
    for stem in (HENAN, HEBEI):
        shutil.copy(CORPUS / f"{stem}.txt", src)
    return src


def _extract(src: Path, out: Path, *args: str) -> Path:
    result = runner.invoke(app, ["extract", str(src), "--out", str(out), "-q", "-j", "1", *args])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def by_province(two_provinces, tmp_path_factory) -> Path:
    return _extract(two_provinces, tmp_path_factory.mktemp("out"))


def test_helpers_doctests():
    assert doctest.testmod(workbooks).failed == 0


def test_sheet_names_valid_and_unique():
    titles = ["关于印发《河南省碳达峰实施方案》的通知：2030年前碳达峰行动/重点任务分工方案",
              "目标：2025/2030", "目标：2025/2030", "[草案]*?", "History", "'引号'", "x" * 40,
              "x" * 40, "X" * 40]
    taken: set[str] = set()
    for title in titles:
        name = sheet_name(title, taken)
        assert 1 <= len(name) <= 31 and not BAD_SHEET_CHARS.search(name), name
        assert not name.startswith("'") and not name.endswith("'"), name
        assert name.casefold() not in {t.casefold() for t in taken}, name
        taken.add(name)
    assert sheet_name("目标：2025/2030", set()) == "目标：2025／2030"
    assert len(taken) == len(titles)


def test_province_workbooks_add_up_to_targets_csv(by_province):
    targets = _csv(by_province / "targets.csv")
    files = sorted(p.name for p in (by_province / "provinces").iterdir())
    assert files == ["河北省.xlsx", "河南省.xlsx"]
    per_doc = {}
    for f in files:
        sheets = _sheets(by_province / "provinces" / f)
        summary = sheets.pop("summary")
        assert summary[0] == tuple(workbooks.SUMMARY_COLUMNS)
        for name, rows in sheets.items():
            assert rows[0] == tuple(workbooks.SHEET_COLUMNS)
            doc_row = next(r for r in summary[1:] if r[6] == name)
            assert doc_row[5] == len(rows) - 1      # n_targets in the summary = rows in the sheet
            per_doc[doc_row[0]] = len(rows) - 1
    assert sum(per_doc.values()) == len(targets) > 0
    assert per_doc == {d: sum(t["doc_id"] == d for t in targets) for d in (HENAN, HEBEI)}


def test_summary_counts_by_indicator(by_province):
    summary = _sheets(by_province / "provinces" / "河北省.xlsx")["summary"]
    at = [r[:1] for r in summary].index(("indicator",))   # the block after the documents
    assert summary[at][:2] == ("indicator", "targets") and not any(summary[at - 1])
    hebei = [t for t in _csv(by_province / "targets.csv") if t["doc_id"] == HEBEI]
    assert sum(r[1] for r in summary[at + 1:]) == len(hebei)
    assert {r[0] for r in summary[at + 1:]} == {t["indicator"] for t in hebei}


def test_combined_workbook_has_overview_and_each_row_once(by_province):
    sheets = _sheets(by_province / "targets.xlsx")
    # no province sheets: a province's targets are its workbook's, each row written once there
    assert list(sheets) == ["overview", "targets", "documents", "columns"]
    targets = _csv(by_province / "targets.csv")
    n = {p: sum(t["province"] == p for t in targets) for p in ("河北省", "河南省")}
    overview = sheets["overview"]
    assert overview[0] == tuple(workbooks.OVERVIEW_COLUMNS)
    # 全国 and every province, in code order, with English names; those without a document too
    assert [r[0] for r in overview[1:4]] == ["全国", "北京市", "天津市"] and len(overview) == 36
    codes = [r[3] for r in overview[2:]]
    assert codes == sorted(codes)
    rows = {r[0]: r for r in overview[1:]}
    assert rows["河北省"] == ("河北省", "Hebei", "CN-HE", "130000", 1, n["河北省"])
    assert rows["河南省"] == ("河南省", "Henan", "CN-HA", "410000", 1, n["河南省"])
    assert rows["全国"] == ("全国", "China", "CN", "100000", 0, 0)
    assert rows["西藏自治区"][1:] == ("Xizang", "CN-XZ", "540000", 0, 0)
    assert len(sheets["targets"]) - 1 == len(targets)
    in_books = {f.stem: sum(len(rows) - 1 for name, rows in _sheets(f).items() if name != "summary")
                for f in (by_province / "provinces").iterdir()}
    assert in_books == n


def test_by_none_and_by_document(two_provinces, tmp_path):
    out = _extract(two_provinces, tmp_path / "none", "--by", "none")
    assert not (out / "provinces").exists()
    assert list(_sheets(out / "targets.xlsx")) == ["targets", "documents", "columns"]
    out = _extract(two_provinces, tmp_path / "doc", "--by", "document")
    assert not (out / "provinces").exists()
    assert list(_sheets(out / "targets.xlsx")) == ["targets", "documents", "河南省碳达峰实施方案",
                                                   "河北省碳达峰实施方案", "columns"]


def test_province_filter_keeps_only_that_province(two_provinces, tmp_path):
    out = _extract(two_provinces, tmp_path / "out")           # a full run first, then filtered
    _extract(two_provinces, out, "--province", "河北省")
    targets, docs = _csv(out / "targets.csv"), _csv(out / "documents.csv")
    assert [d["doc_id"] for d in docs] == [HEBEI]
    assert targets and {t["province"] for t in targets} == {"河北省"}
    # the earlier run's 河南省.xlsx would mislead beside a filtered run: it is gone
    assert sorted(p.name for p in (out / "provinces").iterdir()) == ["河北省.xlsx"]
    sheets = _sheets(out / "targets.xlsx")
    assert list(sheets) == ["overview", "targets", "documents", "columns"]
    assert [(r[0], r[-2:]) for r in sheets["overview"][1:]] == [("河北省", (1, len(targets)))]


def _doc(doc_id: str, title: str, province: str, n: int) -> Document:
    return Document(doc_id=doc_id, source=f"{doc_id}.txt", doc_title=title, province=province,
                    level="province", n_targets=n)


def _target(doc: Document, indicator: str) -> Target:
    return Target(doc_id=doc.doc_id, source=doc.source, doc_title=doc.doc_title,
                  province=doc.province, indicator=indicator, value=1.0, unit="%",
                  comparator=">=", kind="level", sentence="=1", char_start=0, char_end=1)


def test_joint_plan_goes_to_each_province_and_names_are_valid(tmp_path):
    long_title = "成渝地区双城经济圈碳达峰碳中和联合行动方案：能源/交通/建筑领域重点任务分工"
    joint = _doc("joint", long_title, "四川省;重庆市", 2)
    same = _doc("same", long_title, "四川省", 1)       # same title: a second, distinct sheet
    targets = [_target(joint, "可再生能源"), _target(joint, "可再生能源"), _target(same, "煤炭")]
    write_csv(tmp_path / "t.csv", TARGET_COLUMNS, rows_of(targets, TARGET_COLUMNS))
    write_csv(tmp_path / "d.csv", DOCUMENT_COLUMNS, rows_of([joint, same], DOCUMENT_COLUMNS))
    write_workbooks(tmp_path, tmp_path / "t.csv", tmp_path / "d.csv")
    sichuan = _sheets(tmp_path / "provinces" / "四川省.xlsx")
    chongqing = _sheets(tmp_path / "provinces" / "重庆市.xlsx")
    first = "成渝地区双城经济圈碳达峰碳中和联合行动方案：能源／交通／建筑领"   # 31 characters
    assert list(sichuan) == ["summary", first, first[:27] + " (2)"]
    assert list(chongqing) == ["summary", first]
    assert [len(rows) - 1 for rows in sichuan.values()][1:] == [2, 1]
    assert chongqing[first][1][workbooks.SHEET_COLUMNS.index("sentence")] == "'=1"   # never a formula
    rows = _sheets(tmp_path / "targets.xlsx")["overview"][1:]
    overview = {r[0]: r[-2:] for r in rows}
    assert (overview["四川省"], overview["重庆市"], overview["河南省"]) == ((2, 3), (1, 2), (0, 0))
    # the overview follows the province codes: 重庆市 (500000) before 四川省 (510000)
    names = [r[0] for r in rows]
    assert names.index("重庆市") < names.index("四川省")
    assert list(_sheets(tmp_path / "targets.xlsx")) == ["overview", "targets", "documents", "columns"]


def test_docs_command_lists_and_filters(two_provinces):
    result = runner.invoke(app, ["docs", str(two_provinces)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert HENAN in result.output and HEBEI in result.output and "2 documents" in result.output
    result = runner.invoke(app, ["docs", str(two_provinces), "--province", "河北省"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0 and HEBEI in result.output and HENAN not in result.output
    assert "河北省碳达峰实施方案" in result.output and "1 documents" in result.output


def _office() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(_office() is None, reason="LibreOffice is not installed (libreoffice/soffice "
                                               "not on PATH): cannot check it reads the workbook")
def test_libreoffice_reads_a_province_workbook(by_province, tmp_path):
    book = tmp_path / "hebei.xlsx"          # an ASCII name: no locale surprises in the converter
    shutil.copy(by_province / "provinces" / "河北省.xlsx", book)
    done = subprocess.run([_office(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
                           str(tmp_path), str(book)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader((tmp_path / "hebei.csv").read_text(encoding="utf-8").splitlines()))
    # the converter writes the first sheet: the summary
    assert rows[0] == workbooks.SUMMARY_COLUMNS
    assert rows[1][:4] == [HEBEI, "河北省碳达峰实施方案", "河北省", "province"]


def test_same_file_name_in_two_folders_gives_two_documents(tmp_path):
    """a/plan.txt and b/plan.txt: two doc_ids, two sheets, each with its own targets."""
    for folder, stem in (("a", HENAN), ("b", HENAN)):
        (tmp_path / "in" / folder).mkdir(parents=True)
        shutil.copy(CORPUS / f"{stem}.txt", tmp_path / "in" / folder / "plan.txt")
    out = _extract(tmp_path / "in", tmp_path / "out")
    docs = _csv(out / "documents.csv")
    assert [d["doc_id"] for d in docs] == ["a/plan", "b/plan"]
    sheets = _sheets(out / "provinces" / "河南省.xlsx")
    summary = sheets.pop("summary")
    assert [r[0] for r in summary[1:3]] == ["a/plan", "b/plan"]
    assert [len(rows) - 1 for rows in sheets.values()] == [int(d["n_targets"]) for d in docs]
    at = workbooks.SHEET_COLUMNS.index("doc_id")
    assert all(rows[1][at] == doc for rows, doc in zip(sheets.values(), ["a/plan", "b/plan"]))


def test_workbooks_written_in_the_pool_are_the_same(two_provinces, by_province, tmp_path,
                                                    monkeypatch):
    """--jobs 2 writes the province workbooks in worker processes: the same sheets, cell for cell."""
    pools = []
    real_pool = workbooks.worker_pool
    monkeypatch.setattr(workbooks, "POOL_ROWS", 1)   # two documents are too few to be worth it
    monkeypatch.setattr(workbooks, "worker_pool", lambda *a, **k: pools.append(a) or real_pool(*a, **k))
    out = _extract(two_provinces, tmp_path / "j2", "-j", "2")
    assert pools == [(2,)]
    for name in ["targets.xlsx", "provinces/河北省.xlsx", "provinces/河南省.xlsx"]:
        assert _sheets(out / name) == _sheets(by_province / name), name


def test_a_spool_on_disk_gives_the_workbooks_of_one_in_memory(two_provinces, by_province, tmp_path,
                                                              monkeypatch):
    """A run past IN_MEMORY_ROWS spools each province to CSV files: the same sheets, cell for cell."""
    folders = []
    real_spool = workbooks.spool_provinces
    monkeypatch.setattr(workbooks, "IN_MEMORY_ROWS", 0)
    monkeypatch.setattr(workbooks, "spool_provinces",
                        lambda d, t, tmp, *a: folders.append(tmp) or real_spool(d, t, tmp, *a))
    out = _extract(two_provinces, tmp_path / "disk")
    assert len(folders) == 1 and folders[0].name.startswith(".spool-")
    for name in ["targets.xlsx", "provinces/河北省.xlsx", "provinces/河南省.xlsx"]:
        assert _sheets(out / name) == _sheets(by_province / name), name


def test_a_few_province_workbooks_are_written_without_a_pool(two_provinces, tmp_path, monkeypatch):
    """Below POOL_ROWS rows, forking workers would cost more CPU than the writing they share."""
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool for a few rows")
    monkeypatch.setattr(workbooks, "worker_pool", no_pool)
    out = _extract(two_provinces, tmp_path / "j2", "-j", "2")
    assert sorted(p.name for p in (out / "provinces").iterdir()) == ["河北省.xlsx", "河南省.xlsx"]


def test_past_the_sheet_cap_a_workbook_has_one_targets_sheet(tmp_path, monkeypatch):
    """Too many documents for a sheet each: one `targets` sheet, and the run says so."""
    monkeypatch.setattr(workbooks, "MAX_DOCUMENT_SHEETS", 1)
    for folder in ("a", "b"):
        (tmp_path / "in" / folder).mkdir(parents=True)
        shutil.copy(CORPUS / f"{HENAN}.txt", tmp_path / "in" / folder / "plan.txt")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(tmp_path / "in"), "--out", str(out), "-j", "1"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "note provinces/河南省.xlsx: 2 documents, too many for a sheet each" in result.output
    sheets = _sheets(out / "provinces" / "河南省.xlsx")
    targets = _csv(out / "targets.csv")
    assert list(sheets) == ["summary", "targets"] and len(sheets["targets"]) - 1 == len(targets)
    assert [r[6] for r in sheets["summary"][1:3]] == ["targets", "targets"]
    result = runner.invoke(app, ["extract", str(tmp_path / "in"), "--out", str(out), "-j", "1",
                                 "--by", "document"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "note --by document: more than 1 documents" in result.output
    assert list(_sheets(out / "targets.xlsx")) == ["targets", "documents", "columns"]


def test_province_filter_understands_people(two_provinces, tmp_path):
    chinese = _extract(two_provinces, tmp_path / "zh", "--province", "河南省")
    for spelling in ("Henan", "henan", "河南", "CN-HA", "410000"):
        out = _extract(two_provinces, tmp_path / spelling, "--province", spelling)
        for name in ("targets.csv", "documents.csv"):
            assert (out / name).read_bytes() == (chinese / name).read_bytes(), spelling
    both = _extract(two_provinces, tmp_path / "both", "--province", "Henan, 河北")
    assert [d["doc_id"] for d in _csv(both / "documents.csv")] == [HENAN, HEBEI]


@pytest.mark.parametrize("command", ["extract", "docs"])
def test_an_unknown_province_is_a_usage_error_with_a_suggestion(two_provinces, tmp_path, command):
    out = tmp_path / "out"
    args = [command, str(two_provinces), "--province", "河南x"]
    result = runner.invoke(app, args + (["--out", str(out), "-q"] if command == "extract" else []))
    assert result.exit_code == 2
    assert "did you mean 河南省 (Henan)?" in result.output and "Traceback" not in result.output
    assert not out.exists()   # refused before any file was read or written
