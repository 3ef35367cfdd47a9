"""`--rules DIR` reaches every stage: page footers, headings and roles follow DIR's files."""
from __future__ import annotations

import csv
import shutil

from typer.testing import CliRunner

from targets.cli import app
from targets.core.rulebook import DEFAULT_RULES_DIR

PLAN = ("某省碳达峰实施方案。\n\n"
        "甲、主要目标：到2025年，全省风电装机达到2700万千瓦以上。〔页3〕\n"
        "到2030年，全省光伏装机达到5000万千瓦以上。\n")


def _extract(tmp_path, rules_dir):
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "in" / "plan.txt").write_text(PLAN, encoding="utf-8")
    out = tmp_path / f"out-{rules_dir.name if rules_dir else 'default'}"
    args = ["extract", str(tmp_path / "in"), "--out", str(out), "-q", "--by", "none"]
    result = CliRunner().invoke(app, args + (["--rules", str(rules_dir)] if rules_dir else []))
    assert result.exit_code == 0, result.output
    with (out / "targets.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_page_markers_and_headings_follow_the_rule_folder(tmp_path):
    default = _extract(tmp_path, None)
    assert [(r["value"], r["page"], r["section"]) for r in default] == [("2700", "", ""), ("5000", "", "")]

    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    documents = folder / "documents.toml"
    documents.write_text(documents.read_text(encoding="utf-8").replace(
        "page = '第(?P<n>\\d{1,4})页'", "page = '〔页(?P<n>\\d{1,4})〕'"), encoding="utf-8")
    normalize = folder / "normalize.toml"
    normalize.write_text(normalize.read_text(encoding="utf-8").replace(
        '"第\\\\d{1,4}页"', '"〔页\\\\d{1,4}〕"'), encoding="utf-8")
    outline = folder / "outline.toml"
    outline.write_text(outline.read_text(encoding="utf-8").replace(
        'marker = "[一二三四五六七八九十]{1,3}[、,，]"', 'marker = "[甲乙丙丁][、,，]"'), encoding="utf-8")
    changed = _extract(tmp_path, folder)
    # The footer 〔页3〕 closes page 3: the text after it is on page 4; the heading 甲、 opens a section.
    assert [(r["value"], r["page"], r["section"]) for r in changed] == [
        ("2700", "3", "甲、主要目标"), ("5000", "4", "甲、主要目标")]
