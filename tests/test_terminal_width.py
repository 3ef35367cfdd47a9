"""Tables in an 80-column terminal: columns are left out or fold, none shrinks to nothing
(`targets docs`, `targets compare`, `targets diff`, as the README runs them)."""
from __future__ import annotations

import re

from rich.cells import cell_len
from typer.testing import CliRunner

from targets.cli import app

from .conftest import CORPUS
from .test_compare import make_extract

runner = CliRunner()
NARROW = {"COLUMNS": "80"}


def table_columns(text: str) -> dict[str, list[str]]:
    """The first box table of `text`: header → the cells of each body line under it."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("┃"))
    header = [h.strip() for h in lines[top].strip("┃").split("┃")]
    body = []
    for line in lines[top + 2:]:
        if not line.startswith("│"):
            break
        body.append([c.strip() for c in line.strip("│").split("│")])
    assert all(len(row) == len(header) for row in body), text
    return {h: [row[i] for row in body] for i, h in enumerate(header)}


def assert_no_empty_column(text: str) -> dict[str, list[str]]:
    assert max(cell_len(line) for line in text.splitlines()) <= 80, text
    columns = table_columns(text)
    empty = [h for h, cells in columns.items() if not h or not any(cells)]
    assert not empty, text
    return columns


def test_docs_at_80_columns_shows_every_title():
    result = runner.invoke(app, ["docs", str(CORPUS)], env=NARROW)
    assert result.exit_code == 0, result.output
    columns = assert_no_empty_column(result.output)
    assert {"doc_id", "title", "province", "level", "published"} <= set(columns)
    starts = [i for i, cell in enumerate(columns["doc_id"]) if re.match(r"\d{3}_", cell)]  # a row, not a fold
    assert len(starts) == 118 and all(columns["title"][i] for i in starts)
    assert "left out at 80 columns: region, code, draft" in result.output


def test_docs_in_a_wide_terminal_show_the_region_code():
    result = runner.invoke(app, ["docs", str(CORPUS)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    columns = table_columns(result.output)
    assert "left out" not in result.output and "code" in columns
    at = columns["doc_id"].index("000_aa5cdd18997ec508")  # 河南省碳达峰实施方案
    assert columns["code"][at] == "410000"


def test_compare_at_80_columns(tmp_path):
    out = make_extract(tmp_path / "out")
    result = runner.invoke(app, ["compare", str(out)], env=NARROW)
    assert result.exit_code == 0, result.output
    columns = assert_no_empty_column(result.output)
    assert list(columns) == ["province", "2025", "2030", "basis", "documents"]


def test_diff_at_80_columns_as_in_the_readme():
    result = runner.invoke(app, ["diff", str(CORPUS / "002_493f755c1bb0d623.txt"), "003_a895838ed2e4cd84#025",
                                 "--corpus", str(CORPUS)], env=NARROW)
    assert result.exit_code == 1, result.output
    columns = assert_no_empty_column(result.output)
    assert list(columns)[:5] == ["status", "indicator", "year", "old", "new"]  # `changed`, when a row fills it
    widths = {cell_len(line.split("│")[2]) for line in result.output.splitlines() if line.startswith("│")}
    assert min(widths) >= 16  # the indicator keeps 14 cells (and padding) at least: the amounts fold first


def test_diff_against_national_says_national_and_provincial():
    result = runner.invoke(app, ["diff", "--corpus", str(CORPUS), "--against-national"], env=NARROW)
    assert result.exit_code == 1, result.output
    columns = assert_no_empty_column(result.output)
    assert list(columns)[3:5] == ["national", "provincial"]
    assert set(filter(None, columns["status"])) <= {"differs", "same"}
    assert "of the targets both state" in result.output
    assert " added" not in result.output and " removed" not in result.output
