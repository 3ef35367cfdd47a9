"""Load one input file as text: decode a text file, or pull the text out of a docx, pdf or html file.

Every later stage reports character offsets into `Loaded.text`, so decoded text is kept exactly as
decoded (no line-ending or whitespace normalisation); only a byte-order mark is dropped.
Every failure caused by the input is raised as one InputError line: "<file>: <why>".
"""
from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import charset_normalizer
import docx
import pypdf
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from charset_normalizer.utils import is_multi_byte_encoding
from docx.table import Table

from targets.models import InputError

SUPPORTED_SUFFIXES = {".txt", ".text", ".md", ".docx", ".pdf", ".html", ".htm"}
PAGE_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Loaded:
    text: str  # the decoded original text; every later offset points into it
    encoding: str  # codec name for text files; "docx", "pdf" or "html" for those formats
    fmt: str  # "txt", "docx", "pdf", "html"
    pages: list[int] | None = None  # PDFs: offset in `text` where each page starts, page 1 first


def is_supported(path: Path) -> bool:
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES


def load_file(path: Path, encoding: str | None = None, max_bytes: int = 200_000_000) -> Loaded:
    """Read `path` and return its text; `encoding` forces the codec of text and html files."""
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    if encoding is not None:
        _check_codec(path, encoding)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        loaded = Loaded(_docx_text(path, data), "docx", "docx")
    elif suffix == ".pdf":
        text, pages = _pdf_text(path, data)
        loaded = Loaded(text, "pdf", "pdf", pages)
    elif suffix in {".html", ".htm"}:
        loaded = Loaded(_html_text(path, data, encoding), "html", "html")
    else:
        text, codec = _decode(path, data, encoding)
        loaded = Loaded(text, codec, "txt")
    if not loaded.text.strip():
        hint = " (a scanned PDF needs OCR first)" if loaded.fmt == "pdf" else ""
        raise _error(path, f"contains no text{hint}")
    return loaded


def _error(path: Path, why: str) -> InputError:
    # Library messages (pypdf, zipfile) can span lines; the user gets exactly one.
    return InputError(f"{path}: {' '.join(why.split())}")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        if not path.exists():
            raise _error(path, "no such file")
        if path.is_dir():
            raise _error(path, "is a directory, not a file")
        if not path.is_file():  # a FIFO or device would block or never end
            raise _error(path, "not a regular file")
        if not is_supported(path):
            kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
            kind = repr(path.suffix) if path.suffix else "(no extension)"
            raise _error(path, f"unsupported file type {kind}; expected {kinds}")
        size = path.stat().st_size
        if size > max_bytes:
            raise _error(path, f"file is {size:,} bytes, over the limit of {max_bytes:,}")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # + 1: notice a file that grew after stat()
    except PermissionError:
        raise _error(path, "permission denied") from None
    except OSError as exc:
        raise _error(path, f"cannot read: {exc.strerror or exc}") from None
    if not data:
        raise _error(path, "empty file")
    if len(data) > max_bytes:
        raise _error(path, f"file is over the limit of {max_bytes:,} bytes")
    return data


def _check_codec(path: Path, encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _error(path, f"unknown encoding {encoding!r}") from None


# --- text decoding -------------------------------------------------------------------------

# UTF-32 before UTF-16: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]
# C0/C1 control characters other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _decode(path: Path, data: bytes, forced: str | None, declared: str | None = None) -> tuple[str, str]:
    """Return (text, codec name): `forced` if given, else the detected codec."""
    if forced:
        text, codec = _decode_as(path, data, forced), codecs.lookup(forced).name
    else:
        text, codec = _detect(path, data, declared)
    text = text.removeprefix("\ufeff")  # a forced "utf-8" leaves the BOM in
    sample = text[:100_000]
    # Prose has next to no control characters; a tenth of them means binary or garbage.
    if "\x00" in text or len(_CONTROL.findall(sample)) > len(sample) / 10:
        raise _error(path, "looks like a binary file (control characters), not text")
    return text, codec


def _decode_as(path: Path, data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _error(path, f"is not valid {codec} (undecodable byte at offset {exc.start})") from None
    except LookupError:  # e.g. "base64": a codec, but not a text encoding
        raise _error(path, f"unknown encoding {codec!r}") from None


def _detect(path: Path, data: bytes, declared: str | None) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_as(path, data, codec), codec
    if b"\x00" in data[:8192]:  # text without a BOM has no NUL bytes
        raise _error(path, "looks like a binary file (NUL bytes), not text")
    for codec in [declared, "utf-8"] if declared else ["utf-8"]:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    chinese = _best_chinese(data)
    if chinese:
        return chinese
    # Neither Chinese codec fits: maybe a Western or Cyrillic single-byte encoding. A multi-byte
    # guess here is mojibake (truncated GBK comes back as cp932, stray bytes as utf_16_be).
    match = charset_normalizer.from_bytes(data).best()
    if match is None or is_multi_byte_encoding(match.encoding):
        raise _error(path, "cannot tell the encoding (not UTF-8, GB18030 or Big5); pass an encoding")
    codec = codecs.lookup(match.encoding).name
    return _decode_as(path, data, codec), codec


# GB2312 and Big5 rank their own characters: GB2312 rows 0xB0-0xD7 are its 3,755 common hanzi,
# Big5 0xA440-0xC67E its 5,401 common ones; the first rows of each are punctuation.
_COMMON_ROWS = {
    "gb18030": ("gb2312", [range(0xA1, 0xA4), range(0xB0, 0xD8)]),
    "big5": ("big5", [range(0xA1, 0xA3), range(0xA4, 0xC7)]),
}


def _best_chinese(data: bytes) -> tuple[str, str] | None:
    """Decode strictly as GB18030 and as Big5 and keep the reading made of common characters.

    Most short GBK byte strings are also valid Big5 and most Big5 is valid GB18030, and
    charset-normalizer mislabels short Chinese text (as cp949, johab, big5 ...), so each strict
    reading is scored by the share of its characters that are common ones; ties go to GB18030.
    """
    readings = []
    for codec in ("gb18030", "big5"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        readings.append((_common_share(text, codec), codec == "gb18030", text, codec))
    if not readings:
        return None
    _, _, text, codec = max(readings, key=lambda reading: reading[:2])
    return text, codec


def _common_share(text: str, codec: str) -> float:
    charset, rows = _COMMON_ROWS[codec]
    wide = list(islice((c for c in text if ord(c) > 0x7F), 5000))  # a sample is enough
    common = 0
    for char in wide:
        try:
            lead = char.encode(charset)[0]
        except UnicodeEncodeError:
            continue
        common += any(lead in row for row in rows)
    return common / len(wide) if wide else 0.0


# --- docx and pdf --------------------------------------------------------------------------

# The parsers below raise many exception types on malformed input (zipfile, lxml, KeyError,
# struct ...), so any exception from them is the input's fault and becomes an InputError.

def _docx_text(path: Path, data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():  # paragraphs and tables in document order
            lines.extend(_table_rows(block) if isinstance(block, Table) else [block.text])
    except Exception as exc:
        old_doc = data.startswith(b"\xd0\xcf\x11\xe0")  # OLE2: the pre-2007 binary .doc
        why = "is an old binary .doc; save it as .docx" if old_doc else f"is not a valid .docx ({exc})"
        raise _error(path, why) from None
    return "\n".join(lines)


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


def _pdf_text(path: Path, data: bytes) -> tuple[str, list[int]]:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _error(path, "is a password-protected PDF")
        texts = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:
        raise _error(path, f"is not a readable PDF ({type(exc).__name__}: {exc})") from None
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(texts), starts


# --- html ----------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_BOILERPLATE_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside"]
_BOILERPLATE_ATTR = re.compile(r"nav|menu|footer|header|breadcrumb", re.IGNORECASE)
_MAIN_ATTR = re.compile(r"content|article|zoom|trs_editor", re.IGNORECASE)  # zoom, TRS_Editor: gov sites
_BLOCK_TAGS = [
    "address", "article", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "figcaption",
    "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
    "section", "table", "tbody", "tfoot", "thead", "ul",
]
_SPACE = re.compile(r"\s+")


class _Break(NavigableString):
    """Layout text we insert (newlines, table rows): kept as is, not whitespace-collapsed."""


def _html_text(path: Path, data: bytes, forced: str | None) -> str:
    html, _ = _decode(path, data, forced, None if forced else _meta_charset(data))
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_BOILERPLATE_TAGS) + soup.find_all(_is_boilerplate):
        if not tag.decomposed:  # it may sit inside one already dropped
            tag.decompose()
    return _render(_main_element(soup))


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    # Browsers read these labels as GBK and Big5-HKSCS, supersets of what they name.
    label = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _id_and_class(tag: Tag) -> str:
    return " ".join([tag.get("id") or "", *tag.get("class", [])])


def _is_boilerplate(tag: Tag) -> bool:
    return tag.name not in ("html", "body") and bool(_BOILERPLATE_ATTR.search(_id_and_class(tag)))


def _main_element(soup: BeautifulSoup) -> Tag:
    """The article: of the article/main elements and content-named ones, the one with the most text.

    Candidates nest (a "content" div around id="zoom"); the one with the most text is the
    whole article with its title rather than a fragment of it.
    """
    def is_candidate(tag: Tag) -> bool:
        named = tag.name not in ("html", "body") and _MAIN_ATTR.search(_id_and_class(tag))
        return tag.name in ("article", "main") or bool(named)

    sizes = [(len(tag.get_text(strip=True)), tag) for tag in soup.find_all(is_candidate)]
    size, best = max(sizes, key=lambda pair: pair[0], default=(0, None))
    return best if size else (soup.body or soup)


def _render(root: Tag) -> str:
    """Text of `root`: block elements on their own lines, each table row one tab-joined line."""
    for row in reversed(root.find_all("tr")):  # innermost rows first, so nested tables still work
        cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["td", "th"], recursive=False)]
        row.replace_with(_Break("\n" + "\t".join(cells) + "\n"))
    for tag in root.find_all("br"):
        tag.replace_with(_Break("\n"))
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before(_Break("\n"))
        tag.insert_after(_Break("\n"))
    parts = [
        piece if isinstance(piece, _Break) else _SPACE.sub(" ", piece)
        for piece in root.descendants
        if isinstance(piece, NavigableString) and not isinstance(piece, PreformattedString)
    ]
    lines = ("".join(parts)).split("\n")
    return "\n".join(line.strip(" ") for line in lines if line.strip())
