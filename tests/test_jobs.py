"""--jobs changes the speed, never the output: the same bytes for any number of workers."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from targets.cli import app

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
