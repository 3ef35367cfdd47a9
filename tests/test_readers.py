"""The format readers against hostile input (issue 13, defects 6, 7, 11, 12): each test builds its
fixture in tmp_path."""
from __future__ import annotations

import csv
import io
import re
import time
import zipfile

import docx
import pypdf
import pytest

from targets.core import docx_reader, html_reader, load
from targets.core.load import load_file
from targets.models import InputError
from targets.outputs.runner import run_extract

from .pdfs import text_pdf
from .test_load import SENTENCE, docx_bytes, load_error, pdf_bytes, write


# --- defect 6: docx memory bombs ------------------------------------------------------------

def _with_part(data: bytes, name: str, size: int) -> bytes:
    """The same .docx with `name` replaced by `size` spaces, written without holding them in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for part in source.infolist():
            if part.filename != name:
                copy.writestr(part, source.read(part))
        with copy.open(name, "w") as handle:
            chunk = b" " * 1_000_000
            for _ in range(size // len(chunk)):
                handle.write(chunk)
    return out.getvalue()


def test_docx_whose_xml_unpacks_past_the_limit_is_refused_unparsed(tmp_path):
    # origin: "A 4 MB .docx whose document.xml unpacks to 4 GB took 62 s and 8.5 GB before failing"
    data = _with_part(docx_bytes(lambda d: d.add_paragraph(SENTENCE)), "word/styles.xml", 65_000_000)
    assert len(data) < 200_000  # small on disk: the 200 MB limit alone lets it through
    path = write(tmp_path, "bomb.docx", data)
    assert re.fullmatch(f"{re.escape(str(path))}: its XML unpacks to 65,[0-9]{{3}},[0-9]{{3}} bytes, "
                        "over the limit of 64,000,000", load_error(path))


def test_docx_media_is_never_read(tmp_path, monkeypatch):
    # origin: "A 3 MB .docx holding a 3 GB image took 6.4 GB"
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (8, 8)).save(image, format="PNG")
    data = docx_bytes(lambda d: (d.add_paragraph(SENTENCE), d.add_picture(io.BytesIO(image.getvalue()))))
    opened = []  # the parts unpacked that hold data (the reader's copy has its media emptied)
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if info.file_size and "r" == (args[0] if args else kwargs.get("mode", "r")):
            opened.append(info.filename)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    loaded = load_file(write(tmp_path, "plan.docx", data))
    assert loaded.text.startswith(SENTENCE)
    media = [name for name in opened if name.startswith("word/media/")]
    assert media == [] and "word/document.xml" in opened


def test_docx_with_too_many_parts(tmp_path):
    data = docx_bytes(lambda d: d.add_paragraph(SENTENCE))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as copy:
        for part in source.infolist():
            copy.writestr(part, source.read(part))
        for i in range(docx_reader.MAX_PARTS):
            copy.writestr(f"customXml/item{i}.bin", b"")
    path = write(tmp_path, "many.docx", out.getvalue())
    parts = len(zipfile.ZipFile(io.BytesIO(data)).infolist()) + docx_reader.MAX_PARTS
    assert load_error(path) == f"{path}: holds {parts:,} parts, over the limit of 10,000"


# --- defect 7: html reading is linear, and every file has a budget --------------------------

def _visits(monkeypatch, html: str, tmp_path) -> int:
    calls = []
    real = html_reader._is_boilerplate
    monkeypatch.setattr(html_reader, "_is_boilerplate", lambda e: (calls.append(1), real(e))[1])
    load_file(write(tmp_path, "page.html", html.encode("utf-8")))
    return len(calls)


@pytest.mark.parametrize("shape", ["nested", "siblings", "rows"])
def test_html_reading_visits_each_element_a_bounded_number_of_times(tmp_path, monkeypatch, shape):
    # origin: "100k nested divs took 590 s" (bs4's insert_before/insert_after scan the siblings)
    def page(n):
        body = {"nested": "<div>" * n + SENTENCE + "</div>" * n,
                "siblings": f"<p>{SENTENCE}</p>" * n,
                "rows": "<table>" + "<tr><td>风电</td><td>5</td><td>6</td></tr>" * n + "</table>"}[shape]
        return f'<html><body><div class="content">{body}</div></body></html>'

    small, large = (_visits(monkeypatch, page(n), tmp_path) for n in (500, 1000))
    elements = 1000 * (3 if shape == "rows" else 1)
    assert large <= 3 * elements + 20  # a few visits per element, not one per element pair
    assert large - small <= 3 * (elements // 2) + 20


def test_html_nested_past_the_parser_depth_fails_with_one_line(tmp_path):
    html = "<html><body>" + "<div>" * 100_000 + SENTENCE + "</div>" * 100_000 + "</body></html>"
    path = write(tmp_path, "deep.html", html.encode("utf-8"))
    assert load_error(path) == f"{path}: its elements nest deeper than an HTML parser reads; not a saved page"


def test_html_nested_within_the_parser_depth_keeps_its_text(tmp_path):
    html = "<html><body>" + "<div>" * 1500 + SENTENCE + "</div>" * 1500 + "</body></html>"
    assert load_file(write(tmp_path, "deep.html", html.encode("utf-8"))).text == SENTENCE


def test_html_with_an_xml_declaration(tmp_path):
    html = f'<?xml version="1.0" encoding="utf-8"?><html><body><p>{SENTENCE}</p></body></html>'
    assert load_file(write(tmp_path, "page.xhtml.html", html.encode("utf-8"))).text == SENTENCE


def _forever(*args):
    while True:
        time.sleep(0.01)


def test_a_reader_over_its_budget_fails_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(html_reader, "html_text", _forever)
    path = write(tmp_path, "slow.html", b"<html><body><p>1</p></body></html>")
    assert load_error(path, budget=0.2) == f"{path}: reading took over 0.2 s, the limit for one file"


def test_a_file_over_its_budget_fails_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(html_reader, "html_text", _forever)
    monkeypatch.setattr(load, "READ_SECONDS", 0.2)
    (tmp_path / "in").mkdir()
    write(tmp_path / "in", "slow.html", b"<html><body><p>1</p></body></html>")
    write(tmp_path / "in", "plan.txt", "到2025年，风电装机容量达到2700万千瓦。".encode("utf-8"))
    summary = run_extract([tmp_path / "in"], tmp_path / "out")
    assert summary.targets == 1 and summary.files == 2
    assert summary.errors == [("slow.html", f"{tmp_path / 'in' / 'slow.html'}: reading took over 0.2 s, "
                                            "the limit for one file")]


# --- defect 11: pages from the PDF's own pages ----------------------------------------------

PAGES = ["目录", "到2025年，风电装机容量达到2700万千瓦。", "到2030年，光伏装机容量达到5000万千瓦。"]


def test_pdf_pages_number_the_records_without_printed_footers(tmp_path):
    # origin: "A PDF without them has page empty on every record and in documents.csv"
    (tmp_path / "in").mkdir()
    pdf = pypdf.PdfWriter()
    for text in PAGES:
        pdf.append(pypdf.PdfReader(io.BytesIO(text_pdf(text))))
    buffer = io.BytesIO()
    pdf.write(buffer)
    write(tmp_path / "in", "plan.pdf", buffer.getvalue())
    run_extract([tmp_path / "in"], tmp_path / "out")
    assert [row["page"] for row in _rows(tmp_path / "out" / "targets.csv")] == ["2", "3"]
    [document] = _rows(tmp_path / "out" / "documents.csv")
    assert (document["page_start"], document["page_end"]) == ("1", "3")


def _rows(path):
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_one_page_pdf_is_page_one(tmp_path):
    from targets.core.pipeline import extract_file

    path = write(tmp_path, "plan.pdf", text_pdf(PAGES[1]))
    result = extract_file(path, tmp_path)
    assert [t.page for t in result.targets] == [1] and result.documents[0].page_end == 1


def test_printed_footers_say_otherwise(tmp_path):
    from targets.core.pipeline import extract_file

    # Printed 第N页 footers number the pages of a compilation as printed, whatever the PDF's pages.
    path = write(tmp_path, "plan.pdf", text_pdf(f"{PAGES[1]}\n第7页\n{PAGES[2]}\n第8页"))
    result = extract_file(path, tmp_path)
    assert [t.page for t in result.targets] == [7, 8]


# --- defect 12: AES-encrypted PDFs ----------------------------------------------------------

def _encrypted(user: str, owner: str, algorithm: str) -> bytes:
    writer = pypdf.PdfWriter()
    writer.append_pages_from_reader(pypdf.PdfReader(io.BytesIO(pdf_bytes(["By 2025 reach 20 percent"]))))
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_pdf_with_an_owner_password_only_is_read(tmp_path, algorithm):
    # origin: "AES-encrypted PDFs fail with DependencyError: cryptography>=3.1 is required"
    loaded = load_file(write(tmp_path, "restricted.pdf", _encrypted("", "owner", algorithm)))
    assert loaded.text.strip() == "By 2025 reach 20 percent"


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_pdf_with_a_user_password_is_password_protected(tmp_path, algorithm):
    path = write(tmp_path, "locked.pdf", _encrypted("secret", "owner", algorithm))
    assert load_error(path) == f"{path}: is a password-protected PDF"


def test_zero_page_pdf_says_so(tmp_path):
    # origin (defect 13): "a zero-page PDF 'needs OCR'"
    buffer = io.BytesIO()
    pypdf.PdfWriter().write(buffer)
    path = write(tmp_path, "empty.pdf", buffer.getvalue())
    assert load_error(path) == f"{path}: is a PDF with no pages"


def test_input_errors_stay_input_errors():
    assert issubclass(InputError, Exception) and not issubclass(load.OverBudget, Exception)


def test_a_reader_with_long_work_ahead_extends_its_budget():
    from targets.core.budget import OverBudget, extend_budget, time_budget

    with time_budget(0.2):
        extend_budget(5)  # as the PDF reader does before OCR of its scanned pages
        time.sleep(0.4)
    with pytest.raises(OverBudget), time_budget(0.2):
        time.sleep(0.4)
