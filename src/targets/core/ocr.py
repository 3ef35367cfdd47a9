"""Text of scanned PDF pages by OCR: pypdfium2 renders a page, Tesseract (via pytesseract) reads it.

Both are optional: the ocr extra (pip install 'targets[ocr]') and the Tesseract program with its
simplified-Chinese data (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim).
"""
from __future__ import annotations

import shutil
from importlib.util import find_spec

LANGUAGE = "chi_sim"
DPI = 300  # Tesseract reads 10.5-pt Chinese well from 300 dpi on; less loses strokes
INSTALL = ("install Tesseract with its Chinese data (Debian: apt-get install tesseract-ocr "
           "tesseract-ocr-chi-sim) and pip install 'targets[ocr]'")


def unavailable() -> str | None:
    """What to install for OCR, or None when everything it needs is there."""
    if find_spec("pytesseract") is None or find_spec("pypdfium2") is None or not shutil.which("tesseract"):
        return INSTALL
    import pytesseract

    if LANGUAGE not in pytesseract.get_languages():
        return INSTALL
    return None


def recognise(data: bytes, pages: list[int]) -> list[str]:
    """The text Tesseract reads on each of `pages` (1 first) of a PDF's bytes."""
    import pypdfium2
    import pytesseract

    document = pypdfium2.PdfDocument(data)
    try:
        texts = []
        for n in pages:
            image = document[n - 1].render(scale=DPI / 72).to_pil()
            texts.append(pytesseract.image_to_string(image, lang=LANGUAGE))
        return texts
    finally:
        document.close()
