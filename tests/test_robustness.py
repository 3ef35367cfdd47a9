"""Bad input gets a clear error, and nothing is lost (issue #6): each point through the CLI.

Every fixture is generated in tmp_path. Subprocess tests run the installed `targets` command,
so what they see on stderr is what a user sees (a traceback included, if there were one).
"""
from __future__ import annotations

import codecs
import csv
import gc
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import opencc
import openpyxl
import pytest
from typer.testing import CliRunner

import targets.outputs.export
import targets.outputs.workbooks
from targets.cli import app
from targets.outputs.export import (EXCEL_MAX_CELL, FileLink, SheetLink, cell_text, collector_spared,
                                    write_csv, write_xlsx)
from targets.outputs.outfolder import LOCK
from targets.core.pipeline import extract_text
from targets.core.rulebook import load_rules

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
RULES = ROOT / "src" / "targets" / "rules"

PLAN = ("某省能源发展规划\n"
        "到2025年，非化石能源消费比重达到20%以上，风电装机容量达到2700万千瓦以上。\n"
        "单位生产总值能源消耗比2020年下降13.5%，力争煤炭消费比重降至55%以下。\n"
        "到2030年，新增光伏发电装机300万千瓦，新能源汽车保有量达到50万辆。\n")
PLAN_VALUES = [(20.0, "%"), (2700.0, "万千瓦"), (13.5, "%"), (55.0, "%"), (300.0, "万千瓦"),
               (50.0, "万辆")]
# Every column but the ones naming the file: what a target *is*.
SAME = ["doc_title", "region", "province", "indicator", "indicator_id", "sector", "value",
        "value_max", "unit", "value_std", "unit_std", "comparator", "kind", "direction",
        "base_year", "target_year", "strive", "sentence", "char_start", "char_end", "page",
        "rule_id"]


def targets_command() -> list[str]:
    exe = Path(sys.executable).with_name("targets")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from targets.cli import app; app()"]


def invoke(*args: str):
    """The CLI in-process; a user error must end in a clean exit, never an exception."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run([*targets_command(), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def by_source(out: Path) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for row in rows(out / "targets.csv"):
        found.setdefault(row["source"], []).append(row)
    return found


def error_rows(out: Path) -> list[tuple[str, str]]:
    return [(r["source"], r["error"]) for r in rows(out / "errors.csv")]


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones too) -> a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- encodings -------------------------------------------------------------------------------

def encoded_plans(folder: Path) -> Path:
    """The same plan in every encoding the loader reads; Big5 holds it in traditional characters."""
    folder.mkdir()
    # s2tw, not s2t: OpenCC's standard forms (峯, 爲) are outside Big5; the Taiwan ones are not.
    traditional = opencc.OpenCC("s2tw").convert(PLAN)
    files = {
        "plan-utf8.txt": PLAN.encode("utf-8"),
        "plan-utf8-bom.txt": codecs.BOM_UTF8 + PLAN.encode("utf-8"),
        "plan-gb18030.txt": PLAN.encode("gb18030"),
        "plan-big5.txt": traditional.encode("big5"),
        "plan-utf16le.txt": codecs.BOM_UTF16_LE + PLAN.encode("utf-16-le"),
        "plan-utf16be.txt": codecs.BOM_UTF16_BE + PLAN.encode("utf-16-be"),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_every_encoding_gives_the_same_targets(tmp_path):
    folder = encoded_plans(tmp_path / "in")
    result = invoke("extract", folder, "--out", tmp_path / "out", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    found = by_source(tmp_path / "out")
    assert sorted(found) == sorted(p.name for p in folder.iterdir())
    utf8 = found["plan-utf8.txt"]
    assert [(float(r["value"]), r["unit"]) for r in utf8] == PLAN_VALUES
    to_traditional = opencc.OpenCC("s2tw").convert
    for source, records in found.items():
        assert len(records) == len(utf8), source
        for got, want in zip(records, utf8):
            for column in SAME:
                expected = want[column]
                if source == "plan-big5.txt" and column == "sentence":
                    expected = to_traditional(expected)  # the sentence is the original text
                assert got[column] == expected, (source, column)


def test_forced_encoding_reads_what_detection_cannot(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan-utf8.txt").write_bytes(PLAN.encode("utf-8"))
    (folder / "plan-utf16le-nobom.txt").write_bytes(PLAN.encode("utf-16-le"))  # NUL bytes, no BOM

    detected = invoke("extract", folder, "--out", tmp_path / "detected", "-q", "-j", "1")
    assert detected.exit_code == 1
    assert error_rows(tmp_path / "detected") == [
        ("plan-utf16le-nobom.txt",
         f"{folder / 'plan-utf16le-nobom.txt'}: looks like a binary file (NUL bytes), not text")]

    only = folder / "plan-utf16le-nobom.txt"
    forced = invoke("extract", only, "--out", tmp_path / "forced", "-q", "--encoding", "utf-16-le")
    assert forced.exit_code == 0, forced.output
    want = [[r[c] for c in SAME] for r in by_source(tmp_path / "detected")["plan-utf8.txt"]]
    got = [[r[c] for c in SAME] for r in by_source(tmp_path / "forced")["plan-utf16le-nobom.txt"]]
    assert got == want


@pytest.mark.parametrize(("name", "why"), [
    ("klingon", "error: unknown encoding 'klingon' (e.g. utf-8, gb18030, big5, utf-16)"),
    ("base64", "error: 'base64' is not a text encoding (e.g. utf-8, gb18030, big5, utf-16)"),
])
def test_bad_encoding_name_is_a_usage_error(tmp_path, name, why):
    folder = encoded_plans(tmp_path / "in")
    result = invoke("extract", folder, "--out", tmp_path / "out", "--encoding", name)
    assert result.exit_code == 2
    assert [line for line in result.output.splitlines() if line] == [why]
    assert not (tmp_path / "out").exists()  # refused before anything was read or written


# --- bad files ---------------------------------------------------------------------------------

def bad_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "good.txt").write_text(PLAN, encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.docx").write_bytes(b"PK not a zip")
    (folder / "notes.xyz").write_text("not a plan", encoding="utf-8")
    return folder


def test_bad_files_each_get_one_line_and_the_others_are_read(tmp_path, monkeypatch):
    folder = bad_folder(tmp_path / "in")
    unreadable = folder / "unreadable.txt"
    unreadable.write_text(PLAN, encoding="utf-8")
    unreadable.chmod(0)
    if os.access(unreadable, os.R_OK):  # root reads anything: make this one file refuse
        real_open = Path.open

        def refusing_open(self, *args, **kwargs):
            if self.name == "unreadable.txt":
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refusing_open)

    result = invoke("extract", folder, "--out", tmp_path / "out", "-q", "-j", "1")

    assert result.exit_code == 1
    expected = [
        ("binary.txt", f"{folder / 'binary.txt'}: looks like a binary file (NUL bytes), not text"),
        ("broken.docx", f"{folder / 'broken.docx'}: is not a valid .docx (File is not a zip file)"),
        ("empty.txt", f"{folder / 'empty.txt'}: empty file"),
        ("unreadable.txt", f"{folder / 'unreadable.txt'}: permission denied"),
        (str(folder / "notes.xyz"), "skipped: not a supported file type"),
    ]
    assert error_rows(tmp_path / "out") == expected
    lines = result.output.splitlines()
    for _, why in expected[:4]:
        assert lines.count(f"error {why}") == 1, why
    assert lines.count(f"skipped {folder / 'notes.xyz'}: not a supported file type") == 1
    assert [(float(r["value"]), r["unit"]) for r in by_source(tmp_path / "out")["good.txt"]] == PLAN_VALUES


def test_bad_files_in_a_real_process_print_one_line_each(tmp_path):
    folder = bad_folder(tmp_path / "in")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")  # pypdf logs to stderr: not here
    proc = run("extract", folder, "--out", tmp_path / "out", "-q", "-j", "2")
    assert proc.returncode == 1
    errors = dict(error_rows(tmp_path / "out"))
    assert errors["broken.pdf"].startswith(f"{folder / 'broken.pdf'}: is not a readable PDF (")
    # Exactly one line per bad file, each naming it; nothing else (no library warnings).
    assert sorted(proc.stderr.splitlines()) == sorted(
        [f"error {errors[name]}" for name in ("binary.txt", "broken.docx", "broken.pdf", "empty.txt")]
        + [f"skipped {folder / 'notes.xyz'}: not a supported file type"])


def test_skipped_files_do_not_fail_the_run(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan.txt").write_text(PLAN, encoding="utf-8")
    (folder / "table.csv").write_text("a,b\n", encoding="utf-8")
    result = invoke("extract", folder, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0
    assert error_rows(tmp_path / "out") == [(str(folder / "table.csv"), "skipped: not a supported file type")]
    assert result.output == f"skipped {folder / 'table.csv'}: not a supported file type\n"


def test_a_folder_with_nothing_to_read_fails_the_run(tmp_path):
    good, nothing = tmp_path / "good", tmp_path / "nothing"
    good.mkdir()
    nothing.mkdir()
    (good / "plan.txt").write_text(PLAN, encoding="utf-8")
    (nothing / "scan.png").write_bytes(b"\x89PNG")
    result = invoke("extract", good, nothing, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 1
    why = f"{nothing}: no .docx, .htm, .html, .pdf, .txt file in this folder"
    assert error_rows(tmp_path / "out") == [
        (str(nothing), why), (str(nothing / "scan.png"), "skipped: not a supported file type")]
    assert f"error {why}" in result.output.splitlines()
    assert len(by_source(tmp_path / "out")["plan.txt"]) == len(PLAN_VALUES)  # the rest was read


@pytest.mark.parametrize("case", ["missing input", "out is a file"])
def test_usage_errors_exit_2_with_one_line(tmp_path, case):
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    if case == "missing input":
        proc = run("extract", tmp_path / "nope", "--out", tmp_path / "out")
        why = f"error: input not found: {tmp_path / 'nope'}"
    else:
        proc = run("extract", tmp_path / "plan.txt", "--out", tmp_path / "plan.txt")
        why = f"error: {tmp_path / 'plan.txt'}: --out must be a folder, and this is a file"
    assert proc.returncode == 2
    assert [line for line in proc.stderr.splitlines() if line] == [why]


def test_a_100_mb_single_line_file_is_read_in_bounded_memory(tmp_path):
    # One line, no line break at all: 4,000 clauses of filler, then a sentence of two targets,
    # repeated to 100 MB. Measured: ~5 s and ~570 MB peak. Before sentences were capped
    # (segment.SENTENCE_MAX) each target carried its 264 KB "sentence": a 204 MB targets.csv.
    block = ("加强统筹协调，推动经济社会发展全面绿色转型，" * 4000
             + "到2025年，非化石能源消费比重达到20%以上，风电装机容量达到2700万千瓦以上。").encode()
    copies = 100_000_000 // len(block)
    folder = tmp_path / "in"
    folder.mkdir()
    with (folder / "line.txt").open("wb") as fh:
        for _ in range(copies):
            fh.write(block)
    assert (folder / "line.txt").stat().st_size > 99_000_000

    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([*targets_command(), "extract", str(folder), "--out",
                                 str(tmp_path / "out"), "-q", "-j", "1", "--by", "none"],
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        err.seek(0)
        stderr = err.read().decode()
    assert os.waitstatus_to_exitcode(status) == 0, stderr
    assert usage.ru_maxrss * 1024 < 1_500_000_000  # the text is 33 M characters, held a few times
    records = rows(tmp_path / "out" / "targets.csv")
    assert len(records) == 2 * copies
    assert {(r["value"], r["unit"], r["target_year"], r["comparator"]) for r in records} == {
        ("20", "%", "2025", ">="), ("2700", "万千瓦", "2025", ">=")}
    assert max(len(r["sentence"]) for r in records) < 2_000
    assert error_rows(tmp_path / "out") == []


# --- bad rules ---------------------------------------------------------------------------------

def broken_rules(tmp_path: Path, file: str, appended: str) -> Path:
    """A copy of rules/ with `appended` at the end of `file`: the rules others edit stay valid."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    with (folder / file).open("a", encoding="utf-8") as fh:
        fh.write("\n" + appended)
    return folder


def comparator(rule_id: str, pattern: str) -> str:
    return f"[[comparator]]\nid = {rule_id!r}\nsymbol = \"~\"\nposition = \"before\"\npattern = {pattern!r}\n"


# case -> (file, text appended to it, what the error says after "error: <file>: ")
BROKEN = {
    "invalid toml": ("units.toml", '[[unit]]\nid = "unclosed\n', "invalid TOML: Illegal character '\\n'"),
    "bad regex": ("comparators.toml", comparator("broken", "^左右("),
                  "rule 'broken': bad regex '^左右(': missing ) at position 4"),
    "missing field": ("units.toml", '[[unit]]\nid = "broken"\nsurfaces = ["吉吉瓦"]\nstd = "GW"\nfactor = 1\n',
                      "rule 'broken': family: Field required"),
    "unknown unit surface": ("units.toml", '[[unit]]\nid = "broken"\nsurfaces = ["吉吉瓦"]\nfamily = "power"\n'
                             'std = "GW"\nfactors = { "吉吉瓦" = 1, "兆兆瓦" = 0.001 }\n',
                             "rule 'broken': Value error, factor for unknown unit ['兆兆瓦']"),
    "unknown example field": ("units.toml", '[[unit]]\nid = "broken"\nsurfaces = ["吉吉瓦"]\nfamily = "power"\n'
                              'std = "GW"\nfactor = 1\nexamples = [{ text = "到2025年达到1吉吉瓦。", '
                              'expect = [{ valu = 1 }] }]\n',
                              "rule 'broken': examples.0: Value error, expect names fields a target "
                              "does not have: ['valu']"),
    # A unit named by id that units.toml does not define would match nothing, silently.
    "unknown unit id": ("exclusions.toml", '[[exclusion]]\nid = "broken"\nbefore = "第$"\nunits = "all"\n'
                        'unit_ids = ["metres"]\nreason = "x"\n', "rule 'broken': unknown unit ['metres']"),
    # Overlapping alternatives: exponential on a run of 约 (the probe makes one from the pattern).
    "catastrophic backtracking": ("comparators.toml", comparator("broken", "(?:约|约约)+$"),
                                  "rule 'broken': pattern backtracks catastrophically: '(?:约|约约)+$'"),
    # Nested quantifiers: `regex` keeps (a+)+$ from going exponential, not from n³ (a second and
    # a half on 1,000 a's), which only a run as long as a sentence can show.
    "nested quantifiers": ("comparators.toml", comparator("broken", "(a+)+$"),
                           "rule 'broken': pattern backtracks catastrophically: '(a+)+$'"),
}


@pytest.mark.parametrize("command", ["extract", "rules check"])
@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_rules_exit_2_naming_file_rule_and_reason(tmp_path, case, command):
    file, appended, why = BROKEN[case]
    folder = broken_rules(tmp_path, file, appended)
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    args = (["extract", tmp_path / "plan.txt", "--out", tmp_path / "out", "-q"]
            if command == "extract" else ["rules", "check"])
    started = time.perf_counter()
    result = invoke(*args, "--rules", folder)
    assert time.perf_counter() - started < 30  # a backtracking pattern is caught, not run
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith(f"error: {folder / file}: {why}"), lines
    # Nothing written (the folder may be made, with the lock a run takes on it).
    assert [p.name for p in (tmp_path / "out").glob("*")] in ([], [LOCK])


def test_a_pattern_out_of_time_fails_its_file_not_the_run(tmp_path, monkeypatch):
    # reading.py bounds a document's time (document_budget), checked before each sentence it
    # resolves; make that bound unmeetable and the files with numbers fail, each with its
    # line, while the run goes on.
    monkeypatch.setattr("targets.core.reading.document_budget", lambda chars: -1.0)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan.txt").write_text(PLAN, encoding="utf-8")
    (folder / "words.txt").write_text("加强统筹协调。推动绿色转型。", encoding="utf-8")
    result = invoke("extract", folder, "--out", tmp_path / "out", "-q", "-j", "1")
    assert result.exit_code == 1
    why = ("plan.txt: a rule pattern ran out of time on this file (it backtracks on some text): "
           "check the rules")
    assert error_rows(tmp_path / "out") == [("plan.txt", why)]
    assert result.output == f"error {why}\n"
    assert [r["source"] for r in rows(tmp_path / "out" / "documents.csv")] == ["words.txt"]


def test_a_user_rule_folder_keeps_a_bound_on_each_pattern_call(tmp_path, monkeypatch):
    # A user's folder is proven only by the probes: match.py bounds each of its pattern calls by
    # MATCH_TIMEOUT. The shipped rules' calls go unbounded (no clock call each); their
    # documents keep reading.py's budget, here made unlimited.
    own, shipped = load_rules(broken_rules(tmp_path, "units.toml", "")), load_rules()
    expected = extract_text(PLAN, shipped)  # (loads what each folder loads on first use)
    assert expected and extract_text(PLAN, own) == expected
    monkeypatch.setattr("targets.core.schema.MATCH_TIMEOUT", 1e-9)
    monkeypatch.setattr("targets.core.reading.document_budget", lambda chars: 1e9)
    with pytest.raises(TimeoutError):
        extract_text(PLAN, own)
    assert extract_text(PLAN, shipped) == expected


def test_a_bad_regex_in_another_folders_document_rules_is_reported(tmp_path):
    folder = broken_rules(tmp_path, "documents.toml",
                          "[[header]]\nid = 'broken'\npattern = '(?P<region>(?P<title>'\n")
    result = invoke("rules", "check", "--rules", folder)
    assert result.exit_code == 2
    assert "documents.toml" in result.output


# --- outputs -----------------------------------------------------------------------------------

def slow_corpus(folder: Path, copies: int = 2) -> Path:
    """The corpus a few times under new names: some seconds of extracting and of workbooks."""
    folder.mkdir()
    for k in range(copies):
        for src in sorted(CORPUS.glob("*.txt")):
            shutil.copyfile(src, folder / f"{k}_{src.name}")
    return folder


def wait_for(predicate, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the run never reached the expected phase"
        time.sleep(0.01)


def stage_of(out: Path) -> list[Path]:
    return list(out.glob(".targets-run.*.part"))


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # not there yet, or gone already
        return 0


@pytest.mark.parametrize(("sig", "phase", "jobs"), [
    (signal.SIGINT, "extracting", 2), (signal.SIGTERM, "extracting", 2),
    (signal.SIGINT, "writing workbooks", 1), (signal.SIGTERM, "writing workbooks", 1),
    (signal.SIGINT, "writing workbooks", 2),   # the province workbooks are being written in the pool
], ids=lambda v: getattr(v, "name", str(v)))
def test_an_interrupted_run_leaves_the_previous_outputs_whole(tmp_path, sig, phase, jobs):
    out = tmp_path / "out"
    first = tmp_path / "first"
    first.mkdir()
    (first / "plan.txt").write_text(PLAN, encoding="utf-8")
    assert run("extract", first, "--out", out, "-q").returncode == 0
    (out / "my notes.txt").write_text("mine", encoding="utf-8")  # not the tool's to touch
    (out / "mine").mkdir()
    (out / "mine" / "data.xlsx").write_bytes(b"mine")
    before = digest(out)

    corpus = slow_corpus(tmp_path / "corpus")
    proc = subprocess.Popen([*targets_command(), "extract", str(corpus), "--out", str(out), "-q",
                             "-j", str(jobs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        # The staging folder holds targets.csv from the start, errors.csv once every file is read
        # and the workbooks are begun (they take longer than the reading).
        if phase == "extracting":
            wait_for(lambda: any(size(s / "targets.csv") > 1000 for s in stage_of(out)))
        else:
            wait_for(lambda: any((s / "errors.csv").exists() for s in stage_of(out)))
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)

    code, how = {signal.SIGINT: (130, "Ctrl-C"), signal.SIGTERM: (143, "SIGTERM")}[sig]
    assert proc.returncode == code, stderr
    assert stderr.splitlines()[-1] == f"error: interrupted by {how}; nothing partial was written to {out}"
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    assert digest(out) == before  # every output of the previous run, byte for byte
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no worker outlived the run


def test_interrupting_a_parallel_run_stops_its_workers_at_once(tmp_path):
    # Two workers each on a 60 MB file (seconds of work): the run must end without waiting for them.
    folder = tmp_path / "in"
    folder.mkdir()
    block = ("加强统筹协调，推动绿色转型，" * 2000 + "到2025年，风电装机容量达到2700万千瓦以上。").encode()
    (folder / "a.txt").write_bytes(block * (60_000_000 // len(block)))
    for name in ("b.txt", "c.txt"):
        os.link(folder / "a.txt", folder / name)
    out = tmp_path / "out"
    proc = subprocess.Popen([*targets_command(), "extract", str(folder), "--out", str(out), "-q",
                             "-j", "2"], stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for(lambda: stage_of(out))
        time.sleep(0.5)
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
        stopped = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 143, stderr
    assert stopped < 1.5  # measured 0.1 s; waiting for the files in progress took 8 s
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
    assert [p.name for p in out.iterdir()] == [LOCK]


def test_a_finished_run_replaces_its_own_outputs_only(tmp_path):
    out = tmp_path / "out"
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "plan.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "other.txt").write_text(PLAN.replace("某省", "河南省"), encoding="utf-8")
    assert invoke("extract", tmp_path / "a", "--out", out, "-q").exit_code == 0
    (out / "my notes.txt").write_text("mine", encoding="utf-8")
    assert invoke("extract", tmp_path / "b", "--out", out, "-q").exit_code == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        LOCK, "datapackage.json", "documents.csv", "errors.csv", "manifest.json", "my notes.txt",
        "provinces", "provinces/河南省.xlsx", "targets.csv", "targets.sqlite",
        "targets.xlsx"]  # the first run's 未知.xlsx is gone: this run's set is whole
    assert (out / "my notes.txt").read_text(encoding="utf-8") == "mine"
    assert [r["source"] for r in rows(out / "targets.csv")] == ["other.txt"] * len(PLAN_VALUES)



def _disk_full(path, spool):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_province_workbook_that_cannot_be_written_fails_the_run_cleanly(tmp_path, monkeypatch,
                                                                          jobs):
    # With --jobs 2 the workbook is written in a worker: its error must reach the user the same.
    out = tmp_path / "out"
    for name, province in (("a.txt", "河南省"), ("b.txt", "河北省")):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / name).write_text(PLAN.replace("某省", province), encoding="utf-8")
    assert invoke("extract", tmp_path / "in", "--out", out, "-q").exit_code == 0
    before = digest(out)
    monkeypatch.setattr(targets.outputs.workbooks, "write_province_workbook", _disk_full)
    result = invoke("extract", tmp_path / "in", "--out", out, "-q", "-j", jobs)
    assert result.exit_code == 2, result.output
    assert "cannot write the outputs" in result.output and "No space left" in result.output
    assert "Traceback" not in result.output
    assert digest(out) == before and not list(out.glob(".targets-run.*"))

INJECTION = ("=HYPERLINK(\"http://x\")风电装机容量到2025年达到2700万千瓦以上。\n"
             "+光伏装机容量到2025年达到300万千瓦。\n"
             "-储能装机规模到2025年达到50万千瓦。\n"
             "@SUM(A1)非化石能源消费比重到2025年达到20%以上。\n")


def test_text_that_starts_a_formula_is_neutralised_in_csv_and_xlsx(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "=cmd.txt").write_text(INJECTION, encoding="utf-8")
    result = invoke("extract", folder, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output

    records = rows(tmp_path / "out" / "targets.csv")
    assert [(r["source"], r["doc_id"]) for r in records] == [("'=cmd.txt", "'=cmd")] * 4
    assert [r["sentence"] for r in records] == ["'" + line for line in INJECTION.splitlines()]
    assert [r["indicator"][:1] for r in records] == ["/", "'", "'", "'"]  # /x")风电… needs none
    assert {r["comparator"] for r in records} == {">=", "="}  # a comparator is data, kept as is

    workbooks = [tmp_path / "out" / "targets.xlsx", *sorted((tmp_path / "out").rglob("provinces/*.xlsx"))]
    assert len(workbooks) == 2
    for path in workbooks:
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate)
    sheet = openpyxl.load_workbook(workbooks[0])["targets"]
    at = {cell.value: cell.column for cell in sheet[1]}  # the sheets keep their own column order
    assert sheet.cell(2, at["sentence"]).value == "'" + INJECTION.splitlines()[0]
    comparator = sheet.cell(3, at["comparator"])
    assert (comparator.value, comparator.data_type) == ("=", "s")


@pytest.mark.parametrize("expected", [None, 1], ids=["streamed", "in memory"])
def test_long_cells_are_cut_in_the_workbook_and_kept_whole_in_the_csv(tmp_path, expected):
    long_text = "风" * 40_000
    write_csv(tmp_path / "t.csv", ["text"], [[long_text]])
    write_xlsx(tmp_path / "t.xlsx", [("t", ["text"], [[long_text]])], rows=expected)
    assert rows(tmp_path / "t.csv") == [{"text": long_text}]
    cell = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]["A2"]
    assert (cell.value, cell.data_type) == (long_text[:EXCEL_MAX_CELL], "s")


@pytest.mark.parametrize("expected", [None, 8], ids=["streamed", "in memory"])
def test_rows_past_the_sheet_limit_spill_into_numbered_sheets(tmp_path, monkeypatch, expected):
    monkeypatch.setattr(targets.outputs.export, "EXCEL_MAX_ROWS", 4)  # a header and 3 rows per sheet
    title = "一个远远超过三十一个字符的工作表名称" * 2  # 36 characters: Excel allows 31
    write_xlsx(tmp_path / "t.xlsx", [(title, ["n"], ([i] for i in range(8))), ("x", ["n"], [])],
               rows=expected)
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == [title[:31], f"{title[:25]} (2)", f"{title[:25]} (3)", "x"]
    assert [[c.value for c in r] for ws in book.worksheets for r in ws.iter_rows()] == [
        ["n"], [0], [1], [2], ["n"], [3], [4], [5], ["n"], [6], [7], ["n"]]
    # a one-cell range is written "A1" (the same range as "A1:A1")
    assert [ws.auto_filter.ref for ws in book.worksheets] == ["A1:A4", "A1:A4", "A1:A3", "A1"]


def test_a_workbook_in_memory_reads_back_as_the_streamed_one(tmp_path):
    """The two modes of write_xlsx (shared strings, inline strings) hold the same cells."""
    hostile = ["=1+1", "'已有引号", "a\x00b\x0bc\x1f", "  两头空格  ", "<&>\"'", "风" * 40_000,
               "\n换\n行\n", "", 0, -1.5, 2030, SheetLink("表", "x"),
               FileLink("河南省", "provinces/河南省.xlsx")]
    cells_in = [[cell_text(v) if not isinstance(v, (SheetLink, FileLink)) else v, i]
                for i, v in enumerate(hostile)] * 2   # each text twice: shared once in memory
    sheets = lambda: [("t", ["v", "i"], iter(cells_in)), ("x", ["n"], [])]
    write_xlsx(tmp_path / "streamed.xlsx", sheets())
    write_xlsx(tmp_path / "memory.xlsx", sheets(), rows=len(cells_in))

    def cells(path):
        book = openpyxl.load_workbook(path)
        return [[(c.value, c.data_type, c.hyperlink and (c.hyperlink.target, c.hyperlink.location))
                 for c in r] for ws in book.worksheets for r in ws.iter_rows()]

    streamed, memory = cells(tmp_path / "streamed.xlsx"), cells(tmp_path / "memory.xlsx")
    assert memory == streamed
    assert streamed[3][0][:2] == ("abc", "s") and streamed[1][0][:2] == ("'=1+1", "s")
    assert streamed[6][0][0] == "风" * EXCEL_MAX_CELL and streamed[8][0][0] is None
    assert streamed[12][0] == ("表", "s", (None, "'x'!A1"))
    assert streamed[13][0] == ("河南省", "s", ("provinces\\河南省.xlsx", None))
    with zipfile.ZipFile(tmp_path / "memory.xlsx") as z, zipfile.ZipFile(tmp_path / "streamed.xlsx") as y:
        assert "xl/sharedStrings.xml" in z.namelist() and "xl/sharedStrings.xml" not in y.namelist()


def test_the_collector_is_spared_for_a_block_and_a_callers_frozen_objects_stay_frozen():
    assert gc.get_freeze_count() == 0   # (nothing of ours freezes beyond such a block)
    with pytest.raises(RuntimeError), collector_spared():
        assert gc.get_freeze_count() > 0
        raise RuntimeError   # the block failing still unfreezes
    assert gc.get_freeze_count() == 0
    gc.freeze()   # a caller's own (as an app that forks workers does)
    frozen = gc.get_freeze_count()
    try:
        with collector_spared():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


@pytest.mark.skipif(sys.platform == "win32", reason="the open-file limit is set with resource")
def test_a_workbook_of_more_sheets_than_open_files_allowed(tmp_path):
    # XlsxWriter keeps a row file per sheet; a province of 300 documents under macOS's default
    # limit (256 open files) must still get its workbook, every sheet whole.
    script = f"""
import resource
from pathlib import Path
from targets.outputs.export import write_xlsx
resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
write_xlsx(Path({str(tmp_path / "many.xlsx")!r}), [(f"s{{i}}", ["n"], [[i], [i + 1]]) for i in range(300)])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(tmp_path / "many.xlsx", read_only=True)
    assert len(book.sheetnames) == 300
    assert [list(r) for r in book["s299"].iter_rows(values_only=True)] == [["n"], [299], [300]]


def test_a_million_and_one_rows_spill_at_excels_real_limit(tmp_path):
    # Excel's real limit, checked in the sheet XML (reading it back would take long).
    write_xlsx(tmp_path / "big.xlsx", [("t", ["n"], ([i] for i in range(1_048_577)))])
    with zipfile.ZipFile(tmp_path / "big.xlsx") as z:
        first = z.read("xl/worksheets/sheet1.xml").decode()
        second = z.read("xl/worksheets/sheet2.xml").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert re.findall(r'<sheet [^>]*name="([^"]+)"', workbook) == ["t", "t (2)"]
    assert first.count("<row ") == 1_048_576  # Excel's limit: a header and 1,048,575 rows
    assert re.search(r'<row r="1048576"[^>]*><c r="A1048576"[^>]*><v>1048574</v></c></row></sheetData>', first)
    assert re.findall(r"<v>(\d+)</v>", second) == ["1048575", "1048576"]
