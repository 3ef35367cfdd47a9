"""Files to results, in input order: in this process, or shared out among a pool's workers.

A file goes whole to a worker, which reads it; a large text file is read here and its
documents go to the workers in batches, so one large compilation keeps every core busy and
no worker holds all of it. The outputs are the same for any number of workers.
"""
from __future__ import annotations

from contextlib import suppress
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

from targets.core import documents
from targets.core.inputs import source_of
from targets.core.pipeline import (FileResult, _engine, document_piece, file_pieces, guarded,
                                   merged, open_file)
from targets.core.pool import done, in_order, worker_pool, workers_for
from targets.models import Document

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

IN_FLIGHT_PER_WORKER = 2  # tasks submitted to the pool per worker and not yet consumed
# A text file this large has its documents shared out among the workers, not the file itself:
# alone it would keep one core busy for many seconds (a compilation like corpus/003 is 3 MB).
SPLIT_BYTES = 8_000_000
BATCH_CHARS = 200_000  # a worker is sent a large file's documents in batches of about this size


def extract_paths(files: list[tuple[Path, Path]], rules_dir: Optional[str] = None, jobs: int = 1,
                  encoding: Optional[str] = None) -> Iterator[FileResult]:
    """FileResults in input order; with jobs > 1 files are processed in a process pool."""
    for _, pieces in groupby(extract_pieces(files, rules_dir, jobs, encoding), key=itemgetter(0)):
        yield merged(piece for _, piece in pieces)


def extract_pieces(files: list[tuple[Path, Path]], rules_dir: Optional[str] = None, jobs: int = 1,
                   encoding: Optional[str] = None) -> Iterator[tuple[int, FileResult]]:
    """(index of its file, piece) of every file, in input order (see file_pieces).

    With jobs > 1 a file goes whole to a worker of the pool, which reads it; but a text file
    of SPLIT_BYTES or more is read here and its documents go to the workers in batches, so
    one large compilation keeps every core busy. At most IN_FLIGHT_PER_WORKER tasks per
    worker are submitted and not yet consumed: memory does not grow with the corpus.
    """
    _engine(rules_dir)  # fail fast on a bad rule folder, before any worker starts
    workers = workers_for(jobs, sum(jobs if _to_split(p) else 1 for p, _ in files))
    if workers == 1:
        for i, (path, root) in enumerate(files):
            yield from ((i, piece) for piece in file_pieces(path, root, rules_dir, encoding))
        return
    with worker_pool(workers) as pool:
        tasks = _tasks(pool, files, rules_dir, encoding)
        for i, pieces in in_order(tasks, IN_FLIGHT_PER_WORKER * workers):
            yield from ((i, piece) for piece in pieces)


def _to_split(path: Path) -> bool:
    """Whether a file's documents are shared out rather than the file: a large text file
    (decoding text is quick, reading a PDF or docx is not: that stays in a worker)."""
    with suppress(OSError):
        return path.suffix.lower() == ".txt" and path.stat().st_size >= SPLIT_BYTES
    return False


def _tasks(pool: ProcessPoolExecutor, files: list[tuple[Path, Path]], rules_dir: Optional[str],
           encoding: Optional[str]) -> Iterator[Future]:
    """The run's work as futures of (index of the file, its pieces), submitted as drawn."""
    for i, (path, root) in enumerate(files):
        if not _to_split(path):
            yield pool.submit(_whole_file, i, path, root, rules_dir, encoding)
            continue
        source = source_of(path, root)
        opened = guarded(source, None, lambda: open_file(path, source, rules_dir, encoding))
        if isinstance(opened, FileResult):
            yield done((i, [opened]))
            continue
        loaded, head, docs, markers, _ = opened
        yield done((i, [head]))
        for batch in _batches(docs):
            texts = [loaded.text[d.char_start:d.char_end] for d in batch]
            around = documents.markers_around(markers, batch[0].char_start, batch[-1].char_end)
            yield pool.submit(_batch_pieces, i, batch, texts, around, len(docs) == 1, rules_dir)
        del loaded, opened  # the file's text goes before the next file is read


def _whole_file(i: int, path: Path, root: Path, rules_dir: Optional[str],
                encoding: Optional[str]) -> tuple[int, list[FileResult]]:
    return i, list(file_pieces(path, root, rules_dir, encoding))


def _batch_pieces(i: int, docs: list[Document], texts: list[str], markers: list, alone: bool,
                  rules_dir: Optional[str]) -> tuple[int, list[FileResult]]:
    """In a worker: the pieces of some documents of a file, from their own texts."""
    _, resolver = _engine(rules_dir)
    return i, [document_piece(text, doc, resolver, markers, alone) for doc, text in zip(docs, texts)]


def _batches(docs: list[Document]) -> Iterator[list[Document]]:
    """Consecutive documents in batches of about BATCH_CHARS characters."""
    batch, size = [], 0
    for doc in docs:
        batch.append(doc)
        size += doc.char_end - doc.char_start
        if size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
