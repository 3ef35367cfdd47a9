"""Load one input file as text: decode a text file, or pull the text out of a docx, pdf or html file.

Every later stage reports character offsets into `Loaded.text`, so decoded text is kept exactly as
decoded (no line-ending or whitespace normalisation); only a byte-order mark is dropped.
Every failure caused by the input is raised as one InputError line: "<file>: <why>".
The format readers (docx_reader, pdf_reader, html_reader) are imported only when a file needs one.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from targets.core.budget import OverBudget, time_budget
from targets.core.decode import decode_bytes, input_error, split_encoding

SUPPORTED_SUFFIXES = {".txt", ".docx", ".pdf", ".html", ".htm"}  # as the README lists them
# Reading one file may take this long; a file over it fails alone. A 50 MB saved page reads in
# seconds now; the budget is for what nobody measured: a hostile PDF, a page of OCR gone wrong.
READ_SECONDS = 300.0


@dataclass(frozen=True)
class Loaded:
    text: str  # the decoded original text; every later offset points into it
    encoding: str  # codec name for text files; "docx", "pdf" or "html" for those formats
    fmt: str  # "txt", "docx", "pdf", "html"
    pages: list[int] | None = None  # PDFs: offset in `text` where each page starts, page 1 first
    ocr_pages: tuple[int, ...] = ()  # PDFs: the pages (1 first) whose text OCR recognised
    notes: tuple[str, ...] = ()  # what the run should say once, e.g. that tables may be flattened

    def is_ocr(self, offset: int) -> bool:
        """Whether the text at `offset` was recognised from a page image."""
        if not self.ocr_pages or not self.pages:
            return False
        page = sum(1 for start in self.pages if start <= offset)
        return page in self.ocr_pages


def is_supported(path: Path) -> bool:
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES


def load_file(path: Path, encoding: str | None = None, max_bytes: int = 200_000_000,
              budget: float | None = None) -> Loaded:
    """Read `path` and return its text; `encoding` forces the codec of text and html files.

    Reading takes at most `budget` seconds, READ_SECONDS unless given (in the main thread;
    elsewhere there is no timer).
    """
    path = Path(path)
    budget = READ_SECONDS if budget is None else budget
    try:
        with time_budget(budget):
            loaded = _load(path, encoding, max_bytes)
    except OverBudget:
        raise input_error(path, f"reading took over {budget:g} s, the limit for one file") from None
    if not loaded.text.strip():
        raise input_error(path, "contains no text")
    return loaded


def _load(path: Path, encoding: str | None, max_bytes: int) -> Loaded:
    data = _read_bytes(path, max_bytes)
    if encoding is not None:
        _check_codec(path, encoding)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from targets.core.docx_reader import docx_text

        return Loaded(docx_text(path, data), "docx", "docx")
    if suffix == ".pdf":
        from targets.core.pdf_reader import pdf_text

        text, starts, ocr_pages, notes = pdf_text(path, data)
        return Loaded(text, "pdf", "pdf", starts, ocr_pages, notes)
    if suffix in {".html", ".htm"}:
        from targets.core.html_reader import html_text

        return Loaded(html_text(path, data, encoding), "html", "html")
    text, codec = decode_bytes(path, data, encoding)
    return Loaded(text, codec, "txt")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        if not path.exists():
            raise input_error(path, "no such file")
        if path.is_dir():
            raise input_error(path, "is a directory, not a file")
        if not path.is_file():  # a FIFO or device would block or never end
            raise input_error(path, "not a regular file")
        if not is_supported(path):
            kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
            kind = repr(path.suffix) if path.suffix else "(no extension)"
            raise input_error(path, f"unsupported file type {kind}; expected {kinds}")
        size = path.stat().st_size
        if size > max_bytes:
            raise input_error(path, f"file is {size:,} bytes, over the limit of {max_bytes:,}")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # + 1: notice a file that grew after stat()
    except PermissionError:
        raise input_error(path, "permission denied") from None
    except OSError as exc:
        raise input_error(path, f"cannot read: {exc.strerror or exc}") from None
    if not data:
        raise input_error(path, "empty file")
    if len(data) > max_bytes:
        raise input_error(path, f"file is over the limit of {max_bytes:,} bytes")
    return data


def _check_codec(path: Path, encoding: str) -> None:
    try:
        codecs.lookup(split_encoding(encoding)[0])
    except (LookupError, ValueError):
        raise input_error(path, f"unknown encoding {encoding!r}") from None
