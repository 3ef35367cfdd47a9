"""--jobs changes the speed, never the output: the same bytes for any number of workers, and
when a large file's documents are shared out among them."""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from targets.cli import app
from targets.core import pipeline, schedule
from targets.core.documents import markers_around, page_at, page_markers

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SMALL = sorted(p for p in CORPUS.glob("*.txt") if p.stat().st_size < 200_000)
OUTPUTS = ("targets.csv", "documents.csv", "errors.csv")


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """The small corpus files twice under new names, a sub-folder, an empty and an odd file."""
    folder = tmp_path_factory.mktemp("jobs_corpus")
    (folder / "sub").mkdir()
    for k in range(2):
        for src in SMALL:
            shutil.copyfile(src, folder / ("sub" if k else ".") / f"c{k}_{src.name}")
    (folder / "plan.txt").write_text("到2025年，风电装机容量达到2700万千瓦以上。\n"
                                     "到2030年，非化石能源消费比重达到25%左右。", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")  # an error row
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")  # skipped: not supported
    return folder


def extract(folder: Path, out: Path, jobs: int) -> dict[str, bytes]:
    result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out), "-q", "--jobs", str(jobs)])
    assert result.exit_code == 1, result.output  # 1: the empty file could not be read
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_same_bytes_for_any_jobs(small_corpus, tmp_path):
    one = extract(small_corpus, tmp_path / "j1", jobs=1)
    two = extract(small_corpus, tmp_path / "j2", jobs=2)
    assert one["targets.csv"].count(b"\n") > 2 * len(SMALL)  # the corpus does give targets
    for name in OUTPUTS:
        assert one[name] == two[name], f"{name} differs between --jobs 1 and --jobs 2"


def test_more_jobs_than_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(SMALL[0], folder / SMALL[0].name)
    (folder / "x.txt").write_text("到2025年，风电装机容量达到2700万千瓦以上。", encoding="utf-8")
    runner = CliRunner()
    outs = []
    for jobs in (1, 8):
        out = tmp_path / f"o{jobs}"
        result = runner.invoke(app, ["extract", str(folder), "--out", str(out), "-q", "-j", str(jobs)])
        assert result.exit_code == 0, result.output
        outs.append((out / "targets.csv").read_bytes())
    assert outs[0] == outs[1]


# --- a large file's documents shared out among the workers ------------------------------------

SEED = CORPUS / "003_a895838ed2e4cd84.txt"
FOOTER = re.compile(r"第(\d{1,4})页")


def compilation(copies: int, chars: int = 250_000) -> str:
    """The start of corpus/003 (up to a page footer) `copies` times, its page numbers going on
    from copy to copy as in one long compilation."""
    head = SEED.read_text(encoding="utf-8")[:chars]
    head = head[:[m.end() for m in FOOTER.finditer(head)][-1]]
    last = max(int(n) for n in FOOTER.findall(head))
    return "".join(FOOTER.sub(lambda m: f"第{int(m.group(1)) + k * last}页", head) for k in range(copies))


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big_file")
    (folder / "compilation.txt").write_text(compilation(2), encoding="utf-8")
    (folder / "plan.txt").write_text("到2025年，风电装机容量达到2700万千瓦以上。", encoding="utf-8")
    return folder


def shared_out(monkeypatch) -> list[int]:
    """Every text file's documents shared out, a few to a batch; the sizes of the batches."""
    sizes: list[int] = []
    batches = schedule._batches

    def counted(docs):
        for batch in batches(docs):
            sizes.append(len(batch))
            yield batch

    monkeypatch.setattr(schedule, "SPLIT_BYTES", 0)
    monkeypatch.setattr(schedule, "BATCH_CHARS", 20_000)
    monkeypatch.setattr(schedule, "_batches", counted)
    return sizes


def run(folder: Path, out: Path, jobs: int, code: int = 0) -> dict[str, bytes]:
    result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out), "-q", "--jobs", str(jobs)])
    assert result.exit_code == code, result.output
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_a_compilations_documents_in_the_pool_give_the_same_bytes(big_file, tmp_path, monkeypatch):
    whole = run(big_file, tmp_path / "whole", jobs=1)
    sizes = shared_out(monkeypatch)
    one, two = run(big_file, tmp_path / "j1", jobs=1), run(big_file, tmp_path / "j2", jobs=2)
    assert len(sizes) > 4 and max(sizes) < sum(sizes)  # the documents did go out in batches
    docs = list(csv.DictReader(whole["documents.csv"].decode("utf-8-sig").splitlines()))
    pages = [int(d["page_end"]) for d in docs if d["source"] == "compilation.txt"]
    assert len(pages) > 20 and pages == sorted(pages) and pages[-1] > 2 * pages[len(pages) // 3]
    for name in OUTPUTS:
        assert one[name] == whole[name] == two[name], f"{name} differs when shared out"


def test_a_failing_document_costs_its_file_nothing_else(big_file, tmp_path, monkeypatch):
    real = pipeline.targets_of

    def failing(text, doc, resolver, markers):
        if doc.doc_id.endswith("#003"):
            raise RuntimeError("boom")
        return real(text, doc, resolver, markers)

    monkeypatch.setattr(pipeline, "targets_of", failing)
    sizes = shared_out(monkeypatch)
    outs = [run(big_file, tmp_path / f"j{jobs}", jobs, code=1) for jobs in (1, 2)]
    assert outs[0] == outs[1] and sizes
    errors = outs[0]["errors.csv"].decode("utf-8-sig").splitlines()
    assert errors[1:] == ["compilation.txt,compilation.txt: unexpected RuntimeError in its "
                          "document compilation#003: boom"]
    ids = [line.split(",")[0] for line in outs[0]["documents.csv"].decode("utf-8-sig").splitlines()]
    assert "compilation#002" in ids and "compilation#004" in ids and "compilation#003" not in ids


def test_a_file_comes_a_document_at_a_time(big_file, monkeypatch):
    seen: list[str] = []
    real = pipeline.targets_of
    monkeypatch.setattr(pipeline, "targets_of",
                        lambda text, doc, *rest: seen.append(doc.doc_id) or real(text, doc, *rest))
    pieces = pipeline.file_pieces(big_file / "compilation.txt", big_file)
    head = next(pieces)
    assert head.chars > 400_000 and not head.documents and seen == []
    first = next(pieces)
    assert [d.doc_id for d in first.documents] == seen == ["compilation#001"]
    rest = list(pieces)
    assert len(seen) == 1 + len(rest) > 20


def test_a_documents_share_of_the_markers_gives_its_pages():
    text = compilation(2)
    markers = page_markers(text)
    for start, end in [(0, 10), (5_000, 90_000), (len(text) // 2, len(text)), (123_456, 123_457)]:
        around = markers_around(markers, start, end)
        assert len(around) < len(markers)
        assert all(page_at(around, pos) == page_at(markers, pos) for pos in range(start, end, 97))
