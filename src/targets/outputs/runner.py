"""A whole extraction run: files in, targets.csv / documents.csv / errors.csv / targets.xlsx /
targets.sqlite / datapackage.json / manifest.json out.

Results stream: each file's records are written (to the CSVs and the database) as it
completes, so memory does not grow with the corpus; the workbooks are built at the end by
reading the finished CSVs back.
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import time
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Callable, Optional, Sequence

from targets.outputs.columns import dictionary
from targets.outputs.database import Database
from targets.outputs.export import cell_text, collector_spared, rows_of, write_csv
from targets.outputs.outfolder import locked, publish, staging
from targets.outputs.package import RunRecord, write_datapackage, write_manifest
from targets.outputs.workbooks import keep_province, write_workbooks
from targets.core.load import SUPPORTED_SUFFIXES, split_encoding
from targets.models import DOCUMENT_COLUMNS, TARGET_COLUMNS, TargetsError
from targets.core.inputs import path_text, scan_inputs, unreadable_message
from targets.core import enginecache
from targets.core.pipeline import FileResult, merged, places_of
from targets.core.schedule import extract_pieces
from targets.core.province_query import parse_provinces

ERROR_COLUMNS = ["source", "error"]


@dataclass
class Summary:
    files: int = 0
    documents: int = 0
    targets: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    empty_folders: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (folder, its error line)
    warnings: list[tuple[str, str]] = field(default_factory=list)    # (source, text left out)
    notes: list[str] = field(default_factory=list)   # outputs cut otherwise than asked, and why
    chars: int = 0
    seconds: float = 0.0
    unmapped: int = 0

    def counts(self) -> dict[str, int]:
        return {"files": self.files, "documents": self.documents, "targets": self.targets,
                "errors": len(self.errors) + len(self.empty_folders) + len(self.unreadable),
                "skipped": len(self.skipped), "characters": self.chars}

    @property
    def exit_code(self) -> int:
        # A skipped file (not a supported type) was never meant to be read: no failure. A folder
        # given as input that holds nothing to read is one: the run did not do what was asked.
        return 1 if self.errors or self.empty_folders or self.unreadable else 0


NO_FILES = f"no {', '.join(sorted(SUPPORTED_SUFFIXES))} file in this folder"


def check_encoding(name: str) -> None:
    """A usage error, before any file is read, for an --encoding Python cannot decode text with."""
    try:
        info = codecs.lookup(split_encoding(name)[0])
    except ValueError as exc:
        raise TargetsError(str(exc)) from None
    except LookupError:
        raise TargetsError(f"unknown encoding {name!r} (e.g. utf-8, gb18030, big5, utf-16)") from None
    if not getattr(info, "_is_text_encoding", True):  # base64, rot13: codecs, not text encodings
        raise TargetsError(f"{name!r} is not a text encoding (e.g. utf-8, gb18030, big5, utf-16)")


def run_extract(inputs: list[Path], out: Path, rules_dir: Optional[str] = None, jobs: int = 1,
                encoding: Optional[str] = None,
                on_start: Callable[[int], None] = lambda n: None,
                on_file: Callable[[FileResult], None] = lambda r: None,
                by: str = "province", province: Optional[str] = None,
                on_writing: Callable[[], None] = lambda: None,
                command: Optional[Sequence[str]] = None) -> Summary:
    """Extract every supported file under `inputs` and write the outputs into `out`.

    `by` cuts targets.xlsx into sheets (see workbooks.py); `province` (河南省, Henan, CN-HA,
    410000, or several separated by commas) keeps only their records.
    `on_writing` is called when every file is read and the workbooks are begun. `command`
    is the command line the manifest records (the library's call when not given).
    """
    started = time.perf_counter()
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise TargetsError(f"input not found: {', '.join(missing)}")
    if encoding is not None:
        check_encoding(encoding)
    if out.exists() and not out.is_dir():
        raise TargetsError(f"{out}: --out must be a folder, and this is a file")
    # A bad rule folder, or a --province typo, fails before any file is read.
    provinces = parse_provinces(province, places_of(rules_dir))
    found = scan_inputs(inputs)
    files = found.files
    roots = {root for _, root in files} | {folder for folder, _ in found.unreadable}
    summary = Summary(skipped=[path_text(p) for p in found.skipped],
                      empty_folders=[path_text(p) for p in inputs if p.is_dir() and p not in roots])
    summary.unreadable = [(path_text(folder), unreadable_message(folder, why))
                          for folder, why in found.unreadable]
    summary.notes += enginecache.take_notes()   # the rules changed: compiled and cached again
    on_start(len(files))
    record = RunRecord(command=command or ["run_extract", *map(str, inputs)], rules_dir=rules_dir,
                       options={"by": by, "province": list(provinces) if provinces else None,
                                "jobs": jobs, "encoding": encoding})
    try:
        with locked(out, summary.notes.append):
            _write_outputs(summary, files, out, rules_dir, jobs, encoding, on_file, by, provinces,
                           on_writing, record)
    except OSError as exc:  # a full disk, a read-only folder: the user's to fix, no traceback
        raise TargetsError(f"{out}: cannot write the outputs ({exc})") from exc
    summary.seconds = time.perf_counter() - started
    return summary


def _write_outputs(summary: Summary, files: list, out: Path, rules_dir: Optional[str], jobs: int,
                   encoding: Optional[str], on_file: Callable[[FileResult], None], by: str,
                   provinces: Optional[tuple[str, ...]], on_writing: Callable[[], None],
                   record: RunRecord) -> None:
    """Every output is written into a staging folder and published at the end, all at once."""
    with staging(out) as stage:
        t_tmp, d_tmp = stage / "targets.csv", stage / "documents.csv"
        # The database's targets read as the sheets do: province, region, title, indicator …
        db = Database(stage / "targets.sqlite", {
            "documents": DOCUMENT_COLUMNS,
            "targets": dictionary()["targets"].in_reading_order(TARGET_COLUMNS)})
        with t_tmp.open("w", encoding="utf-8-sig", newline="") as t_fh, \
                d_tmp.open("w", encoding="utf-8-sig", newline="") as d_fh:
            t_csv, d_csv = csv.writer(t_fh), csv.writer(d_fh)
            t_csv.writerow(TARGET_COLUMNS)
            d_csv.writerow(DOCUMENT_COLUMNS)
            doc_ids: set[str] = set()
            try:
                # The results first: asking for one loads the rules, so a bad rule folder
                # fails the run even when no file is to be read. A file comes in pieces (a
                # compilation's documents one by one): its records are written as they come.
                pieces = extract_pieces(files, rules_dir, jobs, encoding)
                for i, file_pieces in groupby(pieces, key=itemgetter(0)):
                    told = []  # the file's pieces without their records: what on_file is told
                    for _, piece in file_pieces:
                        piece = _printable(piece)
                        kept = distinct_doc_ids(keep_province(piece, provinces), doc_ids, summary.notes)
                        _record(summary, kept, t_csv, d_csv, db)
                        told.append(dataclasses.replace(piece, documents=[], targets=[]))
                    summary.files += 1
                    record.inputs.append((files[i][0], told[0].source))
                    on_file(merged(told))
            except BaseException:
                db.abandon()
                raise
        db.close()
        write_csv(stage / "errors.csv", ERROR_COLUMNS,
                  [[cell_text(s), cell_text(e)] for s, e in summary.unreadable + summary.errors]
                  + [[cell_text(f), cell_text(f"{f}: {NO_FILES}")] for f in summary.empty_folders]
                  + [[cell_text(s), "skipped: not a supported file type"] for s in summary.skipped]
                  + [[cell_text(s), cell_text(f"warning: {w}")] for s, w in summary.warnings])
        on_writing()
        with collector_spared():
            write_workbooks(stage, t_tmp, d_tmp, by, provinces, jobs, summary.notes.append,
                            places_of(rules_dir))
        write_datapackage(stage)
        write_manifest(stage, record, summary.counts(), summary.unreadable + summary.errors)
        # The new set replaces the old one whole: what the last run wrote and this one did
        # not (a province no longer in the input, an earlier compare's files) goes, as the
        # old manifest lists them, and nothing else.
        publish(stage, out, summary.notes.append)


def _record(summary: Summary, result: FileResult, t_csv, d_csv, db: Database) -> None:
    """A piece of a file's results: its records written, its counts and messages kept."""
    summary.chars += result.chars
    summary.notes += [note for note in result.notes if note not in summary.notes]  # each said once
    summary.warnings += [(result.source, w) for w in result.warnings]
    if result.error:
        summary.errors.append((result.source, result.error))
        return
    summary.documents += len(result.documents)
    summary.targets += len(result.targets)
    summary.unmapped += sum(1 for t in result.targets if not t.indicator_id)
    targets = [t.model_dump() for t in result.targets]
    documents = [d.model_dump() for d in result.documents]
    t_csv.writerows(rows_of(targets, TARGET_COLUMNS))
    d_csv.writerows(rows_of(documents, DOCUMENT_COLUMNS))
    db.add("documents", documents)
    db.add("targets", targets)


def _printable(result: FileResult) -> FileResult:
    """`result` with its error and notes as text every output can hold: they name the file,
    whose name may not be UTF-8 (see inputs.path_text)."""
    if not result.error and not result.notes:
        return result
    return dataclasses.replace(result, error=result.error and path_text(result.error),
                               notes=[path_text(n) for n in result.notes])


def distinct_doc_ids(result: FileResult, seen: set[str], notes: list[str]) -> FileResult:
    """`result` with every doc_id not yet `seen` in the run (added to it).

    doc_id is the file's path without its suffix, so plan.txt beside plan.pdf (or plan.txt in
    two input folders) would give one id twice: the key of documents.csv and the database.
    A repeated id gets ~2, ~3 …, and the run says so.
    """
    renamed: dict[str, str] = {}
    for doc in result.documents:
        new, n = doc.doc_id, 1
        while new in seen:
            n += 1
            new = f"{doc.doc_id}~{n}"
        seen.add(new)
        if new != doc.doc_id:
            renamed[doc.doc_id] = new
            notes.append(f"{result.source}: doc_id {doc.doc_id!r} is another file's too; "
                         f"this file's document is {new!r}")
    if not renamed:
        return result
    return dataclasses.replace(
        result,
        documents=[d.model_copy(update={"doc_id": renamed.get(d.doc_id, d.doc_id)}) for d in result.documents],
        targets=[t.model_copy(update={"doc_id": renamed.get(t.doc_id, t.doc_id)}) for t in result.targets])
