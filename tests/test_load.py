"""Tests of the loading stage. Every fixture is built in tmp_path by the test that uses it."""
from __future__ import annotations

import codecs
import io
import tempfile
from pathlib import Path

import docx
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targets.core import ocr
from targets.core.load import SUPPORTED_SUFFIXES, Loaded, is_supported, load_file
from targets.models import InputError

SENTENCE = "到2025年，非化石能源消费比重达到20%以上，風電裝機"  # simplified, with some traditional
TRADITIONAL = "到2025年，非化石能源消費比重達到20%以上，風電裝機"  # all Big5-encodable


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def load_error(path: Path, **kwargs) -> str:
    with pytest.raises(InputError) as excinfo:
        load_file(path, **kwargs)
    return str(excinfo.value)


# --- text encodings ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (SENTENCE.encode("utf-8"), SENTENCE, "utf-8"),
        (codecs.BOM_UTF8 + SENTENCE.encode("utf-8"), SENTENCE, "utf-8-sig"),
        (codecs.BOM_UTF16_LE + SENTENCE.encode("utf-16-le"), SENTENCE, "utf-16"),
        (codecs.BOM_UTF16_BE + SENTENCE.encode("utf-16-be"), SENTENCE, "utf-16"),
        (SENTENCE.encode("gb18030"), SENTENCE, "gb18030"),
        (SENTENCE.encode("gbk"), SENTENCE, "gb18030"),
        (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "gb18030", "gbk", "big5"],
)
def test_sentence_in_each_encoding_decodes_to_the_same_text(tmp_path, data, text, encoding):
    loaded = load_file(write(tmp_path, "plan.txt", data))
    assert loaded == Loaded(text=text, encoding=encoding, fmt="txt", pages=None)


@pytest.mark.parametrize("codec", ["gb18030", "big5"])
def test_long_text_keeps_line_endings_exactly(tmp_path, codec):
    sentence = SENTENCE if codec == "gb18030" else TRADITIONAL
    text = "\r\n".join(f"（{n}）{sentence}" for n in range(200)) + "\n"
    loaded = load_file(write(tmp_path, "long.txt", text.encode(codec)))
    assert (loaded.text, loaded.encoding) == (text, codec)


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        ("风电", "風電"),
        ("碳达峰", "碳達峰"),
        ("光伏发电", "光伏發電"),
        ("单位GDP能耗", "單位GDP能耗"),
        ("非化石能源消费比重", "非化石能源消費比重"),
    ],
)
def test_short_chinese_text_is_told_apart(tmp_path, simplified, traditional):
    gb = load_file(write(tmp_path, "gb.txt", simplified.encode("gb18030")))
    big5 = load_file(write(tmp_path, "big5.txt", traditional.encode("big5")))
    assert (gb.text, gb.encoding) == (simplified, "gb18030")
    assert (big5.text, big5.encoding) == (traditional, "big5")


def test_single_byte_western_text_falls_back_to_detection(tmp_path):
    text = "Энергетическая стратегия России до 2035 года"
    loaded = load_file(write(tmp_path, "ru.txt", text.encode("cp1251")))
    assert (loaded.text, loaded.encoding) == (text, "cp1251")


def test_uppercase_suffix_and_chinese_file_name(tmp_path):
    loaded = load_file(write(tmp_path, "河南方案.TXT", SENTENCE.encode("utf-8")))
    assert loaded.text == SENTENCE


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1))
def test_any_utf8_text_round_trips(text):
    if not text.strip() or text.startswith("\ufeff"):
        return  # rejected as empty, or read as a BOM: both tested elsewhere
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load_file(write(Path(tmp), "any.txt", text.encode("utf-8")))
    assert (loaded.text, loaded.encoding) == (text, "utf-8")


# --- forced encoding -----------------------------------------------------------------------

def test_forced_encoding_is_used_and_named(tmp_path):
    path = write(tmp_path, "plan.txt", SENTENCE.encode("gbk"))
    loaded = load_file(path, encoding="GBK")
    assert (loaded.text, loaded.encoding) == (SENTENCE, "gbk")


def test_forced_encoding_reads_what_detection_rejects(tmp_path):
    path = write(tmp_path, "plan.txt", SENTENCE.encode("utf-16-le"))  # no BOM: has NUL bytes
    assert load_error(path) == f"{path}: looks like a binary file (NUL bytes), not text"
    loaded = load_file(path, encoding="utf-16-le")
    assert (loaded.text, loaded.encoding) == (SENTENCE, "utf-16-le")


def test_forced_utf8_drops_the_bom(tmp_path):
    path = write(tmp_path, "plan.txt", codecs.BOM_UTF8 + SENTENCE.encode("utf-8"))
    loaded = load_file(path, encoding="utf-8")
    assert (loaded.text, loaded.encoding) == (SENTENCE, "utf-8")


def test_forced_encoding_that_does_not_fit(tmp_path):
    path = write(tmp_path, "plan.txt", TRADITIONAL.encode("big5"))
    # Bad everywhere: no --encoding utf-8:replace hint, which would only give noise.
    assert load_error(path, encoding="utf-8") == (
        f"{path}: is not valid utf-8: a bad byte at offset 0 (line 1), 20 such places in all")


@pytest.mark.parametrize("name", ["no-such-codec", "base64"])
def test_unknown_forced_encoding(tmp_path, name):
    path = write(tmp_path, "plan.txt", SENTENCE.encode("utf-8"))
    assert load_error(path, encoding=name) == f"{path}: unknown encoding {name!r}"


# --- docx ----------------------------------------------------------------------------------

def docx_bytes(build) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_table_rows_in_document_order(tmp_path):
    def build(document):
        document.add_paragraph("主要目标")
        table = document.add_table(rows=2, cols=2)
        for (r, c), value in {(0, 0): "指标", (0, 1): "2025年", (1, 0): "非化石能源比重", (1, 1): "20%"}.items():
            table.cell(r, c).text = value
        document.add_paragraph(SENTENCE)

    loaded = load_file(write(tmp_path, "plan.docx", docx_bytes(build)))
    assert loaded == Loaded(f"主要目标\n指标\t2025年\n非化石能源比重\t20%\n{SENTENCE}", "docx", "docx")


def test_docx_merged_cells_are_written_once(tmp_path):
    def build(document):
        table = document.add_table(rows=3, cols=3)
        table.cell(0, 0).merge(table.cell(1, 0)).text = "碳排放"  # merged down
        table.cell(0, 1).merge(table.cell(0, 2)).text = "二氧化碳排放总量"  # merged across
        table.cell(1, 1).text, table.cell(1, 2).text = "碳汇量", "万吨"
        table.cell(2, 0).text = "能源"
        table.cell(2, 2).add_paragraph("第二段")  # a cell's paragraphs stay on its line

    loaded = load_file(write(tmp_path, "plan.docx", docx_bytes(build)))
    assert loaded.text == "碳排放\t二氧化碳排放总量\t\n\t碳汇量\t万吨\n能源\t\t第二段"


def test_truncated_docx(tmp_path):
    data = docx_bytes(lambda document: document.add_paragraph(SENTENCE))
    path = write(tmp_path, "plan.docx", data[: len(data) // 2])
    assert load_error(path) == f"{path}: is not a valid .docx (File is not a zip file)"


def test_old_binary_doc_named_docx(tmp_path):
    path = write(tmp_path, "plan.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert load_error(path) == f"{path}: is an old binary .doc; save it as .docx"


# --- pdf -----------------------------------------------------------------------------------

def pdf_bytes(page_texts: list[str]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per page (ASCII only)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in page_texts:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_text_and_page_starts(tmp_path):
    loaded = load_file(write(tmp_path, "plan.pdf", pdf_bytes(["By 2025 reach 20 percent", "Page 2", "3"])))
    assert loaded == Loaded("By 2025 reach 20 percent\n\nPage 2\n\n3", "pdf", "pdf", [0, 26, 34])
    first_lines = [loaded.text[start:].split("\n")[0] for start in loaded.pages]
    assert first_lines == ["By 2025 reach 20 percent", "Page 2", "3"]


def test_pdf_without_text_says_what_to_install_for_ocr(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "unavailable", lambda: ocr.INSTALL)  # as on a machine without Tesseract
    path = write(tmp_path, "scan.pdf", pdf_bytes([""]))
    assert load_error(path) == (
        f"{path}: has no text layer (a scan?); to read it with OCR install Tesseract with its Chinese "
        "data (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim) and pip install 'targets[ocr]'")


@pytest.mark.skipif(ocr.unavailable() is not None, reason="OCR needs Tesseract with chi_sim and the ocr extra")
def test_pdf_without_text_and_nothing_to_recognise(tmp_path):
    path = write(tmp_path, "scan.pdf", pdf_bytes([""]))
    assert load_error(path) == f"{path}: has no text layer, and OCR recognised no text on its pages"


def test_corrupt_pdf(tmp_path):
    path = write(tmp_path, "plan.pdf", pdf_bytes(["2025"])[:120])
    assert load_error(path).startswith(f"{path}: is not a readable PDF (")


def test_password_protected_pdf(tmp_path):
    writer = pypdf.PdfWriter()
    writer.append_pages_from_reader(pypdf.PdfReader(io.BytesIO(pdf_bytes(["2025"]))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = write(tmp_path, "locked.pdf", buffer.getvalue())
    assert load_error(path) == f"{path}: is a password-protected PDF"


# --- html ----------------------------------------------------------------------------------

def test_html_article_without_navigation(tmp_path):
    html = f"""<!DOCTYPE html><html><head><title>标题</title><style>p {{color: red}}</style></head>
    <body><nav><a href="/">首页</a></nav><div class="breadcrumb">当前位置：政策</div>
    <article><h1>河南省碳达峰实施方案</h1><p>　　{SENTENCE}</p><!-- 注释 --></article>
    <div id="footer">版权所有</div><script>var nav = 1;</script></body></html>"""
    loaded = load_file(write(tmp_path, "plan.html", html.encode("utf-8")))
    assert loaded == Loaded(f"河南省碳达峰实施方案\n{SENTENCE}", "html", "html")


def test_html_government_page_in_gbk(tmp_path):
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>
    <body><div class="header">省政府门户网站</div><div class="left-menu"><ul><li>政务公开</li></ul></div>
    <div class="main"><div id="zoom"><div class="TRS_Editor"><p>{SENTENCE}<br>第二行</p>
    <table><tr><th>指标</th><th>2025年</th></tr><tr><td> 风电 </td><td>50</td></tr><tr><td></td><td>60</td></tr></table>
    </div></div></div><div class="share">分享到</div></body></html>"""
    loaded = load_file(write(tmp_path, "plan.htm", html.encode("gbk")))
    assert loaded.text == f"{SENTENCE}\n第二行\n指标\t2025年\n风电\t50\n\t60"


@pytest.mark.parametrize("text", ["國務", "啱啱"], ids=["too-short-to-detect", "hkscs"])
def test_html_meta_charset_decides(tmp_path, text):
    # Alone, these two Big5 characters read as GB18030 "瓣叭"; 啱 is only in Big5-HKSCS,
    # which browsers use for a "big5" label.
    html = f'<html><head><meta charset="big5"></head><body><p>{text}</p></body></html>'
    loaded = load_file(write(tmp_path, "plan.html", html.encode("big5hkscs")))
    assert loaded.text == text


def test_html_with_a_wrong_meta_charset_is_detected(tmp_path):
    html = f'<html><head><meta charset="utf-8"></head><body><p>{SENTENCE}</p></body></html>'
    loaded = load_file(write(tmp_path, "plan.html", html.encode("gb18030")))
    assert loaded.text == SENTENCE


def test_html_without_a_content_element_uses_the_body(tmp_path):
    html = f"<html><head><title>标题</title></head><body><header>网站</header><p>{SENTENCE}</p><p>第二段</p></body></html>"
    loaded = load_file(write(tmp_path, "plan.html", html.encode("utf-8")))
    assert loaded.text == f"{SENTENCE}\n第二段"


def test_html_forced_encoding(tmp_path):
    html = f'<html><head><meta charset="utf-8"></head><body><p>{TRADITIONAL}</p></body></html>'
    loaded = load_file(write(tmp_path, "plan.html", html.encode("big5")), encoding="big5")
    assert loaded.text == TRADITIONAL


# --- bad input -----------------------------------------------------------------------------

def test_binary_file_with_nul_bytes(tmp_path):
    path = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert load_error(path) == f"{path}: looks like a binary file (NUL bytes), not text"


def test_binary_file_of_control_characters(tmp_path):
    path = write(tmp_path, "noise.txt", b"\x01\x02\x03\x04hello\x05\x06\x07\x08")
    assert load_error(path) == f"{path}: looks like a binary file (control characters), not text"


def test_undecodable_file(tmp_path):
    path = write(tmp_path, "cut.txt", "到2025年".encode("gbk")[:-1])  # GBK cut mid-character
    # Cut short, it is GB18030 but for its last byte: what --encoding would do is said.
    assert load_error(path) == (
        f"{path}: not valid UTF-8, GB18030 or Big5, but nearly gb18030: a bad byte at offset 6 "
        "(line 1), 1 such place in all; --encoding gb18030:replace reads them as U+FFFD")


@pytest.mark.parametrize(
    ("data", "why"),
    [(b"", "empty file"), (codecs.BOM_UTF8, "contains no text"), (b" \r\n\t", "contains no text")],
)
def test_empty_file(tmp_path, data, why):
    path = write(tmp_path, "plan.txt", data)
    assert load_error(path) == f"{path}: {why}"


def test_unreadable_file(tmp_path):
    path = write(tmp_path, "secret.txt", SENTENCE.encode("utf-8"))
    path.chmod(0)
    try:
        with path.open("rb"):
            pytest.skip("this user can read a mode-000 file (root)")
    except PermissionError:
        pass
    try:
        assert load_error(path) == f"{path}: permission denied"
    finally:
        path.chmod(0o644)


def test_permission_error_when_opening(tmp_path, monkeypatch):
    # The mode-000 test above is skipped under root; this one runs everywhere.
    path = write(tmp_path, "secret.txt", SENTENCE.encode("utf-8"))

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert load_error(path) == f"{path}: permission denied"


def test_directory(tmp_path):
    path = tmp_path / "plans.txt"
    path.mkdir()
    assert load_error(path) == f"{path}: is a directory, not a file"


def test_missing_file(tmp_path):
    path = tmp_path / "missing.txt"
    assert load_error(path) == f"{path}: no such file"


@pytest.mark.parametrize(("name", "kind"), [("table.csv", "'.csv'"), ("README", "(no extension)")])
def test_unsupported_extension(tmp_path, name, kind):
    path = write(tmp_path, name, SENTENCE.encode("utf-8"))
    expected = ".docx, .htm, .html, .pdf, .txt"
    assert load_error(path) == f"{path}: unsupported file type {kind}; expected {expected}"


def test_file_over_max_bytes(tmp_path):
    data = SENTENCE.encode("utf-8")
    path = write(tmp_path, "plan.txt", data)
    limit = len(data) - 1
    assert load_error(path, max_bytes=limit) == f"{path}: file is {len(data)} bytes, over the limit of {limit}"
    assert load_file(path, max_bytes=len(data)).text == SENTENCE


def test_error_messages_are_one_line(tmp_path):
    path = write(tmp_path, "plan.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog\n")
    message = load_error(path)
    assert "\n" not in message and message.startswith(f"{path}: ")


# --- is_supported --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.txt", True), ("a.TXT", True), ("a.md", False), ("a.text", False), ("b.Docx", True), ("c.pdf", True), ("d.htm", True),
     ("e.HTML", True), ("f.doc", False), ("g.csv", False), ("h.tar.gz", False), ("README", False)],
)
def test_is_supported(name, expected):
    assert is_supported(Path(name)) is expected


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == {".txt", ".docx", ".pdf", ".html", ".htm"}


def test_loaded_is_frozen():
    loaded = Loaded("text", "utf-8", "txt")
    with pytest.raises(AttributeError):
        loaded.text = "other"  # type: ignore[misc]


def test_nul_byte_past_the_sniffed_start(tmp_path):
    path = write(tmp_path, "log.txt", SENTENCE.encode("utf-8") * 200 + b"\x00tail")
    at = len(SENTENCE) * 200
    assert load_error(path) == f"{path}: looks like a binary file (a NUL character at {at:,}), not text"
