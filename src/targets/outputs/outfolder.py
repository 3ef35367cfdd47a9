"""The output folder: one run at a time, a new set of outputs published whole, and only
the files a run wrote ever replaced or removed.

A command (extract, compare) takes `locked(out)`, writes every output into `staging(out)`,
then `publish`es it:

1. the staging folder holds the new manifest.json, the one record of what the commands
   wrote here: `outputs` (what extract wrote) and `derived` (what compare added from them),
   each file with its size and sha256 (package.py writes it);
2. the staging folder is renamed to PUBLISHING: from here on the new set is the one;
3. each file moves into place; the files the previous manifest lists and the new one does
   not are removed (unless changed since: the user's now), and the manifest moves last.

SIGKILL or a power cut during 3 leaves PUBLISHING behind, which says the set is not whole;
the next run (`locked` calls `recover`) finishes the move before anything else. A staging
folder whose run died is removed by the next run too. Files no manifest lists, the user's,
are never touched; nor is anything when a staged set has no manifest (compare beside CSVs
that no extract of ours wrote).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

from targets.core.stopping import signals_held, undone_if_stopped
from targets.models import TargetsError
from targets.outputs.package import MANIFEST, file_sha256, read_manifest, written_files

LOCK = ".targets.lock"             # held by the run writing here
PUBLISHING = ".targets-publish"    # a complete new set whose move into place is under way
STAGE_PREFIX = ".targets-run."     # .targets-run.<pid>.<random>.part: a run's outputs in progress
STAGE_SUFFIX = ".part"

Note = Callable[[str], None]


@contextmanager
def locked(out: Path, note: Note = lambda message: None,
           elsewhere: str = ", or give another --out") -> Iterator[None]:
    """`out` for this run alone: a second run into it stops at once with one line (exit 2)
    that ends with `elsewhere` (what else the user may do).

    filelock takes an flock() on Unix and a msvcrt lock on Windows; the system drops it when
    the process dies, however it dies, so a killed run never leaves `out` locked.
    """
    from filelock import FileLock, Timeout

    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise TargetsError(f"{out}: another targets run is writing into this folder; wait for "
                           f"it to finish{elsewhere}") from None
    try:
        recover(out, note)
        yield
    finally:
        lock.release()


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A hidden folder inside `out` for a run's outputs, removed when the block ends.

    Write every output into it, then `publish` it: an interrupted run leaves `out` as it was.
    Its name holds this process's id, so that a later run can tell it is stale.
    """
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}.", suffix=STAGE_SUFFIX,
                                  dir=out))
    try:
        with undone_if_stopped(lambda: shutil.rmtree(stage, ignore_errors=True)):
            yield stage
    finally:
        with signals_held():  # a second Ctrl-C must not leave half of it behind
            shutil.rmtree(stage, ignore_errors=True)


def publish(stage: Path, out: Path, note: Note = lambda message: None) -> list[Path]:
    """Move every file of `stage` to the same place under `out`; returns the new paths.

    When `stage` holds a manifest, the files the previous one lists and it does not are
    removed. Runs with SIGINT and SIGTERM held back.
    """
    files = sorted(p for p in stage.rglob("*") if p.is_file())
    with signals_held():
        os.rename(stage, out / PUBLISHING)   # the commit: this set is the one now
        _finish(out, note)
    return [out / p.relative_to(stage) for p in files]


def recover(out: Path, note: Note = lambda message: None) -> None:
    """Finish a publish that a killed run left half done; remove staging folders of dead runs."""
    if (out / PUBLISHING).is_dir():
        note(f"{out}: finished moving the outputs of a run that was stopped while publishing")
        _finish(out, note)
    for stage in out.glob(f"{STAGE_PREFIX}*{STAGE_SUFFIX}"):
        if stage.is_dir() and not _alive(stage.name[len(STAGE_PREFIX):].split(".")[0]):
            shutil.rmtree(stage, ignore_errors=True)


def _finish(out: Path, note: Note) -> None:
    """Move PUBLISHING's files into place, prune, move the manifest last; each step repeatable."""
    folder = out / PUBLISHING
    for src in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        dest = out / src.relative_to(folder)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
    if (folder / MANIFEST).is_file():
        old, new = read_manifest(out), read_manifest(folder)
        gone = {kind: {name: entry for name, entry in written_files(old, kind).items()
                       if name not in written_files(new, "outputs")
                       and name not in written_files(new, "derived")}
                for kind in ("outputs", "derived")}
        _prune(out, gone["outputs"], note)
        removed = _prune(out, gone["derived"], note)
        if removed:
            note(f"removed {', '.join(removed)}: an earlier `targets compare` made them from "
                 f"other targets (run `targets compare {out}` again)")
        os.replace(folder / MANIFEST, out / MANIFEST)
    shutil.rmtree(folder, ignore_errors=True)


def _prune(out: Path, files: dict[str, dict], note: Note) -> list[str]:
    """Remove files an earlier run wrote, unless someone changed them since; their names."""
    removed = []
    for name, entry in sorted(files.items()):
        path = out / name
        if name in (MANIFEST, LOCK) or not _inside(out, path) or not path.is_file():
            continue
        if not _unchanged(path, entry):
            note(f"{name}: kept, though this run did not write it: it changed since targets wrote it")
            continue
        path.unlink()
        removed.append(name)
        parent = path.parent
        while parent != out and _inside(out, parent) and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return removed


def _unchanged(path: Path, entry: dict) -> bool:
    """Whether a file is as the manifest entry says targets wrote it (size, then sha256)."""
    try:
        return path.stat().st_size == entry.get("bytes") and file_sha256(path) == entry.get("sha256")
    except OSError:
        return False


def _inside(out: Path, path: Path) -> bool:
    """A record names paths under `out` only; one edited to point elsewhere is ignored."""
    try:
        return path.resolve().is_relative_to(out.resolve()) and path.resolve() != out.resolve()
    except OSError:
        return False


def _alive(pid: str) -> bool:
    """Whether the process that made a staging folder still runs (a foreign name: assume so)."""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:   # it exists, and is someone else's
        return True
    return True
