"""The data set a run publishes: manifest.json, datapackage.json (validated with frictionless),
targets.sqlite; derived files of an earlier compare removed; doc_ids kept unique."""
from __future__ import annotations

import csv
import json
import sqlite3
import sys
from hashlib import sha256
from pathlib import Path

import pytest
from typer.testing import CliRunner

from targets import __version__
from targets.cli import app
from targets.core.rulefiles import rules_digest
from targets.models import DOCUMENT_COLUMNS, TARGET_COLUMNS
from targets.outputs import workbooks
from targets.outputs.outfolder import LOCK
from targets.outputs.database import fts_query

from .conftest import CORPUS

runner = CliRunner()
PLAN = "到2025年，风电装机容量达到2700万千瓦以上，非化石能源消费比重达到20%。\n"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _extract(*args) -> "Result":
    return runner.invoke(app, ["extract", *map(str, args), "-q", "-j", "1"], env={"COLUMNS": "200"})


def test_the_manifest_says_what_made_the_outputs(corpus_out):
    manifest = json.loads((corpus_out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == __version__ and manifest["rules"]["sha256"] == rules_digest()
    assert manifest["command"][0] == "targets" and manifest["options"]["by"] == "province"
    assert manifest["started"] <= manifest["ended"]
    corpus = sorted(CORPUS.glob("*.txt"))
    assert [i["source"] for i in manifest["inputs"]] == [p.name for p in corpus]
    for entry, path in zip(manifest["inputs"], corpus):
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == sha256(path.read_bytes()).hexdigest()
    targets, documents = _rows(corpus_out / "targets.csv"), _rows(corpus_out / "documents.csv")
    assert manifest["counts"] | {"characters": 0} == {
        "files": len(corpus), "documents": len(documents), "targets": len(targets), "errors": 0,
        "skipped": 0, "characters": 0}
    assert manifest["errors"] == []
    written = {o["path"]: o for o in manifest["outputs"]}
    assert {"targets.csv", "documents.csv", "errors.csv", "targets.xlsx", "targets.sqlite",
            "datapackage.json"} <= set(written) and "provinces/河南省.xlsx" in written
    assert written["targets.csv"]["sha256"] == sha256((corpus_out / "targets.csv").read_bytes()).hexdigest()


def test_the_data_package_is_valid_for_frictionless(corpus_out):
    frictionless = pytest.importorskip("frictionless")
    package = json.loads((corpus_out / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["targets", "documents", "errors"]
    targets = package["resources"][0]["schema"]
    assert [f["name"] for f in targets["fields"]] == TARGET_COLUMNS
    assert targets["foreignKeys"] == [{"fields": "doc_id", "reference": {"resource": "documents",
                                                                         "fields": "doc_id"}}]
    assert package["resources"][1]["schema"]["primaryKey"] == ["doc_id"]
    assert {f["name"]: f["type"] for f in targets["fields"]}["target_year"] == "integer"
    report = frictionless.validate(corpus_out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])[:10]
    assert report.stats["tasks"] == 3


def test_the_validation_can_fail(corpus_out, tmp_path):
    """The same check catches a row that names no document, and a changed file."""
    frictionless = pytest.importorskip("frictionless")
    for name in ("targets.csv", "documents.csv", "errors.csv", "datapackage.json"):
        (tmp_path / name).write_bytes((corpus_out / name).read_bytes())
    text = (tmp_path / "targets.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    text[1] = "nowhere" + text[1][text[1].index(","):]
    (tmp_path / "targets.csv").write_text("".join(text), encoding="utf-8-sig")
    report = frictionless.validate(tmp_path / "datapackage.json")
    kinds = {e[0] for e in report.flatten(["type"])}
    assert not report.valid and {"foreign-key", "hash-count"} <= kinds


def test_the_database_holds_the_csv_rows_with_keys_indexes_and_search(corpus_out):
    con = sqlite3.connect(corpus_out / "targets.sqlite")
    targets = _rows(corpus_out / "targets.csv")
    assert con.execute("select count(*) from targets").fetchone()[0] == len(targets)
    assert con.execute("select count(*) from documents").fetchone()[0] == len(_rows(corpus_out / "documents.csv"))
    columns = [r[1] for r in con.execute("pragma table_info(targets)")]
    assert columns == workbooks.SHEET_COLUMNS   # the reading order of the sheets
    assert [r[1] for r in con.execute("pragma table_info(documents)")] == DOCUMENT_COLUMNS
    [fk] = con.execute("pragma foreign_key_list(targets)").fetchall()
    assert fk[2:5] == ("documents", "doc_id", "doc_id")
    assert con.execute("pragma foreign_key_check").fetchall() == []
    indexed = {r[1] for r in con.execute("pragma index_list(targets)")}
    assert {"targets_province", "targets_indicator_id", "targets_target_year", "targets_doc_id"} <= indexed
    # typed values: a number is a number, an empty year is NULL
    first = dict(zip(columns, con.execute("select * from targets order by rowid limit 1").fetchone()))
    assert first["value"] == float(targets[0]["value"]) and first["sentence"] == targets[0]["sentence"]
    assert isinstance(first["char_start"], int)
    # full-text search over sentence and indicator finds what a substring search finds
    hits = [r[0] for r in con.execute(
        "select rowid from targets_fts where targets_fts match ? order by rowid", [fts_query("风电")])]
    like = [r[0] for r in con.execute("select rowid from targets where sentence like '%风电%' "
                                      "or indicator like '%风电%' order by rowid")]
    assert hits == like and len(hits) > 20
    # what is typed is text, never FTS syntax: an open quote or an operator is no error
    count = "select count(*) from targets_fts where targets_fts match ?"
    assert con.execute(count, [fts_query('"非化石能源')]).fetchone()[0] > 0
    assert con.execute(count, [fts_query("AND (")]).fetchone()[0] == 0


def test_a_run_removes_what_an_earlier_compare_derived_and_says_so(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text("河南省碳达峰实施方案\n" + PLAN, encoding="utf-8")
    out = tmp_path / "out"
    assert _extract(tmp_path / "in", "--out", out).exit_code == 0
    assert runner.invoke(app, ["compare", str(out)]).exit_code == 0
    assert (out / "compare.csv").is_file() and (out / "compare.xlsx").is_file()
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["targets", "documents", "errors", "compare"]
    result = _extract(tmp_path / "in", "--out", out)
    assert result.exit_code == 0
    assert "note removed compare.csv, compare.xlsx: an earlier `targets compare` made them" in result.output
    assert not (out / "compare.csv").exists() and not (out / "compare.xlsx").exists()
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["targets", "documents", "errors"]


def test_a_compare_csv_the_tool_did_not_write_is_left_alone(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "compare.csv").write_text("mine", encoding="utf-8")
    for _ in range(2):
        result = _extract(tmp_path / "in", "--out", out)
        assert result.exit_code == 0 and "removed" not in result.output
    assert (out / "compare.csv").read_text(encoding="utf-8") == "mine"


def test_two_files_of_one_stem_keep_distinct_doc_ids(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "in" / "plan.html").write_text(f"<html><body><p>{PLAN}</p></body></html>", encoding="utf-8")
    out = tmp_path / "out"
    result = _extract(tmp_path / "in", "--out", out)
    assert result.exit_code == 0, result.output
    assert [d["doc_id"] for d in _rows(out / "documents.csv")] == ["plan", "plan~2"]
    assert {(t["source"], t["doc_id"]) for t in _rows(out / "targets.csv")} == {
        ("plan.html", "plan"), ("plan.txt", "plan~2")}
    assert "note plan.txt: doc_id 'plan' is another file's too; this file's document is 'plan~2'" in result.output
    con = sqlite3.connect(out / "targets.sqlite")
    assert con.execute("select count(*) from documents").fetchone()[0] == 2


def test_a_file_of_a_type_the_readme_does_not_list_is_skipped_with_a_note(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "in" / "notes.md").write_text(PLAN, encoding="utf-8")
    result = _extract(tmp_path / "in", "--out", tmp_path / "out")
    assert result.exit_code == 0
    assert f"skipped {tmp_path / 'in' / 'notes.md'}: not a supported file type" in result.output
    assert {t["source"] for t in _rows(tmp_path / "out" / "targets.csv")} == {"plan.txt"}


def test_a_database_that_cannot_be_written_fails_the_run_in_one_line(tmp_path, monkeypatch):
    """SQLite's own error (a full disk) is a write error: exit 2, one line, the old outputs kept."""
    from targets.outputs import database

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out"
    assert _extract(tmp_path / "in", "--out", out).exit_code == 0
    before = (out / "targets.sqlite").read_bytes()

    def full(self, table, columns, rows):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(database.Database, "_insert", full)
    result = _extract(tmp_path / "in", "--out", out)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        f"error: {out}: cannot write the outputs (targets.sqlite: database or disk is full)"]
    assert (out / "targets.sqlite").read_bytes() == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [LOCK]  # no staging left


def test_the_manifest_is_the_one_record_of_what_extract_and_compare_wrote(tmp_path):
    """One record, not two: compare lists its files in the manifest (size, sha256) beside
    extract's, publishes it with them, and a compare.csv changed since is kept, with a note."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text("河南省碳达峰实施方案\n" + PLAN, encoding="utf-8")
    out = tmp_path / "out"
    assert _extract(tmp_path / "in", "--out", out).exit_code == 0
    assert runner.invoke(app, ["compare", str(out)]).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [d["path"] for d in manifest["derived"]] == ["compare.csv", "compare.xlsx"]
    for entry in manifest["derived"] + manifest["outputs"]:   # every entry says what is there
        path = out / entry["path"]
        assert (entry["bytes"], entry["sha256"]) == (path.stat().st_size,
                                                     sha256(path.read_bytes()).hexdigest())
    assert not [p.name for p in out.iterdir() if p.name.startswith(".targets-")]  # no hidden record
    with (out / "compare.csv").open("a", encoding="utf-8") as fh:
        fh.write("my row\n")   # the user's now
    result = _extract(tmp_path / "in", "--out", out)
    assert result.exit_code == 0
    assert "note compare.csv: kept, though this run did not write it: it changed since targets wrote it" in result.output
    assert "note removed compare.xlsx: an earlier `targets compare` made them" in result.output
    assert (out / "compare.csv").read_text(encoding="utf-8-sig").endswith("my row\n")
    assert not (out / "compare.xlsx").exists()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["derived"] == []
