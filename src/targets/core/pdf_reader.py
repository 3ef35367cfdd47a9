"""Read a .pdf: the text of each page, its tables as tab-separated lines, scans through OCR.

The text of the pages is joined with PAGE_SEPARATOR and `Loaded.pages` says where each page
starts, so a record's page comes from the PDF itself where no printed footer says otherwise.
With the pdf-tables extra (pdfplumber) each ruled table is written as tab-separated rows in
place of its cells' text, for the table resolver; without it pypdf reads tables as flat text.
A page with no text layer is recognised by OCR where the ocr extra and Tesseract are installed.
"""
from __future__ import annotations

import io
from importlib.util import find_spec
from pathlib import Path

import pypdf

from targets.core.budget import extend_budget
from targets.core.decode import input_error
from targets.models import InputError

PAGE_SEPARATOR = "\n\n"
FLATTENED = ("PDF tables are read as flat text and may lose their columns: "
             "pip install 'targets[pdf-tables]' to read them as tables")


def pdf_text(path: Path, data: bytes) -> tuple[str, list[int], tuple[int, ...], tuple[str, ...]]:
    """(text, page starts, pages OCR recognised, notes for the run) of a PDF's bytes."""
    reader = _open(path, data)
    if not reader.pages:
        raise input_error(path, "is a PDF with no pages")
    tables = find_spec("pdfplumber") is not None
    texts = _read_pages(path, data, reader, tables)
    scans = [n for n, text in enumerate(texts, 1) if not text.strip()]
    notes = [] if tables else [FLATTENED]
    ocr_pages: list[int] = []
    if scans:
        from targets.core import ocr

        why = ocr.unavailable()
        if why is None:
            extend_budget(ocr.SECONDS_PER_PAGE * len(scans))
            for n, text in zip(scans, _guarded(path, ocr.recognise, data, scans)):
                texts[n - 1] = text
                ocr_pages.append(n)
            if not any(text.strip() for text in texts):
                raise input_error(path, "has no text layer, and OCR recognised no text on its pages")
        elif len(scans) == len(texts):
            raise input_error(path, f"has no text layer (a scan?); to read it with OCR {why}")
        else:
            notes.append(f"{path}: pages {_ranges(scans)} have no text layer; to read them with OCR {why}")
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(texts), starts, tuple(ocr_pages), tuple(notes)


def _open(path: Path, data: bytes) -> pypdf.PdfReader:
    def open_it() -> pypdf.PdfReader:
        reader = pypdf.PdfReader(io.BytesIO(data))
        # An owner password alone restricts printing or copying; the empty user password opens it.
        if reader.is_encrypted and not reader.decrypt(""):
            raise input_error(path, "is a password-protected PDF")
        len(reader.pages)  # a broken page tree fails here, not later
        return reader

    return _guarded(path, open_it)


def _read_pages(path: Path, data: bytes, reader: pypdf.PdfReader, tables: bool) -> list[str]:
    if tables:
        from targets.core.pdf_tables import page_texts

        return _guarded(path, page_texts, data)
    return _guarded(path, lambda: [page.extract_text() or "" for page in reader.pages])


def _guarded(path: Path, read, *args):
    """read(*args), with any failure of the PDF libraries as one InputError line."""
    try:
        return read(*args)
    except InputError:
        raise
    except Exception as exc:
        # pypdf and pdfminer raise many exception types on malformed input: all the input's fault.
        raise input_error(path, f"is not a readable PDF ({type(exc).__name__}: {exc})") from None


def _ranges(pages: list[int]) -> str:
    """Page numbers as ranges.

    >>> _ranges([1, 2, 3, 5, 7, 8])
    '1-3, 5, 7-8'
    """
    runs: list[list[int]] = []
    for n in pages:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
