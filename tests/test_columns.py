"""The column dictionary is the one source of column docs: every column an output writes is in
it, the README's tables are generated from it, and the workbooks read in its order."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from targets.cli import app
from targets.models import DOCUMENT_COLUMNS, TARGET_COLUMNS, Document, Target
from targets.outputs import workbooks
from targets.outputs.columns import dictionary, with_tables

from .conftest import CORPUS, ROOT

runner = CliRunner()
HENAN, HEBEI = "000_aa5cdd18997ec508", "002_493f755c1bb0d623"
# The order the issue asks of every sheet of targets (as far as a run writes these columns).
READING = ["province", "region", "doc_title", "indicator", "indicator_en", "value", "unit",
           "comparator", "target_year", "kind", "direction", "base_year", "strive", "section",
           "sentence", "page"]


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A real run on two plans, then `compare` and a `diff --format csv` into the same folder."""
    src = tmp_path_factory.mktemp("in")
    for stem in (HENAN, HEBEI):
        shutil.copy(CORPUS / f"{stem}.txt", src)
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["extract", str(src), "--out", str(out), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["compare", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["diff", str(src / f"{HENAN}.txt"), str(src / f"{HEBEI}.txt"),
                                 "--format", "csv", "--out", str(out / "diff.csv")])
    assert result.exit_code in (0, 1), result.output
    return out


def _sheet_headers(out: Path) -> list[tuple[str, str, list[str]]]:
    """(workbook, sheet, header) of every sheet of every workbook of a run."""
    found = []
    for path in [out / "targets.xlsx", *sorted((out / "provinces").glob("*.xlsx"))]:
        for ws in load_workbook(path, read_only=True).worksheets:
            header = next(ws.iter_rows(max_row=1, values_only=True))
            found.append((path.name, ws.title, [c for c in header if c is not None]))
    return found


def _described_by(sheet: str, header: list[str]) -> str:
    """Which dictionary file a sheet is: a fixed sheet by its name, else a sheet of targets."""
    fixed = {"overview": "overview", "summary": "summary", "columns": "columns", "documents": "documents"}
    return fixed.get(sheet, "targets")


def test_every_column_of_every_output_is_in_the_dictionary(run):
    """Strict in one direction: an output column the dictionary lacks fails; an entry for a
    column no output writes yet (another issue's) does not."""
    files = dictionary()
    csvs = {"targets": "targets.csv", "documents": "documents.csv", "errors": "errors.csv",
            "compare": "compare.csv", "diff": "diff.csv"}
    for name, path in csvs.items():
        header = _header(run / path)
        missing = [c for c in header if files[name].get(c) is None]
        assert header and not missing, f"{path}: columns not in columns.toml: {missing}"
    sheets = _sheet_headers(run)
    assert {s for _, s, _ in sheets} >= {"overview", "targets", "documents", "columns", "summary"}
    for book, sheet, header in sheets:
        spec = files[_described_by(sheet, header)]
        missing = [c for c in header if spec.get(c) is None]
        assert not missing, f"{book}#{sheet}: columns not in columns.toml: {missing}"


def test_the_records_and_their_columns_are_all_described():
    files = dictionary()
    for columns, name in ((TARGET_COLUMNS, "targets"), (list(Target.model_fields), "targets"),
                          (DOCUMENT_COLUMNS, "documents"), (list(Document.model_fields), "documents")):
        assert [c for c in columns if files[name].get(c) is None] == [], name


def test_the_dictionary_is_consistent():
    files = dictionary()
    for spec in files.values():
        names = [c.name for c in spec.column]
        assert len(names) == len(set(names)), spec.name
        assert spec.description and all(c.meaning for c in spec.column), spec.name
        named = [*spec.primary_key, *spec.reading_order, *spec.indexes, *spec.search,
                 *(k.column for k in spec.foreign_keys)]
        assert set(named) <= set(names), (spec.name, set(named) - set(names))
        for key in spec.foreign_keys:
            assert files[key.file].get(key.reference) is not None
            assert key.reference in files[key.file].primary_key
    assert files["targets"].reading_order == READING


def test_the_readme_tables_are_generated_from_the_dictionary():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_tables(readme) == readme, "README column tables are stale: run `make docs`"
    for spec in dictionary().values():
        assert f"**`{spec.path}`**" in readme
        assert all(f"| `{c.name}` |" in readme for c in spec.column)


def test_the_columns_sheet_is_the_dictionary(run):
    rows = list(load_workbook(run / "targets.xlsx", read_only=True)["columns"].iter_rows(values_only=True))
    assert rows[0] == ("file", "column", "type", "meaning", "example")
    described = {(f, c) for f, c, *_ in rows[1:]}
    assert len(rows) - 1 == sum(len(s.column) for s in dictionary().values()) == len(described)
    assert ("targets.csv", "target_year") in described and ("documents.csv", "doc_id") in described


def test_every_sheet_of_targets_reads_in_order(run):
    """province, region, doc_title, indicator …, page first (those a run writes), the ids after."""
    target_sheets = [(b, s, h) for b, s, h in _sheet_headers(run) if _described_by(s, h) == "targets"]
    assert len(target_sheets) == 3   # targets.xlsx: targets; a plan per province workbook
    expected = [c for c in READING if c in TARGET_COLUMNS]
    for book, sheet, header in target_sheets:
        assert header[:len(expected)] == expected, (book, sheet)
        assert sorted(header) == sorted(TARGET_COLUMNS), (book, sheet)


def test_sheets_wrap_the_sentence_link_the_province_workbooks_and_print_landscape(run):
    book = load_workbook(run / "targets.xlsx")
    sheet = book["targets"]
    at = {cell.value: cell.column for cell in sheet[1]}
    assert sheet.cell(2, at["sentence"]).alignment.wrap_text
    assert not sheet.cell(2, at["province"]).alignment.wrap_text
    # every cell at the top of its row (most by the workbook's default format), the header bold
    assert all(c.alignment.vertical == "top"
               for r in sheet.iter_rows(max_row=50) for c in r if c.value is not None)
    assert all(c.font.b for c in sheet[1]) and not any(c.font.b for c in sheet[2])
    overview = book["overview"]
    links = {row[0].value: row[0].hyperlink and row[0].hyperlink.target
             for row in overview.iter_rows(min_row=2)}
    # a province with a workbook links to it, relative to targets.xlsx (XlsxWriter writes the
    # path with Windows separators, as Excel does; LibreOffice reads it as provinces/河北省.xlsx)
    for name in ("河北省", "河南省"):
        assert links[name].replace("\\", "/") == f"provinces/{name}.xlsx"
        assert (run / links[name].replace("\\", "/")).is_file()
    # those without a document have no workbook to open
    assert links["全国"] is None and links["西藏自治区"] is None
    hebei = next(row[0] for row in overview.iter_rows(min_row=2) if row[0].value == "河北省")
    assert hebei.font.u == "single" and hebei.style == "Hyperlink"   # a link looks like one
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_title_rows in ("1:1", "$1:$1"), ws.title  # the header on every page
    summary = load_workbook(run / "provinces" / "河南省.xlsx")["summary"]
    cell = summary.cell(2, workbooks.SUMMARY_COLUMNS.index("sheet") + 1)
    assert cell.hyperlink.location == f"'{cell.value}'!A1" and cell.value in summary.parent.sheetnames
