"""Read a .docx: paragraphs and tables in document order, each table row one tab-joined line.

A .docx is a zip, and a small one can unpack to gigabytes (an XML part, or an image nobody needs).
Its directory says how large each part unpacks: the XML parts together must stay under a limit,
and every other part (media, embedded objects) is never read at all.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.table import Table

from targets.core.decode import input_error
from targets.models import InputError

MAX_XML_BYTES = 64_000_000  # the XML of a 1,000-page report is a tenth of this
MAX_PARTS = 10_000  # a real document has dozens
_XML_SUFFIXES = (".xml", ".rels")


def docx_text(path: Path, data: bytes) -> str:
    """The text of a .docx file's bytes."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: the pre-2007 binary .doc
        raise input_error(path, "is an old binary .doc; save it as .docx")
    try:
        document = docx.Document(io.BytesIO(_xml_only(path, data)))
        lines: list[str] = []
        for block in document.iter_inner_content():  # paragraphs and tables in document order
            lines.extend(_table_rows(block) if isinstance(block, Table) else [block.text])
    except InputError:
        raise
    except Exception as exc:
        # python-docx, zipfile and lxml raise many types on malformed input: all the input's fault.
        raise input_error(path, f"is not a valid .docx ({exc})") from None
    return "\n".join(lines)


def _xml_only(path: Path, data: bytes) -> bytes:
    """The same package with every non-XML part emptied, checked against the size limits first.

    zipfile stops reading a part at the size its directory entry declares (and fails the CRC
    if the data says otherwise), so checking the declared sizes bounds what is unpacked.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = package.infolist()
        if len(parts) > MAX_PARTS:
            raise input_error(path, f"holds {len(parts):,} parts, over the limit of {MAX_PARTS:,}")
        xml = [p for p in parts if p.filename.lower().endswith(_XML_SUFFIXES)]
        unpacked = sum(p.file_size for p in xml)
        if unpacked > MAX_XML_BYTES:
            raise input_error(path, f"its XML unpacks to {unpacked:,} bytes, over the limit of "
                             f"{MAX_XML_BYTES:,}")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for part in parts:
                copy.writestr(part.filename, package.read(part) if part in xml else b"")
    return out.getvalue()


def _table_rows(table: Table) -> list[str]:
    """One tab-joined line per row, like the tab-separated tables of the text corpus.

    python-docx repeats a merged cell at every grid position it covers; its text goes in its
    first position only and the rest stay empty, so the columns stay aligned.
    """
    seen = set()  # holding the cell elements keeps their identity stable
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            cells.append("" if cell._tc in seen else " ".join(cell.text.split()))
            seen.add(cell._tc)
        rows.append("\t".join(cells))
    return rows
