"""Workbooks by province or by document, built from the finished targets.csv / documents.csv.

`--by province` (default): OUT/targets.xlsx gets an `overview` sheet and one sheet per
province, and OUT/provinces/<province>.xlsx holds a `summary` sheet and one sheet per document.
`--by document`: one sheet per document in targets.xlsx. `--by none`: the flat sheets only.
The flat `targets` and `documents` sheets are always kept, so readers of them never break.

Targets are read back from the CSV in one pass and spooled into one small CSV per document,
so memory does not grow with the corpus however the sheets are cut.
"""
from __future__ import annotations

import csv
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Optional

from .export import write_xlsx
from .models import DOCUMENT_COLUMNS, TARGET_COLUMNS
from .pipeline import FileResult
from .runner import WIDTHS, read_rows

By = Literal["province", "document", "none"]
BY_CHOICES = ("province", "document", "none")
UNKNOWN = "未知"              # documents whose issuer maps to no province
SUMMARY_COLUMNS = ["doc_id", "title", "region", "level", "pages", "n_targets", "sheet"]
OVERVIEW_COLUMNS = ["province", "documents", "targets"]
EXCEL_SHEET_MAX = 31
# Excel refuses these in sheet names; their full-width forms are allowed and read the same
# in a Chinese title, so 《方案》:2030/目标 stays legible instead of turning into underscores.
_FULLWIDTH = str.maketrans({"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／",
                            "\\": "＼"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_RESERVED = {"history"}       # Excel keeps this name for change tracking


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


def keep_province(result: FileResult, province: Optional[str]) -> FileResult:
    """`result` with only the documents and targets of `province` (all of them when None)."""
    if not province or result.error:
        return result
    docs = [d for d in result.documents if province in provinces_of(d.province)]
    ids = {d.doc_id for d in docs}
    targets = [t for t in result.targets if t.doc_id in ids]
    return FileResult(source=result.source, documents=docs, targets=targets, chars=result.chars)


@dataclass
class _Doc:
    row: dict[str, Any]
    spool: Path
    indicators: Counter = field(default_factory=Counter)

    @property
    def doc_id(self) -> str:
        return str(self.row["doc_id"])

    @property
    def n_targets(self) -> int:
        return sum(self.indicators.values())

    def targets(self) -> Iterator[list[Any]]:
        return read_rows(self.spool) if self.spool.exists() else iter(())


def _dict_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    for row in read_rows(path):
        yield dict(zip(header, row))


def _spool(targets_csv: Path, documents_csv: Path, tmp: Path) -> list[_Doc]:
    """Documents in file order, each with its targets copied to its own CSV under `tmp`."""
    docs = {str(r["doc_id"]): _Doc(r, tmp / f"{i}.csv") for i, r in enumerate(_dict_rows(documents_csv))}
    with targets_csv.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        at_doc, at_ind = header.index("doc_id"), header.index("indicator")
        current, out, writer = None, None, None
        for row in reader:
            doc = docs.get(row[at_doc])
            if doc is None:   # runner writes both CSVs from the same records: cannot happen
                continue
            doc.indicators[row[at_ind]] += 1
            if doc is not current:   # a document's targets are contiguous; append if not
                if out:
                    out.close()
                fresh = not doc.spool.exists()
                out = doc.spool.open("a", encoding="utf-8", newline="")
                writer, current = csv.writer(out), doc
                if fresh:
                    writer.writerow(header)
            writer.writerow(row)
        if out:
            out.close()
    return list(docs.values())


def _by_province(docs: list[_Doc], only: Optional[str]) -> dict[str, list[_Doc]]:
    """province -> its documents; a joint plan is under each of its provinces."""
    groups: dict[str, list[_Doc]] = {}
    for doc in docs:
        for p in provinces_of(str(doc.row.get("province", ""))):
            if only is None or p == only:
                groups.setdefault(p, []).append(doc)
    # 全国 first, the unresolved last, provinces in between by name.
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] != "全国", kv[0] == UNKNOWN, kv[0])))


def _pages(row: dict[str, Any]) -> Any:
    start, end = row.get("page_start", ""), row.get("page_end", "")
    if start == "" or start == end or end == "":
        return start
    return f"{start}-{end}"


def _chain(docs: list[_Doc]) -> Iterator[list[Any]]:
    for doc in docs:
        yield from doc.targets()


def _summary_rows(docs: list[_Doc], sheets: list[str]) -> Iterator[list[Any]]:
    """Documents, a blank row, then targets by indicator (most frequent first)."""
    for doc, sheet in zip(docs, sheets):
        r = doc.row
        yield [doc.doc_id, r.get("doc_title", ""), r.get("region", ""), r.get("level", ""),
               _pages(r), doc.n_targets, sheet]
    total = sum((d.indicators for d in docs), Counter())
    yield []
    yield ["indicator", "targets"]
    for indicator, n in sorted(total.items(), key=lambda kv: (-kv[1], kv[0])):
        yield [indicator, n]


def _doc_sheets(docs: list[_Doc], taken: set[str]) -> list[tuple[str, list[str], Any]]:
    """One sheet per document, named after its title (its doc_id when untitled)."""
    sheets = []
    for doc in docs:
        name = sheet_name(str(doc.row.get("doc_title") or doc.doc_id), taken)
        taken.add(name)
        sheets.append((name, TARGET_COLUMNS, doc.targets()))
    return sheets


def province_file(province: str) -> str:
    """A file name for a province; names are plain Chinese, but never trust a separator."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", province).strip(". ") + ".xlsx"


def write_province_workbook(path: Path, docs: list[_Doc]) -> None:
    taken = {"summary"}
    sheets = _doc_sheets(docs, taken)
    summary = ("summary", SUMMARY_COLUMNS, _summary_rows(docs, [s[0] for s in sheets]))
    write_xlsx(path, [summary, *sheets], WIDTHS | {"title": 40, "sheet": 30})


def _prune(folder: Path, keep: set[str]) -> None:
    """Drop province workbooks of an earlier run that this run did not write."""
    if not folder.is_dir():
        return
    for old in folder.glob("*.xlsx"):
        if old.name not in keep:
            old.unlink()
    if not any(folder.iterdir()):
        folder.rmdir()


def write_workbooks(out: Path, targets_csv: Path, documents_csv: Path, by: By = "province",
                    province: Optional[str] = None) -> list[Path]:
    """OUT/targets.xlsx, and with by="province" OUT/provinces/*.xlsx; returns what was written."""
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {BY_CHOICES}, not {by!r}")
    flat = [("targets", TARGET_COLUMNS, read_rows(targets_csv)),
            ("documents", DOCUMENT_COLUMNS, read_rows(documents_csv))]
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="targets-spool-") as tmp:
        docs = _spool(targets_csv, documents_csv, Path(tmp)) if by != "none" else []
        if by == "province":
            groups = _by_province(docs, province)
            overview = ("overview", OVERVIEW_COLUMNS,
                        [[p, len(g), sum(d.n_targets for d in g)] for p, g in groups.items()])
            taken = {"overview", "targets", "documents"}
            per_province = []
            for p, group in groups.items():
                name = sheet_name(p, taken)
                taken.add(name)
                per_province.append((name, TARGET_COLUMNS, _chain(group)))
            write_xlsx(out / "targets.xlsx", [overview, *flat, *per_province], WIDTHS)
            for p, group in groups.items():
                written.append(out / "provinces" / province_file(p))
                write_province_workbook(written[-1], group)
        elif by == "document":
            write_xlsx(out / "targets.xlsx", [*flat, *_doc_sheets(docs, {"targets", "documents"})],
                       WIDTHS)
        else:
            write_xlsx(out / "targets.xlsx", flat, WIDTHS)
    _prune(out / "provinces", {p.name for p in written})
    return [out / "targets.xlsx", *written]
