"""Read back what `targets extract` wrote (targets.csv, documents.csv), validating every cell.

The files may have been edited, re-saved by a spreadsheet program, truncated or mixed from
two runs: each defect is one TargetsError naming the file, the row (as a spreadsheet shows
it, the header being row 1) and the column, never a traceback.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from targets.models import TargetsError

TARGET_FIELDS = ["doc_id", "doc_title", "province", "indicator", "indicator_id", "sector", "value",
                 "value_max", "unit", "value_std", "unit_std", "comparator", "kind", "direction",
                 "base_year", "target_year", "strive", "page"]
DOCUMENT_FIELDS = ["doc_id", "doc_title", "province", "level", "is_draft", "published"]
NUMBERS = {"value", "value_max", "value_std", "page"}
YEARS = {"base_year", "target_year"}
FLAGS = {"strive", "is_draft"}
CHOICES = {"kind": {"level", "change", "increment"}, "comparator": {">=", "<=", "~", "="},
           "direction": {"", "up", "down"}}
REQUIRED = {"doc_id", "value", "kind", "comparator"}  # cells that may never be empty
YEAR_RANGE = (1900, 2200)
HINT = "re-run `targets extract`"


@dataclass
class Extract:
    targets: pd.DataFrame    # numbers as floats (NaN: empty), text as str
    documents: pd.DataFrame


def check_extract_folder(out: Path) -> list[Path]:
    """OUT/targets.csv and OUT/documents.csv; TargetsError when either is missing."""
    paths = [out / "targets.csv", out / "documents.csv"]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise TargetsError(f"not an extract folder (run `targets extract` first): missing {', '.join(missing)}")
    return paths


def read_extract(out: Path) -> Extract:
    """OUT/targets.csv and OUT/documents.csv, checked cell by cell and against each other."""
    paths = check_extract_folder(out)
    documents = read_table(paths[1], DOCUMENT_FIELDS)
    targets = read_table(paths[0], TARGET_FIELDS)
    _check_unique(paths[1], documents, "doc_id")
    known = set(documents["doc_id"])
    unknown = targets.index[~targets["doc_id"].isin(known)]
    if len(unknown):
        i = unknown[0]
        raise TargetsError(f"{paths[0]}: row {i + 2}, column doc_id: {targets.at[i, 'doc_id']!r} is not "
                           f"in {paths[1].name} (the two files come from different runs? {HINT})")
    return Extract(targets, documents)


def read_table(path: Path, fields: list[str]) -> pd.DataFrame:
    """One CSV as text cells, its numeric and year columns as floats; TargetsError on any defect."""
    rows = _rows(path, _text(path))
    header, body = rows[0], rows[1:]
    absent = [f for f in fields if f not in header]
    if absent:
        raise TargetsError(f"{path}: no column {', '.join(absent)} in the header (not a file "
                           f"`targets extract` wrote, or an older one? {HINT})")
    for n, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise TargetsError(f"{path}: row {n}: {len(row)} cells where the header has {len(header)}")
    table = pd.DataFrame(body, columns=header, dtype=str)[fields] if body else pd.DataFrame(columns=fields, dtype=str)
    for col in fields:
        table[col] = _column(path, table[col], col)
    return table


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TargetsError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise TargetsError(f"{path}: empty, not even a header ({HINT})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise TargetsError(f"{path}: line {line}: byte {exc.start} is not UTF-8 (cut short, or re-saved in "
                           f"another encoding such as GB18030? save it as UTF-8, or {HINT})") from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise TargetsError(f"{path}: line {line}: a NUL character: not a CSV file ({HINT})")
    return text


def _rows(path: Path, text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if row:  # a blank line is no row (a spreadsheet program may add one at the end)
                rows.append(row)
    except csv.Error as exc:
        what = "a quote is never closed" if "end of data" in str(exc) else str(exc)
        raise TargetsError(f"{path}: row {len(rows) + 1} (line {reader.line_num}): {what}") from None
    return rows


def _column(path: Path, cells: pd.Series, col: str) -> pd.Series:
    """A column checked cell by cell: numbers finite, years whole and plausible, closed vocabularies."""
    def bad(i: int, what: str) -> TargetsError:
        return TargetsError(f"{path}: row {i + 2}, column {col}: {cells.iat[i]!r} {what}")

    if col in REQUIRED:
        for i in cells.index[cells.str.strip() == ""]:
            raise bad(i, "is empty, and every row needs one")
    if col in CHOICES:
        for i in cells.index[~cells.isin(CHOICES[col])]:
            raise bad(i, f"is not one of {', '.join(sorted(c for c in CHOICES[col] if c))}")
    if col in FLAGS:
        flags = cells.str.strip().str.lower().map({"": "0", "0": "0", "1": "1", "false": "0", "true": "1"})
        for i in flags.index[flags.isna()]:
            raise bad(i, "is not 0 or 1")
        return flags.astype(float)
    if col not in NUMBERS | YEARS:
        return cells
    numbers = pd.to_numeric(cells.str.strip(), errors="coerce")
    for i in numbers.index[numbers.isna() & (cells.str.strip() != "")]:
        raise bad(i, "is not a number")
    for i in numbers.index[numbers.map(lambda v: not math.isnan(v) and not math.isfinite(v))]:
        raise bad(i, "is not a finite number")
    if col in YEARS:
        years = numbers.dropna()
        for i in years.index[(years % 1 != 0) | (years < YEAR_RANGE[0]) | (years > YEAR_RANGE[1])]:
            raise bad(i, f"is not a year ({YEAR_RANGE[0]}-{YEAR_RANGE[1]})")
    return numbers


def _check_unique(path: Path, table: pd.DataFrame, col: str) -> None:
    dup = table[col].duplicated()
    if dup.any():
        i = int(dup.idxmax())
        first = int(table.index[table[col] == table.at[i, col]][0])
        raise TargetsError(f"{path}: row {i + 2}, column {col}: {table.at[i, col]!r} is already on "
                           f"row {first + 2} (each document once)")
