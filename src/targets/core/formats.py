"""Readers of the formats people really get: .docx (tables included), .pdf (pages from the PDF
itself), saved .html pages (main text, not navigation). Imported only when a file needs one."""
from __future__ import annotations

import codecs
import io
import re
from pathlib import Path

import docx
import pypdf
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from docx.table import Table

from targets.core.load import PAGE_SEPARATOR, decode_bytes, input_error
from targets.models import InputError


def docx_text(path: Path, data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():  # paragraphs and tables in document order
            lines.extend(_table_rows(block) if isinstance(block, Table) else [block.text])
    except Exception as exc:
        old_doc = data.startswith(b"\xd0\xcf\x11\xe0")  # OLE2: the pre-2007 binary .doc
        why = "is an old binary .doc; save it as .docx" if old_doc else f"is not a valid .docx ({exc})"
        raise input_error(path, why) from None
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


def pdf_text(path: Path, data: bytes) -> tuple[str, list[int]]:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise input_error(path, "is a password-protected PDF")
        texts = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:
        raise input_error(path, f"is not a readable PDF ({type(exc).__name__}: {exc})") from None
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


def html_text(path: Path, data: bytes, forced: str | None) -> str:
    html, _ = decode_bytes(path, data, forced, None if forced else _meta_charset(data))
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
