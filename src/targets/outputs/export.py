"""CSV and Excel writers, and the CSV reader the workbooks are built from. Every file is
written under a temporary name and renamed when complete, so an interrupted run never leaves
a half-written file beside good older ones."""
from __future__ import annotations

import csv
import gc
import os
import re
import sys
import tempfile
import traceback
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL = 32_767
# A workbook of up to this many rows is built in memory (about 3 KB a target row): see write_xlsx.
IN_MEMORY_ROWS = 5_000
# OWASP's list: a leading tab or carriage return is trimmed by some spreadsheet programs,
# which then read the formula behind it (a file named "\t=cmd.txt" is a `source`).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold (as openpyxl's ILLEGAL_CHARACTERS_RE).
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Closed vocabularies that are written as they are: a comparator `=` or `>=` is data, not a formula.
VERBATIM = frozenset({"=", ">=", "<=", "~"})
# Long text that a reader (and a printed page) needs whole: wrapped in its column, not cut off.
WRAPPED = frozenset({"sentence", "old_sentence", "new_sentence", "meaning", "error"})
# A workbook's default cell format (XlsxWriter's own, Calibri 11) sits at the top of its row:
# a cell needs no format of its own then, and one with none is written without a style
# attribute, 10% less work a cell than giving each column a top-aligned format.
DEFAULT_FORMAT = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
# Bytes of the name a temporary file borrows from its target: a name may have 255, and
# mkstemp adds a dot, 8 random characters and ".part" around it.
TEMP_NAME_BYTES = 200


@dataclass(frozen=True)
class SheetLink:
    """A workbook cell that shows `text` and opens sheet `sheet` of the same workbook."""
    text: str
    sheet: str

    @property
    def url(self) -> str:
        """Excel's link to a sheet's first cell; a quote in the name is doubled.

        >>> print(SheetLink("x", "a'b").url)
        internal:'a''b'!A1
        """
        return "internal:'" + self.sheet.replace("'", "''") + "'!A1"


@dataclass(frozen=True)
class FileLink:
    """A workbook cell that shows `text` and opens the file `path`, relative to the workbook."""
    text: str
    path: str

    @property
    def url(self) -> str:
        """XlsxWriter's form of a link to another file.

        >>> print(FileLink("河南省", "provinces/河南省.xlsx").url)
        external:provinces/河南省.xlsx
        """
        return "external:" + self.path


LINKS = (SheetLink, FileLink)


@contextmanager
def collector_spared() -> Iterator[None]:
    """The objects alive now (a run's rules, place index, caches) left out of every garbage
    collection until the block ends.

    Writing a workbook makes a few objects per cell, which set the collector off hundreds of
    times, and each full pass would walk all that the run holds: measured 25 ms of the --by
    none workbook and 50 ms more for the province workbooks, on the corpus. A caller that has
    frozen objects of its own (an app that forks workers) keeps them so: nothing is frozen or
    unfrozen then, as unfreezing would take back its freeze too.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed onto it only if the block completes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{_short(path.name)}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; outputs are ordinary files
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _short(name: str) -> str:
    """`name` cut to TEMP_NAME_BYTES bytes, at a character boundary.

    >>> _short("方案.csv"), len(_short("方" * 90).encode())
    ('方案.csv', 198)
    """
    while len(os.fsencode(name)) > TEMP_NAME_BYTES:
        name = name[:-1]
    return name


def cell_text(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers stay numbers, text cannot start a formula.

    >>> cell_text(2700.0), cell_text(None), cell_text("=1+1"), cell_text(True)
    (2700, '', "'=1+1", 1)
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.startswith(FORMULA_START) and value not in VERBATIM:
        return "'" + value
    return value


def rows_of(records: Iterable[Any], columns: Sequence[str]) -> Iterator[list[Any]]:
    """Rows of cell values for pydantic records (or dicts), in column order."""
    for rec in records:
        data = rec if isinstance(rec, dict) else rec.model_dump()
        yield [cell_text(data.get(c)) for c in columns]


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UTF-8 with BOM (Excel reads the Chinese right); returns the row count."""
    n = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


NUMERIC = {"value", "value_max", "value_std", "base_year", "target_year", "strive", "ocr", "char_start",
           "char_end", "page", "page_start", "page_end", "n_targets", "pages"}


def read_rows(path: Path) -> Iterator[list[Any]]:
    """Rows of a CSV we wrote, numeric columns back as numbers, for the workbook."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        yield from typed_rows(next(reader), reader)


def typed_rows(header: list[str], rows: Iterable[list[str]]) -> Iterator[list[Any]]:
    """CSV text rows with the numeric columns of `header` as numbers again."""
    numeric = [name in NUMERIC for name in header]
    for row in rows:
        yield [_as_number(v) if isnum else v for v, isnum in zip(row, numeric)]


def _as_number(v: str) -> Any:
    """'2025' -> 2025, '13.5' -> 13.5; text that is not a number ('3-5', '') stays text."""
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() else f


def _write_cells(ws: Any, n: int, row: Sequence[Any], link_format: Any) -> None:
    """Row `n` of a sheet, each cell by its type: text without the control characters XML
    forbids, cut to Excel's cell limit, and kept as text (never made a formula or a number)."""
    # The typed calls skip XlsxWriter's per-cell guessing of types: the cost of a large sheet.
    write_string, write_number = ws.write_string, ws.write_number
    for col, value in enumerate(row):
        if isinstance(value, str):
            if value:  # an empty cell is no cell
                # Text with no control character at all is printable: most text, checked
                # faster than ILLEGAL_XML is searched for.
                write_string(n, col, (value if value.isprintable() else ILLEGAL_XML.sub("", value))
                             [:EXCEL_MAX_CELL])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            write_number(n, col, value)
        elif isinstance(value, LINKS):
            ws.write_url(n, col, value.url, link_format,
                         string=ILLEGAL_XML.sub("", value.text)[:EXCEL_MAX_CELL])
        elif value is not None:
            ws.write(n, col, value)


def _new_sheet(book: Any, title: str, columns: Sequence[str], widths: dict[str, int],
               formats: dict[str, Any]) -> Any:
    """A sheet with its header row: frozen, repeated on every printed page, which is
    landscape and one page wide; long text wraps, every cell sits at the top of its row."""
    ws = book.add_worksheet(title)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    for i, col in enumerate(columns):
        ws.set_column(i, i, widths.get(col, max(8, min(40, len(col) + 4))),
                      formats["wrap"] if col in WRAPPED else None)   # else the default: top
    ws.write_row(0, 0, list(columns), formats["header"])
    return ws


def _set_aside(ws: Any) -> None:
    """Close a finished sheet's row file until the workbook is packaged.

    In constant_memory mode XlsxWriter keeps each sheet's temporary row file open, with its
    buffers, until close(): a workbook of a thousand document sheets would hold a thousand
    files open and run into the limit on open files (256 by default on macOS). XlsxWriter
    closes them itself at the end and reopens each to package it (its _opt_close and
    _opt_reopen); closing each sheet as soon as it is done uses that same path.
    """
    close = getattr(ws, "_opt_close", None)
    if close is not None and getattr(ws, "row_data_fh", None) is not None:
        close()


def preload_xlsxwriter() -> None:
    """Import XlsxWriter now (40 ms); write_xlsx imports it late, as most commands need none."""
    import xlsxwriter  # noqa: F401


def write_xlsx(path: Path, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
               widths: dict[str, int] | None = None, rows: int | None = None) -> None:
    """A workbook: header frozen, autofilter, readable widths, long text wrapped, printed
    landscape and one page wide. A SheetLink cell links to another sheet, a FileLink to a file.

    A sheet with more rows than Excel allows spills into `name (2)`, `name (3)` ...
    Sheets are taken one at a time, each written whole before the next is asked for.
    `rows`, the number of rows to come where the caller knows it, picks XlsxWriter's mode:
    up to IN_MEMORY_ROWS the cells are kept until the end and each distinct text is stored
    once (shared strings: measured 1.25x faster to write and a quarter smaller, as a target's
    title, province and sentence repeat), and the workbook's parts are assembled in memory
    (in_memory: no temporary file per part and per sheet, which cost a province workbook of
    six sheets more than its cells did); past that, or unknown, rows stream to disk
    (constant_memory), so memory does not grow with the rows.
    """
    import xlsxwriter
    import xlsxwriter.exceptions

    small = rows is not None and rows <= IN_MEMORY_ROWS
    # XlsxWriter's own temporary files (a large workbook's) go into a folder of their own: on
    # a failed write it leaves them behind, and the folder takes them away.
    scratch_dir = nullcontext(None) if small else tempfile.TemporaryDirectory(prefix="targets-xlsx-")
    with atomic_path(path) as tmp, scratch_dir as scratch:
        # Every cell is written by its type (_write_cells), so XlsxWriter's guessing is off.
        book = xlsxwriter.Workbook(str(tmp), {
            "constant_memory": not small, "in_memory": small, "strings_to_formulas": False,
            "strings_to_urls": False, "strings_to_numbers": False, "nan_inf_to_errors": True,
            "tmpdir": scratch, "default_format_properties": DEFAULT_FORMAT})
        # Formats start from DEFAULT_FORMAT. A link keeps XlsxWriter's link format, as before
        # DEFAULT_FORMAT: at the foot of its row.
        formats = {"wrap": book.add_format({"valign": "top", "text_wrap": True}),
                   "header": book.add_format({"bold": True, "valign": "top"}),
                   "link": book.add_format({"hyperlink": True, "font_scheme": "none",
                                            "valign": "bottom"})}
        for title, columns, cells in sheets:
            last_col = max(0, len(columns) - 1)
            part, n, ws = 1, 0, _new_sheet(book, title[:31], columns, widths or {}, formats)
            for row in cells:
                if n == EXCEL_MAX_ROWS - 1:
                    ws.autofilter(0, 0, n, last_col)
                    _set_aside(ws)
                    part, n = part + 1, 0
                    ws = _new_sheet(book, f"{title[:25]} ({part})", columns, widths or {}, formats)
                n += 1
                _write_cells(ws, n, row, formats["link"])
            ws.autofilter(0, 0, n, last_col)
            _set_aside(ws)
        try:
            book.close()  # only a complete workbook is closed; atomic_path drops an unfinished one
        except xlsxwriter.exceptions.FileCreateError as exc:
            raise _write_error(exc) from None


def _write_error(exc: Exception) -> OSError:
    """The OSError of a full disk, which XlsxWriter wraps in an exception of its own (no OSError).

    XlsxWriter leaves the ZipFile it was writing open: when that is collected its close()
    fails again and Python prints "Exception ignored ... Traceback". The failed frames are
    cleared here, with that report silenced, so the zip goes now and quietly.
    """
    cause = exc.args[0] if exc.args else None
    error = (OSError(cause.errno, cause.strerror) if isinstance(cause, OSError) and cause.errno
             else OSError(str(exc)))
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        for failed in (exc, cause):
            if isinstance(failed, BaseException) and failed.__traceback__ is not None:
                traceback.clear_frames(failed.__traceback__)
    finally:
        sys.unraisablehook = hook
    return error
