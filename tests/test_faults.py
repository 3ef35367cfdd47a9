"""Fault injection (`issues show 13`, "Done when"): the corpus outputs are written while a disk
fills, while a second run starts, and under SIGKILL at several points. Afterwards OUT holds the
old complete set of outputs or the new one, never a mix, and no process of the run is left.

A SIGKILL while the new set is being moved into place (renames slowed here, as on a network
file system) cannot be made atomic for several files: it leaves the hidden PUBLISHING folder,
which says the set is not whole, and the next run into OUT (`recover`) completes the move
before anything else. That is checked too.
"""
from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from targets.outputs.outfolder import LOCK, PUBLISHING, recover
from tests.test_hostile import full_disk_line, live_members, two_provinces
from tests.test_robustness import run, stage_of, targets_command, wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MINE = {"my notes.txt": b"mine", "provinces/my_analysis.xlsx": b"my analysis"}
# The CLI with every rename slowed down, so that a run spends long enough in each phase.
SLOW_RENAMES = """
import os, sys, time
real = os.replace
def slow(src, dst, *args, **kwargs):
    time.sleep(0.05)
    return real(src, dst, *args, **kwargs)
os.replace = slow
from targets.cli import app
sys.argv[0] = "targets"
app()
"""


def output_set(out: Path) -> dict[str, str]:
    """What the tool wrote to `out`: each CSV by its bytes, every other file by its name.

    (A workbook, the database and manifest.json record when they were written, so two runs
    never give the same bytes.) The user's files and the lock are left out: they are checked
    on their own; so is what a killed run leaves in its hidden folders (staging, PUBLISHING).
    """
    found = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        hidden = name.startswith(".targets-run.") or name.startswith(PUBLISHING + "/")
        if not path.is_file() or hidden or name in MINE or name == LOCK:
            continue
        found[name] = (hashlib.sha256(path.read_bytes()).hexdigest()
                       if path.suffix == ".csv" else "by name")
    return found


def with_mine(out: Path) -> None:
    for name, data in MINE.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)


def mine_intact(out: Path) -> bool:
    return all((out / name).read_bytes() == data for name, data in MINE.items())


@pytest.fixture(scope="module")
def sets(tmp_path_factory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """(a folder of two plans, the old set they give, the new set the corpus gives)."""
    base = tmp_path_factory.mktemp("faults")
    small = two_provinces(base / "small")
    assert run("extract", small, "--out", base / "old", "-q").returncode == 0
    assert run("extract", CORPUS, "--out", base / "new", "-q").returncode == 0
    return small, output_set(base / "old"), output_set(base / "new")


def previous_run(out: Path, small: Path) -> None:
    assert run("extract", small, "--out", out, "-q").returncode == 0
    with_mine(out)


def start(out: Path, slow: bool = False) -> subprocess.Popen:
    """`targets extract corpus/ --out OUT -j 2`, its renames slowed if `slow`."""
    command = [sys.executable, "-c", SLOW_RENAMES] if slow else targets_command()
    return subprocess.Popen([*command, "extract", str(CORPUS), "--out", str(out), "-q", "-j", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def no_process_left(proc: subprocess.Popen) -> None:
    try:
        wait_for(lambda: not live_members(proc.pid), timeout=15)
    finally:
        if live_members(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)


PHASES = {
    "extracting": lambda out: any((s / "targets.csv").is_file() and (s / "targets.csv").stat().st_size
                                  > 10_000 for s in stage_of(out)),
    "writing workbooks": lambda out: any((s / "errors.csv").is_file() for s in stage_of(out)),
    "publishing": lambda out: (out / PUBLISHING).is_dir(),
}


@pytest.mark.parametrize("phase", list(PHASES))
def test_sigkill_leaves_the_old_set_or_the_new_one(tmp_path, sets, phase):
    small, old, new = sets
    out = tmp_path / "out"
    previous_run(out, small)
    proc = start(out, slow=phase == "publishing")
    try:
        wait_for(lambda: PHASES[phase](out))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        no_process_left(proc)
    assert mine_intact(out)
    # Killed inside the moves (they take ~1 s here), the set says it is not whole; else it is
    # the old one, untouched.
    assert (out / PUBLISHING).is_dir() == (phase == "publishing")
    if phase == "publishing":
        recover(out)                 # as the next run does first
        assert output_set(out) == new and not (out / PUBLISHING).exists()
    else:
        assert output_set(out) == old
    assert mine_intact(out)
    # The next run cleans up what the killed one left and writes a whole set.
    assert run("extract", small, "--out", out, "-q").returncode == 0
    assert output_set(out) == old and not stage_of(out) and mine_intact(out)


def test_a_second_run_that_starts_meanwhile_stops_and_the_first_finishes(tmp_path, sets):
    small, old, new = sets
    out = tmp_path / "out"
    previous_run(out, small)
    first = start(out, slow=True)
    try:
        wait_for(lambda: stage_of(out))
        second = run("extract", small, "--out", out, "-q")
        _, stderr = first.communicate(timeout=300)
    finally:
        no_process_left(first)
    assert second.returncode == 2
    assert second.stderr == (f"error: {out}: another targets run is writing into this folder; "
                             "wait for it to finish, or give another --out\n")
    assert first.returncode == 0, stderr
    assert output_set(out) == new and mine_intact(out)


@pytest.mark.parametrize("size", ["1m", "3m"])
def test_a_disk_that_fills_leaves_the_old_set(tmp_path, sets, size):
    small, old, new = sets
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        out = disk / "out"
        previous_run(out, small)
        proc = start(out)
        try:
            _, stderr = proc.communicate(timeout=300)
        finally:
            no_process_left(proc)
        assert "Traceback" not in stderr
        if proc.returncode == 0:     # it fitted after all
            assert output_set(out) == new
        else:
            assert proc.returncode == 2
            assert re.fullmatch(full_disk_line(out), stderr), stderr
            assert output_set(out) == old and not stage_of(out)
        assert mine_intact(out)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
