"""Workbooks by province or by document, built from the finished targets.csv / documents.csv.

`--by province` (default): OUT/targets.xlsx gets an `overview` sheet, each province linked to
its workbook, and OUT/provinces/<province>.xlsx holds a `summary` sheet and one sheet per
document. `--by document`: one sheet per document in targets.xlsx. `--by none`: the flat
sheets only. The flat `targets` and `documents` sheets are always kept, so readers of them
never break. Each target row is written once to each workbook it belongs to, and no more:
to the flat sheet, and (--by province) to its province's workbook, not to a province sheet
of targets.xlsx too (writing a row costs a hundred microseconds, most of a run at scale).

Nothing is held in memory per document or per target, so memory does not grow with the
corpus: documents.csv and targets.csv are read side by side, and for `--by province` each
province's documents and targets are spooled to a CSV of its own in one pass (or kept in
memory, for a run small enough that its workbooks are built in memory anyway). The province
workbooks are then written in the process pool while targets.xlsx is written here.
"""
from __future__ import annotations

import csv
import re
import tempfile
from collections import Counter, deque
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field, replace
from itertools import chain, islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import (Any, Callable, Collection, Iterable, Iterator, Literal, Optional, Sequence,
                    TypeVar)

from targets.outputs.columns import dictionary, sheet_rows
from targets.outputs.export import (IN_MEMORY_ROWS, FileLink, SheetLink, preload_xlsxwriter,
                                    read_rows, typed_rows, write_xlsx)
from targets.models import DOCUMENT_COLUMNS, TARGET_COLUMNS
from targets.core.pipeline import FileResult
from targets.core.places import Places, Unit, load_places
from targets.core.pool import worker_pool, workers_for

By = Literal["province", "document", "none"]
BY_CHOICES = ("province", "document", "none")
UNKNOWN = "未知"              # documents whose issuer maps to no province
SUMMARY_COLUMNS = ["doc_id", "title", "region", "level", "pages", "n_targets", "sheet"]
# What a province spool keeps of each document: the summary sheet's columns, bar the sheet name.
SPOOL_COLUMNS = ["doc_id", "doc_title", "region", "level", "pages", "n_targets"]
# Every province is listed, in code order, those without a document too (0 documents).
OVERVIEW_COLUMNS = ["province", "province_en", "province_code", "region_code", "documents",
                    "targets"]
WIDTHS = {"doc_id": 22, "source": 28, "doc_title": 30, "indicator": 36, "sentence": 80,
          "error": 80, "region": 12, "province": 12, "province_en": 14, "indicator_en": 36,
          "place_note": 40}
DICTIONARY_COLUMNS = ["file", "column", "type", "meaning", "example"]
DICTIONARY_WIDTHS = {"file": 26, "column": 16, "type": 9, "meaning": 90, "example": 40}
# Target sheets put the columns in reading order (province, region, doc_title, indicator …,
# then the ids and spans); the CSVs keep theirs, so READING maps a CSV row to a sheet row.
READING = dictionary()["targets"].reading(TARGET_COLUMNS)
SHEET_COLUMNS = dictionary()["targets"].in_reading_order(TARGET_COLUMNS)
EXCEL_SHEET_MAX = 31
# Excel refuses these in sheet names; their full-width forms are allowed and read the same
# in a Chinese title, so 《方案》:2030/目标 stays legible instead of turning into underscores.
_FULLWIDTH = str.maketrans({"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／",
                            "\\": "＼"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_RESERVED = {"history"}       # Excel keeps this name for change tracking
# A sheet per document is for reading a province's plans side by side. Past this many a
# workbook is no longer browsable, and XlsxWriter's state per sheet (about 10 KB) would make
# memory grow with the corpus: the documents' targets then share one `targets` sheet.
MAX_DOCUMENT_SHEETS = 1000
# The province workbooks go to the process pool only when they hold this many rows: a pool
# costs about 0.1 CPU s (forking, starting workers), the writing of some 1,000 rows. Past
# 10,000 it is under a tenth of the work and saves its wall time; below, one process is cheaper.
POOL_ROWS = 10_000


def sheet_name(title: str, taken: Iterable[str]) -> str:
    """A valid Excel sheet name for `title`, unique (case-insensitively) among `taken`.

    >>> sheet_name("河南省碳达峰实施方案", set())
    '河南省碳达峰实施方案'
    >>> sheet_name("a/b: [c]*?\\\\", set())
    'a／b： ［c］＊？＼'
    >>> len(sheet_name("十" * 40, set()))
    31
    >>> sheet_name("Summary", {"summary"}), sheet_name("  'x'  ", set()), sheet_name("", set())
    ('Summary (2)', 'x', 'sheet')
    >>> sheet_name("十" * 40, {"十" * 31, "十" * 27 + " (2)"})
    '十十十十十十十十十十十十十十十十十十十十十十十十十十十 (3)'
    """
    base = _CONTROL.sub("", title.translate(_FULLWIDTH)).strip().strip("'").strip()
    base = base or "sheet"
    used = {t.casefold() for t in taken} | _RESERVED
    name, n = base[:EXCEL_SHEET_MAX].rstrip().strip("'"), 1
    while name.casefold() in used:
        n += 1
        suffix = f" ({n})"
        name = base[:EXCEL_SHEET_MAX - len(suffix)].rstrip().strip("'") + suffix
    return name


def provinces_of(value: str) -> list[str]:
    """The provinces a document or target belongs to; a joint plan names several.

    >>> provinces_of("四川省;重庆市"), provinces_of("河南省"), provinces_of("")
    (['四川省', '重庆市'], ['河南省'], ['未知'])
    """
    return [p.strip() for p in value.split(";") if p.strip()] or [UNKNOWN]


def keep_province(result: FileResult, provinces: Optional[Collection[str]]) -> FileResult:
    """`result` with only the documents and targets of `provinces` (all of them when None)."""
    if not provinces or result.error:
        return result
    provinces = (provinces,) if isinstance(provinces, str) else provinces
    docs = [d for d in result.documents if set(provinces) & set(provinces_of(d.province))]
    ids = {d.doc_id for d in docs}
    targets = [t for t in result.targets if t.doc_id in ids]
    return replace(result, documents=docs, targets=targets)


Sheet = tuple[str, list[str], Iterable[list[Any]]]


def in_reading_order(rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    """targets.csv rows (numbers typed) with their cells in the sheets' column order."""
    for row in rows:
        yield [row[i] for i in READING]


def target_sheet(title: str, csv_rows: Iterable[list[Any]]) -> Sheet:
    """A sheet of targets from rows read back from a targets CSV."""
    return title, SHEET_COLUMNS, in_reading_order(csv_rows)


Doc = TypeVar("Doc")


def documents_and_targets(documents_csv: Path,
                          targets_csv: Path) -> Iterator[tuple[dict[str, str], Iterator[list[str]]]]:
    """Each document (a row of text) with its target rows, in file order, read side by side."""
    with documents_csv.open(encoding="utf-8-sig", newline="") as d_fh, \
            targets_csv.open(encoding="utf-8-sig", newline="") as t_fh:
        targets = csv.reader(t_fh)
        next(targets)  # the header
        yield from by_document(csv.DictReader(d_fh), itemgetter("n_targets"), targets)


def by_document(documents: Iterable[Doc], n_targets: Callable[[Doc], str],
                targets: Iterator[list[str]]) -> Iterator[tuple[Doc, Iterator[list[str]]]]:
    """Each document with its rows of `targets`, which hold the documents' targets in turn.

    The runner writes a document's targets together, in document order, and counts them in
    n_targets, so nothing is matched by doc_id (two files may give the same one). Take a
    document's rows before asking for the next document: they are not kept.
    """
    for doc in documents:
        rows = islice(targets, int(n_targets(doc) or 0))
        yield doc, rows
        deque(rows, maxlen=0)  # rows the caller did not take


def _titles(documents: Iterable[dict[str, str]]) -> Iterator[str]:
    for doc in documents:
        yield doc["doc_title"] or doc["doc_id"]


def _read_documents(documents_csv: Path) -> Iterator[dict[str, str]]:
    with documents_csv.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def _sheet_names(titles: Iterable[str], taken: set[str]) -> Iterator[str]:
    """One sheet per document, named after its title (its doc_id when untitled)."""
    for title in titles:
        name = sheet_name(title, taken)
        taken.add(name)
        yield name


def _doc_sheets(documents: Iterable[tuple[Any, Iterator[list[str]]]],
                names: Iterable[str]) -> Iterator[Sheet]:
    """A sheet of targets per document, lazily: write each before asking for the next."""
    for (_, rows), name in zip(documents, names):
        yield target_sheet(name, typed_rows(TARGET_COLUMNS, rows))


class _Kept(list):
    """Rows kept in memory, taken as a csv.writer takes them."""
    writerow = list.append
    writerows = list.extend


@dataclass
class ProvinceSpool:
    """One province's documents (SPOOL_COLUMNS) and targets (TARGET_COLUMNS) as rows of text in
    file order, and their counts: in two CSV files of its own in `folder`, or in memory when
    there is none (writing and reading the files back cost the corpus 25 ms, a tenth of its
    province workbooks; in memory its rows take 4 MiB)."""

    name: str
    folder: Optional[Path] = None
    documents: int = 0
    targets: int = 0
    indicators: Counter = field(default_factory=Counter)
    kept: tuple[_Kept, _Kept] = field(default_factory=lambda: (_Kept(), _Kept()), repr=False)

    def writers(self, files: ExitStack) -> tuple[Any, Any]:
        """Where the rows of the documents and of the targets go (each takes writerow(s))."""
        if self.folder is None:
            return self.kept
        self.folder.mkdir()
        return (_spool_writer(files, self.folder / "documents.csv", SPOOL_COLUMNS),
                _spool_writer(files, self.folder / "targets.csv", TARGET_COLUMNS))

    def document_rows(self) -> Iterator[list[str]]:
        return self._rows(0, "documents.csv")

    def target_rows(self) -> Iterator[list[str]]:
        return self._rows(1, "targets.csv")

    def document_dicts(self) -> Iterator[dict[str, str]]:
        return (dict(zip(SPOOL_COLUMNS, row)) for row in self.document_rows())

    def documents_and_targets(self) -> Iterator[tuple[dict[str, str], Iterator[list[str]]]]:
        """Each document with its target rows (see by_document)."""
        return by_document(self.document_dicts(), itemgetter("n_targets"), self.target_rows())

    def _rows(self, kept: int, file: str) -> Iterator[list[str]]:
        if self.folder is None:
            yield from self.kept[kept]
            return
        with (self.folder / file).open(encoding="utf-8-sig", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)  # the header
            yield from rows


def _pages(doc: dict[str, str]) -> str:
    start, end = doc["page_start"], doc["page_end"]
    return start if start == end or not end else f"{start}-{end}"


def spool_provinces(documents_csv: Path, targets_csv: Path, tmp: Optional[Path],
                    only: Optional[Collection[str]] = None,
                    order: Sequence[str] = ()) -> list[ProvinceSpool]:
    """Each province's spool (a joint plan goes to each of its provinces), in the `order`
    given (the national name, then the provinces by code), names not in it after, the
    unresolved last. The spools are files in `tmp`, or in memory when it is None."""
    spools: dict[str, ProvinceSpool] = {}
    writers: dict[str, tuple[Any, Any]] = {}
    at_indicator = TARGET_COLUMNS.index("indicator")
    with ExitStack() as files:
        for doc, rows in documents_and_targets(documents_csv, targets_csv):
            rows = list(rows)   # one document's targets, written to each of its provinces
            summary = [doc["doc_id"], doc["doc_title"], doc["region"], doc["level"], _pages(doc),
                       doc["n_targets"]]
            for p in provinces_of(doc["province"]):
                if only is not None and p not in only:
                    continue
                if p not in spools:
                    spools[p] = ProvinceSpool(p, tmp and tmp / str(len(spools)))
                    writers[p] = spools[p].writers(files)
                spool, (d_out, t_out) = spools[p], writers[p]
                d_out.writerow(summary)
                t_out.writerows(rows)
                spool.documents += 1
                spool.targets += len(rows)
                spool.indicators.update(r[at_indicator] for r in rows)
    rank = {name: i for i, name in enumerate(order)}
    return sorted(spools.values(), key=lambda s: (s.name == UNKNOWN, rank.get(s.name, len(rank)), s.name))


def _spool_writer(files: ExitStack, path: Path, columns: list[str]) -> Any:
    writer = csv.writer(files.enter_context(path.open("w", encoding="utf-8-sig", newline="")))
    writer.writerow(columns)
    return writer


def _summary_rows(spool: ProvinceSpool, names: Iterable[str]) -> Iterator[list[Any]]:
    """Documents, a blank row, then targets by indicator (most frequent first)."""
    for row, name in zip(typed_rows(SPOOL_COLUMNS, spool.document_rows()), names):
        yield [*row, SheetLink(name, name)]
    yield []
    yield ["indicator", "targets"]
    for indicator, n in sorted(spool.indicators.items(), key=lambda kv: (-kv[1], kv[0])):
        yield [indicator, n]


def province_file(province: str) -> str:
    """A file name for a province; names are plain Chinese, but never trust a separator."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", province).strip(". ") + ".xlsx"


def write_province_workbook(path: Path, spool: ProvinceSpool) -> None:
    """OUT/provinces/<province>.xlsx: a summary sheet, then a sheet per document (or one
    `targets` sheet for them all, past MAX_DOCUMENT_SHEETS documents)."""
    sheets: Iterable[Sheet]
    names: Iterable[str]
    if spool.documents > MAX_DOCUMENT_SHEETS:
        names = repeat("targets")
        sheets = [target_sheet("targets", typed_rows(TARGET_COLUMNS, spool.target_rows()))]
    else:
        names = list(_sheet_names(_titles(spool.document_dicts()), {"summary"}))
        sheets = _doc_sheets(spool.documents_and_targets(), names)
    summary = ("summary", SUMMARY_COLUMNS, _summary_rows(spool, names))
    write_xlsx(path, chain([summary], sheets), WIDTHS | {"title": 40, "sheet": 30},
               rows=spool.targets + spool.documents + len(spool.indicators) + 2)


def _overview(spools: list[ProvinceSpool], places: Places, only: Optional[Collection[str]],
              book_of: dict[str, str]) -> Iterator[list[Any]]:
    """A row per province in code order, with its English name and codes, and its counts.

    A province with a workbook links to it; one without a document has none, so no link."""
    counts = {s.name: (s.documents, s.targets) for s in spools}

    def cell(name: str) -> Any:
        return FileLink(name, book_of[name]) if name in book_of else name

    for name, unit in province_table(places):
        if only is None or name in only:
            place = places.place(unit, name)
            yield [cell(name), place.province_en, place.province_code, place.region_code,
                   *counts.pop(name, (0, 0))]
    for name, (documents, targets) in counts.items():   # UNKNOWN, and names no rule file knows
        yield [cell(name), "", "", "", documents, targets]


def province_table(places: Places) -> list[tuple[str, Unit]]:
    """(name, unit) of the country (its name from jurisdictions.toml's [national]) and of
    every province-level unit, in code order."""
    nat = places.rules.national
    provinces = sorted((u for u in places.units if u.level == "province"), key=lambda u: u.code)
    return [(nat.name, Unit(nat.name, "national", nat.name, nat.code)),
            *((u.name, u) for u in provinces)]


def write_workbooks(out: Path, targets_csv: Path, documents_csv: Path, by: By = "province",
                    province: Optional[Collection[str]] = None, jobs: int = 1,
                    note: Callable[[str], None] = lambda message: None,
                    places: Optional[Places] = None) -> list[Path]:
    """OUT/targets.xlsx, and with by="province" OUT/provinces/*.xlsx; returns what was written.

    With jobs > 1 the province workbooks (POOL_ROWS rows or more) are written in a process
    pool, beside targets.xlsx.
    `note` hears of a workbook cut differently from what was asked (see MAX_DOCUMENT_SHEETS).
    `places` gives the provinces' order, codes and English names (the project's when None).
    """
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {BY_CHOICES}, not {by!r}")
    province = (province,) if isinstance(province, str) else province
    book = out / "targets.xlsx"
    flat: list[Sheet] = [target_sheet("targets", read_rows(targets_csv)),
                         ("documents", DOCUMENT_COLUMNS, read_rows(documents_csv))]
    columns_rows = list(sheet_rows())
    columns: Sheet = ("columns", DICTIONARY_COLUMNS, columns_rows)
    widths = WIDTHS | DICTIONARY_WIDTHS
    n_documents, n_targets = _counts(documents_csv)
    rows = n_targets + n_documents + len(columns_rows)   # of targets.xlsx, bar the overview's
    if by == "document" and n_documents > MAX_DOCUMENT_SHEETS:
        note(f"--by document: more than {MAX_DOCUMENT_SHEETS} documents, too many for a sheet "
             "each; targets.xlsx has the flat sheets (filter `targets` by doc_id)")
        by = "none"
    if by == "none":
        write_xlsx(book, [*flat, columns], widths, rows)
        return [book]
    if by == "document":
        names = _sheet_names(_titles(_read_documents(documents_csv)),
                             {"overview", "targets", "documents", "columns"})
        write_xlsx(book, chain(flat, _doc_sheets(documents_and_targets(documents_csv, targets_csv),
                                                 names), [columns]), widths, 2 * rows)
        return [book]
    # A small run's province workbooks are built in memory, and so are their spools. A larger
    # run's spool lives in the staging folder: a killed run's is removed with it by the next run.
    in_memory = rows <= IN_MEMORY_ROWS
    with nullcontext(None) if in_memory else tempfile.TemporaryDirectory(prefix=".spool-",
                                                                         dir=out) as tmp:
        places = places or load_places()
        order = [name for name, _ in province_table(places)]
        spools = spool_provinces(documents_csv, targets_csv, tmp and Path(tmp), province, order)
        books = {s.name: out / "provinces" / province_file(s.name) for s in spools}
        overview = ("overview", OVERVIEW_COLUMNS, list(_overview(
            spools, places, province, {name: f"provinces/{path.name}" for name, path in books.items()})))
        for s in spools:
            if s.documents > MAX_DOCUMENT_SHEETS:
                note(f"provinces/{books[s.name].name}: {s.documents} documents, too many for a "
                     "sheet each; their targets share one `targets` sheet (filter it by doc_id)")
        # The largest first, so that the workers finish at about the same time.
        largest = sorted(spools, key=lambda s: -s.targets)
        in_books = sum(s.targets + s.documents for s in spools)
        workers = workers_for(jobs, len(spools)) if in_books >= POOL_ROWS else 1
        sheets = [overview, *flat, columns]
        rows += len(overview[2])
        if workers > 1:
            preload_xlsxwriter()  # before the fork: the workers inherit it, none imports it again
            # targets.xlsx holds as many rows as the province workbooks together: it goes first.
            with worker_pool(workers, behind_parent=True) as pool:
                pending = [pool.submit(write_province_workbook, books[s.name], s) for s in largest]
                write_xlsx(book, sheets, widths, rows)
                for done in pending:
                    done.result()
        else:
            write_xlsx(book, sheets, widths, rows)
            for s in largest:
                write_province_workbook(books[s.name], s)
    return [book, *books.values()]


def _counts(documents_csv: Path) -> tuple[int, int]:
    """(documents, targets) of a documents CSV: its rows, and their n_targets added up."""
    with documents_csv.open(encoding="utf-8-sig", newline="") as fh:
        n = [int(doc["n_targets"] or 0) for doc in csv.DictReader(fh)]
    return len(n), sum(n)
