"""`targets compare` on hostile input (issue 13, defect 10): every malformed extract file is one
error line naming the file, row and column; an OUT that cannot be written, or a run cut
short, leaves the older compare.csv and compare.xlsx as they were, together."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from targets.analysis import compare_report
from targets.analysis.compare_report import write_compare
from targets.cli import app
from targets.models import TARGET_COLUMNS, TargetsError
from targets.outputs.outfolder import LOCK

from .test_compare import make_extract

runner = CliRunner()


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()


def _write(path: Path, lines: list[str], encoding: str = "utf-8-sig") -> None:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)


def _drop_column(path: Path, name: str) -> None:
    rows = [line.split(",") for line in _lines(path)]
    i = rows[0].index(name)
    _write(path, [",".join(r[:i] + r[i + 1:]) for r in rows])


def _set_cell(path: Path, row: int, name: str, value: str) -> None:
    """Row as a spreadsheet numbers it (the header is row 1). The fixture has no quoted cells."""
    lines = _lines(path)
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(name)] = value
    lines[row - 1] = ",".join(cells)
    _write(path, lines)


def _truncate_mid_character(path: Path) -> None:
    data = path.read_bytes()
    cut = data.rindex("省".encode()) + 1  # inside the three bytes of the last 省
    path.write_bytes(data[:cut])


MALFORMED = {  # case: (file, how it is broken, what the error line says)
    "truncated mid-character": ("targets.csv", _truncate_mid_character, "is not UTF-8"),
    "re-saved as GB18030": ("targets.csv", lambda p: _write(p, _lines(p), "gb18030"), "line 2: byte"),
    "empty": ("targets.csv", lambda p: p.write_bytes(b""), "empty, not even a header"),
    "random bytes": ("targets.csv", lambda p: p.write_bytes(bytes(range(256)) * 8), "is not UTF-8"),
    "NUL bytes": ("targets.csv", lambda p: p.write_bytes(b"doc_id\x00,x\n"), "line 1: a NUL character"),
    "no province column": ("targets.csv", lambda p: _drop_column(p, "province"), "no column province"),
    "no doc_id column": ("targets.csv", lambda p: _drop_column(p, "doc_id"), "no column doc_id"),
    "a ragged row": ("targets.csv", lambda p: _write(p, [*_lines(p)[:3], _lines(p)[3] + ",x", *_lines(p)[4:]]),
                     f"row 4: {len(TARGET_COLUMNS) + 1} cells where the header has {len(TARGET_COLUMNS)}"),
    "an unclosed quote": ("targets.csv", lambda p: _write(p, [*_lines(p)[:5], _lines(p)[5] + ',"unclosed']),
                          "a quote is never closed"),
    "inf years": ("targets.csv", lambda p: _set_cell(p, 3, "target_year", "inf"),
                  "row 3, column target_year: 'inf' is not a finite number"),
    "a year that is no year": ("targets.csv", lambda p: _set_cell(p, 2, "target_year", "2025.5"),
                               "row 2, column target_year: '2025.5' is not a year"),
    "a value that is no number": ("targets.csv", lambda p: _set_cell(p, 4, "value_std", "abc"),
                                  "row 4, column value_std: 'abc' is not a number"),
    "an unknown kind": ("targets.csv", lambda p: _set_cell(p, 2, "kind", "goal"),
                        "row 2, column kind: 'goal' is not one of change, increment, level"),
    "a doc_id of another run": ("targets.csv", lambda p: _set_cell(p, 6, "doc_id", "elsewhere"),
                                "row 6, column doc_id: 'elsewhere' is not in documents.csv"),
    "duplicate doc_ids": ("documents.csv", lambda p: _set_cell(p, 3, "doc_id", "nat"),
                          "row 3, column doc_id: 'nat' is already on row 2"),
    "an empty documents.csv": ("documents.csv", lambda p: p.write_bytes(b""), "empty, not even a header"),
    "a draft flag that is no flag": ("documents.csv", lambda p: _set_cell(p, 2, "is_draft", "maybe"),
                                     "row 2, column is_draft: 'maybe' is not 0 or 1"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_extract_is_one_line_naming_file_row_and_column(tmp_path, case):
    """Origin: issue 13, defect 10 (`targets compare OUT` on each of these gave a traceback)."""
    name, damage, message = MALFORMED[case]
    out = make_extract(tmp_path / "out")
    damage(out / name)
    result = runner.invoke(app, ["compare", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {out / name}: ") and message in lines[0], result.output
    assert not list(out.glob("compare.*")) and not list(out.glob(".*.part"))


def _old_pair(out: Path) -> dict[str, bytes]:
    write_compare(out, top=1)
    return {n: (out / n).read_bytes() for n in ("compare.csv", "compare.xlsx")}


def test_an_interrupted_run_leaves_the_older_pair(tmp_path, monkeypatch):
    """Origin: issue 13, defect 10 (Ctrl-C after compare.csv left it beside an older compare.xlsx)."""
    out = make_extract(tmp_path / "out")
    old = _old_pair(out)

    def interrupted(path, result):
        path.write_bytes(b"half a workbook")
        raise KeyboardInterrupt

    monkeypatch.setattr(compare_report, "write_book", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_compare(out, top=3)
    assert {n: (out / n).read_bytes() for n in old} == old
    assert sorted(p.name for p in out.iterdir()) == [LOCK, "compare.csv", "compare.xlsx", "documents.csv",
                                                     "targets.csv"]


def test_ctrl_c_at_the_cli_is_one_line_and_exit_130(tmp_path):
    out = make_extract(tmp_path / "out")
    old = _old_pair(out)
    # SIGINT arrives while the workbook is written, compare.csv already staged beside it
    probe = ("import os, signal, sys\nfrom targets.analysis import compare_report\n"
             "def slow(path, result):\n    path.write_bytes(b'half')\n    os.kill(os.getpid(), signal.SIGINT)\n"
             "compare_report.write_book = slow\nfrom targets.cli import app\n"
             f"sys.argv = ['targets', 'compare', {str(out)!r}]\napp()\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.strip().splitlines() == [
        f"error: interrupted by Ctrl-C; nothing partial was written to {out}"]
    assert {n: (out / n).read_bytes() for n in old} == old and not list(out.glob(".*.part"))


def test_an_outputs_folder_that_cannot_be_written_is_one_line(tmp_path, monkeypatch):
    """Origin: issue 13, defect 10 (a read-only OUT gave a traceback). The error as the OS gives it."""
    out = make_extract(tmp_path / "out")
    old = _old_pair(out)
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(TargetsError, match=r"cannot write compare.csv and compare.xlsx \(Permission denied\)"):
        write_compare(out)
    assert {n: (out / n).read_bytes() for n in old} == old


def _mount(path: Path, options: str) -> bool:
    path.mkdir(exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and bool(subprocess.run(
        ["sh", "-c", "command -v mount"], capture_output=True).stdout)


@pytest.mark.skipif(not _can_mount(), reason="needs root to mount a small tmpfs")
@pytest.mark.parametrize("how", ["read-only", "full"])
def test_a_real_read_only_or_full_filesystem(tmp_path, how):
    """A read-only OUT (root writes through chmod, so a read-only mount) and a disk that fills."""
    mnt = tmp_path / "mnt"
    if not _mount(mnt, "size=24k" if how == "full" else "size=4m"):
        pytest.skip("tmpfs mount refused here")
    try:
        out = make_extract(mnt / "out")
        if how == "read-only":
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        before = sorted(p.name for p in out.iterdir())
        result = runner.invoke(app, ["compare", str(out)])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert "cannot write compare.csv and compare.xlsx" in result.output and len(result.output.splitlines()) == 1
        # nothing half-written, nothing lost (compare's lock on OUT, where it could make one, stays)
        assert sorted(p.name for p in out.iterdir() if p.name != LOCK) == before
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
