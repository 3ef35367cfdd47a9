"""Patterns already proven not to backtrack, remembered on disk so the probes run once each.

Probing every pattern of a rule folder (schema.probes) costs most of a run's start-up. A
pattern's proof depends only on its text, the `regex` version and the probes, so a digest of
those is kept in the user's cache folder (platformdirs; TARGETS_CACHE_DIR overrides). A cache
that cannot be read or written is no error: the patterns are then simply probed again.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import regex

from targets.core import schema

PROOF_VERSION = "1"  # change when the probes change: every proof is then redone
FILE_NAME = f"proven-patterns-v{PROOF_VERSION}.txt"


def cache_file() -> Path:
    folder = os.environ.get("TARGETS_CACHE_DIR")
    if not folder:
        import platformdirs

        folder = platformdirs.user_cache_dir("targets", appauthor=False)
    return Path(folder) / FILE_NAME


def digest(pattern: str) -> str:
    key = "\0".join([pattern, regex.__version__, str(schema.MATCH_TIMEOUT), schema.PROBE,
                     schema.PROBE_RUNS, str(schema.SENTENCE_MAX), PROOF_VERSION])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class Proofs:
    """The proven digests, read once; new proofs are written back at `save`."""

    def __init__(self, path: Path | None = None):
        self.path = path or cache_file()
        try:
            self.known = set(self.path.read_text(encoding="ascii").split())
        except (OSError, UnicodeDecodeError):
            self.known = set()
        self.new: set[str] = set()

    def __contains__(self, pattern: str) -> bool:
        return digest(pattern) in self.known

    def add(self, pattern: str) -> None:
        d = digest(pattern)
        if d not in self.known:
            self.known.add(d)
            self.new.add(d)

    def save(self) -> int:
        """Append the new proofs; the number written (0 when the cache cannot be written)."""
        if not self.new:
            return 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="ascii") as fh:
                fh.write("".join(f"{d}\n" for d in sorted(self.new)))
        except OSError:
            return 0
        written, self.new = len(self.new), set()
        return written
