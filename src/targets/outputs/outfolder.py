"""The output folder: one run at a time, a new set of outputs published whole, and only
the files a run wrote ever replaced or removed.

A run takes `locked(out)`, writes every output into `staging(out)`, then `publish`es it:

1. the record of what this run wrote (RECORD: each file's size and mtime, per command) is
   written into the staging folder, beside the outputs;
2. the staging folder is renamed to PUBLISHING: from here on the new set is the one;
3. each file moves into place, the files the previous record lists and this run did not
   write are removed (unless changed since), and the record moves last.

SIGKILL or a power cut during 3 leaves PUBLISHING behind, which says the set is not whole;
the next run (`locked` calls `recover`) finishes the move before anything else. A staging
folder whose run died is removed by the next run too. Files the record does not list, the
user's, are never touched.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

from targets.core.stopping import signals_held, undone_if_stopped
from targets.models import TargetsError

RECORD = ".targets-written.json"   # what each command last wrote here: {command: {path: [size, mtime_ns]}}
LOCK = ".targets.lock"             # held by the run writing here
PUBLISHING = ".targets-publish"    # a complete new set whose move into place is under way
STAGE_PREFIX = ".targets-run."     # .targets-run.<pid>.<random>.part: a run's outputs in progress
STAGE_SUFFIX = ".part"

Note = Callable[[str], None]


@contextmanager
def locked(out: Path, note: Note = lambda message: None) -> Iterator[None]:
    """`out` for this run alone: a second run into it stops at once with one line (exit 2).

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
                           "it to finish, or give another --out") from None
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


def publish(stage: Path, out: Path, command: Optional[str] = None,
            note: Note = lambda message: None) -> list[Path]:
    """Move every file of `stage` to the same place under `out`; returns the new paths.

    With a `command`, its files of the previous run that this one did not write are removed
    and the record says what it wrote now. Runs with SIGINT and SIGTERM held back.
    """
    files = sorted(p for p in stage.rglob("*") if p.is_file())
    with signals_held():
        if command is not None:
            record = _read_record(out)
            record[command] = {p.relative_to(stage).as_posix(): _stamp(p) for p in files}
            (stage / RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
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
    """Move PUBLISHING's files into place, prune, move the record last; each step repeatable."""
    folder = out / PUBLISHING
    for src in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != RECORD):
        dest = out / src.relative_to(folder)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
    if (folder / RECORD).is_file():
        new = _read_record(folder)
        for command, files in _read_record(out).items():
            gone = set(files) - set(new.get(command, {}))
            _prune(out, {name: files[name] for name in gone}, note)
        os.replace(folder / RECORD, out / RECORD)
    shutil.rmtree(folder, ignore_errors=True)


def _prune(out: Path, files: dict[str, list[int]], note: Note) -> None:
    """Remove files an earlier run wrote, unless someone changed them since."""
    for name, stamp in sorted(files.items()):
        path = out / name
        if not _inside(out, path) or not path.is_file():
            continue
        if _stamp(path) != stamp:
            note(f"{name}: kept, though this run did not write it: it changed since targets wrote it")
            continue
        path.unlink()
        parent = path.parent
        while parent != out and _inside(out, parent) and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def _read_record(folder: Path) -> dict[str, dict[str, list[int]]]:
    """The record in `folder`; none, or one that cannot be read, lists nothing."""
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict):
        return {}
    return {command: {name: list(stamp) for name, stamp in files.items()
                      if isinstance(stamp, list) and len(stamp) == 2}
            for command, files in record.items() if isinstance(files, dict)}


def _stamp(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


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
