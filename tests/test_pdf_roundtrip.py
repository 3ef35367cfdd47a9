"""PDF round trip (issue 16): each text of the shared gold sets, rendered to a hard-wrapped PDF
with no printed footers, gives the .txt's targets field for field, with `page` from the PDF, and
the reference scorer gives both runs the same F1 within 0.01."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from targets.core.load import load_file
from targets.outputs.runner import run_extract

from .conftest import GOLD
from .pdfs import text_pdf

SETS = [GOLD, GOLD.parent / "gold-plans"]
FIELDS = ["indicator", "value", "value_max", "unit", "comparator", "kind", "direction", "base_year",
          "target_year", "strive", "year_source"]


@pytest.fixture(scope="module", params=SETS, ids=lambda p: p.name)
def runs(request, tmp_path_factory):
    gold = request.param
    if not (gold / "texts").is_dir():
        pytest.skip(f"shared gold set {gold} not present")
    base = tmp_path_factory.mktemp(gold.name)
    (base / "pdfs").mkdir()
    for text in sorted((gold / "texts").glob("*.txt")):
        (base / "pdfs" / f"{text.stem}.pdf").write_bytes(text_pdf(text.read_text(encoding="utf-8")))
    run_extract([gold / "texts"], base / "txt")
    run_extract([base / "pdfs"], base / "pdf")
    return gold, base


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _pdf_gold(gold: Path, base: Path) -> Path:
    """The gold set restated for the PDFs: each quote as it stands in the PDF's text (line breaks
    and spaces where the PDF has them), each file named .pdf."""
    out = base / "gold-pdf"
    (out / "texts").mkdir(parents=True)
    texts = {}
    for pdf in (base / "pdfs").glob("*.pdf"):
        texts[f"{pdf.stem}.txt"] = load_file(pdf).text
        (out / "texts" / pdf.name).write_text(texts[f"{pdf.stem}.txt"], encoding="utf-8")
    rows = _rows_plain(gold / "gold.csv")
    for row in rows:
        quote = r"\s*".join(regex.escape(c) for c in "".join(row["quote"].split()))
        found = regex.search(quote, texts[row["file"]]) if quote else None
        assert found or not quote, row
        row["quote"], row["file"] = found.group() if found else "", row["file"][:-4] + ".pdf"
    with (out / "gold.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def _rows_plain(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _f1(gold: Path, predicted: Path) -> float:
    ref = subprocess.run([sys.executable, str(GOLD / "score.py"), str(gold), str(predicted), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(ref.stdout)["strict"]["f1"]


def test_pdf_gives_the_same_targets_field_for_field(runs):
    _, base = runs
    def key(row):
        return (Path(row["source"]).stem, *(row[f] for f in FIELDS))
    txt = sorted(key(r) for r in _rows(base / "txt" / "targets.csv"))
    pdf = sorted(key(r) for r in _rows(base / "pdf" / "targets.csv"))
    assert pdf == txt


def test_pdf_gives_the_same_sections(runs, request):
    gold, base = runs
    if gold.name == "gold":
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=(
            "gold 001's .txt indents its headings with U+2003 EM SPACE, which the outline does not "
            "take for indentation: its 15. heading is missed there, not in the PDF")))

    def key(row):
        return Path(row["source"]).stem, row["value"], row["unit"], row["target_year"], row["section"]

    assert sorted(map(key, _rows(base / "pdf" / "targets.csv"))) == sorted(map(key, _rows(base / "txt" / "targets.csv")))


def test_every_pdf_record_has_its_page(runs):
    _, base = runs
    pdf = _rows(base / "pdf" / "targets.csv")
    assert pdf and all(row["page"].isdigit() for row in pdf)
    assert len({row["page"] for row in pdf}) > 1


def test_spans_point_into_the_pdf_text(runs):
    # Each span, in the text the PDF reader returned, says what the .txt's span says, give or
    # take the line breaks and spaces of the layout.
    gold, base = runs

    def spans(folder: Path, out: str, suffix: str) -> list[tuple[str, str]]:
        texts = {p.stem: load_file(p).text for p in folder.glob(f"*{suffix}")}
        return sorted((Path(r["source"]).stem, regex.sub(r"\s", "", texts[Path(r["source"]).stem][
            int(r["char_start"]):int(r["char_end"])])) for r in _rows(base / out / "targets.csv"))

    assert spans(base / "pdfs", "pdf", ".pdf") == spans(gold / "texts", "txt", ".txt")


def test_reference_scorer_gives_the_same_f1(runs):
    gold, base = runs
    txt = _f1(gold, base / "txt" / "targets.csv")
    pdf = _f1(_pdf_gold(gold, base), base / "pdf" / "targets.csv")
    assert abs(pdf - txt) <= 0.01, (txt, pdf)
