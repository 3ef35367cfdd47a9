"""PDFs made by the tests, as published ones are: CJK text hard-wrapped at a page's width, ruled
tables, no printed footers; and image-only scans of them. reportlab (a test-only dependency)
draws with its built-in CID font STSong-Light, which needs no font file."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
SIZE = 12
CHARS_PER_LINE = 36  # a line of a published A4 plan: 36 Chinese characters at 12 pt
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=SIZE, leading=SIZE * 1.6, wordWrap="CJK",
                      firstLineIndent=2 * SIZE)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11, wordWrap="CJK")
GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])


def text_pdf(text: str) -> bytes:
    """A PDF of a text: each line a paragraph wrapped at CHARS_PER_LINE, tab-separated lines a ruled table."""
    flow = []
    for paragraph, rows in paragraphs_and_tables(text):
        flow += [_table(rows), Spacer(1, SIZE)] if rows else [Paragraph(escape(paragraph), BODY)]
    return _build(flow)


def paragraphs_and_tables(text: str) -> list[tuple[str, list[list[str]]]]:
    """(paragraph, []) for each non-blank line, ("", rows) for each run of tab-separated lines."""
    out, rows = [], []
    for line in text.split("\n") + [""]:
        if line.count("\t") >= 2:
            rows.append(line.split("\t"))
            continue
        if rows:
            out.append(("", rows))
            rows = []
        if line.strip():
            out.append((line.strip(), []))
    return out


def table_pdf(before: str, rows: list[list[str]], after: str) -> bytes:
    """A PDF of a paragraph, a ruled table, and a paragraph."""
    return _build([Paragraph(escape(before), BODY), Spacer(1, SIZE), _table(rows), Spacer(1, SIZE),
                   Paragraph(escape(after), BODY)])


def scanned(pdf: bytes, dpi: int = 200) -> bytes:
    """The same pages as images only (no text layer), as a scanner makes them."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    images = [page.render(scale=dpi / 72).to_pil().convert("L") for page in document]
    document.close()
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def _table(rows: list[list[str]]) -> Table:
    width = max(len(row) for row in rows)
    cells = [[Paragraph(escape(c), CELL) for c in row + [""] * (width - len(row))] for row in rows]
    return Table(cells, colWidths=[CHARS_PER_LINE * SIZE / width] * width, style=GRID)


def _build(flow: list) -> bytes:
    out = io.BytesIO()
    margin = (A4[0] - CHARS_PER_LINE * SIZE) / 2
    SimpleDocTemplate(out, pagesize=A4, leftMargin=margin, rightMargin=margin,
                      topMargin=72, bottomMargin=72).build(flow)
    return out.getvalue()
