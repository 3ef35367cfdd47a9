"""The validated, compiled engine of a rule folder, kept on disk so that a run starts at once.

Reading a rule folder (validation, pattern proofs) and compiling its patterns, the Resolver
and the place index costs a few tenths of a second per process, most of a small run.
Pickled, the same objects load in a few hundredths: `regex` pickles a pattern's compiled
code, not just its text. The cache holds one file per rule folder (by its resolved path),
under a key of what the objects are made from: the folder's rule files
(rulefiles.rules_digest), the source code of this package (a checkout's code changes under
one version number), and the versions of Python and of the libraries whose objects are
pickled. A file under another key, or one that does not load, is rebuilt; the first run
after the rules changed says so. A cache that cannot be read or written only costs time.
It lives beside the pattern proofs (proofs.cache_file: TARGETS_CACHE_DIR overrides).
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

from targets.core.proofs import cache_file
from targets.core.rulefiles import package_rules, rules_digest

ENGINE_VERSION = "2"   # change when what is cached changes shape
# An engine file not written for this long goes when another is written: a rule folder since
# deleted or a temporary copy leaves one behind (about 1 MB each), and one still in use is
# only built again. A temporary file older than a day is what a killed write left.
STALE_SECONDS = 30 * 86400
PART_SECONDS = 86400
PACKAGE = Path(__file__).resolve().parents[1]
_notes: list[str] = []


def engine_file(folder: Path) -> Path:
    """The cache file of one rule folder (by its resolved path)."""
    name = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache_file().parent / f"engine-{name}.pickle"


def code_digest() -> str:
    """sha256 over this package's Python sources: the classes the pickle is made of."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _versions() -> str:
    """Python's and the versions of the libraries whose objects are pickled (the place index's
    has no version number: its module file stands for it)."""
    import ahocorasick
    import pydantic
    import pydantic_core
    import regex

    try:
        st = os.stat(ahocorasick.__file__)
        aho = f"{ahocorasick.__file__}:{st.st_size}:{st.st_mtime_ns}"
    except (OSError, TypeError):
        aho = "?"
    return " ".join([sys.version, regex.__version__, pydantic.VERSION, pydantic_core.__version__, aho])


def cached(folder: Optional[Path], build: Callable[[], Any]) -> Any:
    """`build()` for the rule folder (the package's when None), from the cache where it holds
    the same rules built by the same code; else built, and written back."""
    folder = Path(folder) if folder else package_rules()
    rules = rules_digest(folder)
    key = "\0".join([ENGINE_VERSION, rules, code_digest(), _versions(), str(folder.resolve())])
    path = engine_file(folder)
    found = _read(path, key)
    if found is not None:
        return found
    value = build()
    old_rules = _header(path)[1]
    if old_rules is not None and old_rules != rules:
        _notes.append(f"the rules in {folder} changed since the last run: checked and compiled "
                      "again, and cached for the next runs")
    _write(path, (key, rules), value)
    _prune(path)
    return value


def take_notes() -> list[str]:
    """What loading the engine has to say (once): a rebuild after the rules changed."""
    notes = list(_notes)
    _notes.clear()
    return notes


def _header(path: Path) -> tuple[Optional[str], Optional[str]]:
    """(key, rules digest) the cache file was written under; (None, None) for none."""
    try:
        with path.open("rb") as fh:
            header = pickle.load(fh)
    except Exception:   # missing, truncated, not ours: rebuilt, never an error
        return None, None
    ok = isinstance(header, tuple) and len(header) == 2 and all(isinstance(h, str) for h in header)
    return header if ok else (None, None)


def _read(path: Path, key: str) -> Any:
    """The cached value when the file was written under `key`, else None.

    The header is a pickle of its own, read first: the value, made by other code or other
    library versions, is never unpickled under a key that does not match."""
    try:
        with path.open("rb") as fh:
            header = pickle.load(fh)
            if not (isinstance(header, tuple) and header[:1] == (key,)):
                return None
            # Many small objects and no garbage: the collector would only walk them while
            # they load. (Not frozen after: gc.freeze takes every object of the process,
            # a library caller's too, out of collection for good.)
            enabled = gc.isenabled()
            gc.disable()
            try:
                return pickle.load(fh)
            finally:
                if enabled:
                    gc.enable()
    except Exception:   # truncated, unreadable: rebuilt, never an error
        return None


def _write(path: Path, header: tuple[str, str], value: Any) -> None:
    """Written under a temporary name and renamed: a reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError:   # a folder that cannot be written: the next run builds again
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(header, fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:   # a full disk, an object that does not pickle: only costs time
        pass
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _prune(kept: Path) -> None:
    """The cache folder's stale engine files and left temporary files removed (never `kept`,
    never a file of another name: the pattern proofs' cache lives here too)."""
    now = time.time()
    try:
        entries = list(kept.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        stale = (STALE_SECONDS if name.startswith("engine-") and name.endswith(".pickle")
                 else PART_SECONDS if name.startswith(".engine-") and name.endswith(".part") else None)
        try:
            if stale and entry != kept and now - entry.stat().st_mtime > stale:
                entry.unlink()
        except OSError:   # gone already, or not ours to remove: only space
            pass
