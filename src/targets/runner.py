"""A whole extraction run: files in, targets.csv / documents.csv / errors.csv / targets.xlsx out.

Results stream: each file's records are written as it completes, so memory does not grow
with the corpus; the workbook is built at the end by reading the finished CSV back.
"""
from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .export import atomic_path, cell_text, rows_of, write_csv
from .models import DOCUMENT_COLUMNS, TARGET_COLUMNS, TargetsError
from .pipeline import FileResult, extract_paths, input_files

ERROR_COLUMNS = ["source", "error"]
WIDTHS = {"doc_id": 22, "source": 28, "doc_title": 30, "indicator": 36, "sentence": 80,
          "error": 80, "region": 12, "province": 12}


@dataclass
class Summary:
    files: int = 0
    documents: int = 0
    targets: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    chars: int = 0
    seconds: float = 0.0
    unmapped: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def run_extract(inputs: list[Path], out: Path, rules_dir: Optional[str] = None, jobs: int = 1,
                encoding: Optional[str] = None,
                on_start: Callable[[int], None] = lambda n: None,
                on_file: Callable[[FileResult], None] = lambda r: None,
                by: str = "province", province: Optional[str] = None) -> Summary:
    """Extract every supported file under `inputs` and write the outputs into `out`.

    `by` cuts targets.xlsx into sheets (see workbooks.py); `province` keeps only its records.
    """
    # workbooks reads CSVs back with read_rows from this module: import it late, not in a cycle.
    from .workbooks import keep_province, write_workbooks

    started = time.perf_counter()
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise TargetsError(f"input not found: {', '.join(missing)}")
    files, skipped = input_files(inputs)
    summary = Summary(skipped=[str(p) for p in skipped])
    on_start(len(files))
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(out / "targets.csv") as t_tmp, atomic_path(out / "documents.csv") as d_tmp:
        with t_tmp.open("w", encoding="utf-8-sig", newline="") as t_fh, \
                d_tmp.open("w", encoding="utf-8-sig", newline="") as d_fh:
            t_csv, d_csv = csv.writer(t_fh), csv.writer(d_fh)
            t_csv.writerow(TARGET_COLUMNS)
            d_csv.writerow(DOCUMENT_COLUMNS)
            for result in extract_paths(files, rules_dir, jobs, encoding):
                _record(summary, keep_province(result, province), t_csv, d_csv)
                on_file(result)
        write_csv(out / "errors.csv", ERROR_COLUMNS,
                  [[cell_text(s), cell_text(e)] for s, e in summary.errors]
                  + [[cell_text(s), "skipped: not a supported file type"] for s in summary.skipped])
        write_workbooks(out, t_tmp, d_tmp, by, province)
    summary.seconds = time.perf_counter() - started
    return summary


def _record(summary: Summary, result: FileResult, t_csv, d_csv) -> None:
    summary.files += 1
    summary.chars += result.chars
    if result.error:
        summary.errors.append((result.source, result.error))
        return
    summary.documents += len(result.documents)
    summary.targets += len(result.targets)
    summary.unmapped += sum(1 for t in result.targets if not t.indicator_id)
    t_csv.writerows(rows_of(result.targets, TARGET_COLUMNS))
    d_csv.writerows(rows_of(result.documents, DOCUMENT_COLUMNS))


NUMERIC = {"value", "value_max", "value_std", "base_year", "target_year", "strive", "char_start",
           "char_end", "page", "page_start", "page_end", "n_targets"}


def read_rows(path: Path):
    """Rows of a CSV we wrote, numeric columns back as numbers, for the workbook."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        numeric = [name in NUMERIC for name in header]
        for row in reader:
            yield [_as_number(v) if isnum else v for v, isnum in zip(row, numeric)]


def _as_number(v: str):
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() else f
