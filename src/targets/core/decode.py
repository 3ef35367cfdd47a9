"""Bytes -> text: a forced codec, a byte-order mark, UTF-8, or the likelier of GB18030 and Big5.

Decoded text is kept exactly as decoded (no line-ending or whitespace normalisation): every later
offset points into it. Every failure is one InputError line: "<file>: <why>".
"""
from __future__ import annotations

import codecs
import re
from itertools import islice
from pathlib import Path


from targets.models import InputError


def input_error(path: Path, why: str) -> InputError:
    # Library messages (pypdf, zipfile) can span lines; the user gets exactly one.
    return InputError(f"{path}: {' '.join(why.split())}")


# UTF-32 before UTF-16: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]
# C0/C1 control characters other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode_bytes(path: Path, data: bytes, forced: str | None, declared: str | None = None) -> tuple[str, str]:
    """Return (text, codec name): `forced` if given, else the detected codec."""
    if forced:
        text, codec = _decode_as(path, data, forced), codecs.lookup(split_encoding(forced)[0]).name
    else:
        text, codec = _detect(path, data, declared)
    text = text.removeprefix("\ufeff")  # a forced "utf-8" leaves the BOM in
    sample = text[:100_000]
    nul = text.find("\x00")
    if nul >= 0:  # _detect looks for NUL bytes in the first 8 KB only
        raise input_error(path, f"looks like a binary file (a NUL character at {nul:,}), not text")
    # Prose has next to no control characters; a tenth of them means binary or garbage.
    if len(_CONTROL.findall(sample)) > len(sample) / 10:
        raise input_error(path, "looks like a binary file (control characters), not text")
    return text, codec


def split_encoding(name: str) -> tuple[str, str]:
    """(codec, errors) of an --encoding: `gb18030`, or `gb18030:replace` to read the bytes
    that do not decode as U+FFFD (the form of PYTHONIOENCODING).

    >>> split_encoding("gb18030"), split_encoding("utf-8:replace")
    (('gb18030', 'strict'), ('utf-8', 'replace'))
    """
    codec, _, errors = name.partition(":")
    if errors not in ("", "replace"):
        raise ValueError(f"{name!r}: after the colon only 'replace' (e.g. gb18030:replace)")
    return codec, errors or "strict"


def _decode_as(path: Path, data: bytes, encoding: str) -> str:
    codec, errors = split_encoding(encoding)
    try:
        return data.decode(codec, errors)
    except UnicodeDecodeError as exc:
        raise input_error(path, f"is not valid {codec}: {_bad_places(data, codec, exc)}") from None
    except LookupError:  # e.g. "base64": a codec, but not a text encoding
        raise input_error(path, f"unknown encoding {codec!r}") from None


def _detect(path: Path, data: bytes, declared: str | None) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_as(path, data, codec), codec
    if b"\x00" in data[:8192]:  # text without a BOM has no NUL bytes
        raise input_error(path, "looks like a binary file (NUL bytes), not text")
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
    # Imported here: most files are UTF-8 or Chinese, and a run need not pay for it.
    import charset_normalizer
    from charset_normalizer.utils import is_multi_byte_encoding

    match = charset_normalizer.from_bytes(data).best()
    if match is None or is_multi_byte_encoding(match.encoding):
        raise input_error(path, _undecodable(data))
    codec = codecs.lookup(match.encoding).name
    return _decode_as(path, data, codec), codec


def _undecodable(data: bytes) -> str:
    """Why no codec fits, and where, when one nearly does (a few bad bytes in a long file)."""
    # The fewest bad places wins; a tie goes to the likelier codec, in this order.
    bad, _, codec = min((_bad_count(data, codec), rank, codec)
                        for rank, codec in enumerate(("utf-8", "gb18030", "big5")))
    exc = _first_error(data, codec)
    if exc is None or not _nearly(data, bad):
        return ("cannot tell the encoding (not UTF-8, GB18030 or Big5); name it with --encoding "
                "(e.g. utf-16-le, shift_jis)")
    return f"not valid UTF-8, GB18030 or Big5, but nearly {codec}: {_bad_places(data, codec, exc)}"


def _first_error(data: bytes, codec: str) -> UnicodeDecodeError | None:
    try:
        data.decode(codec)
    except UnicodeDecodeError as exc:
        return exc
    return None


def _bad_count(data: bytes, codec: str) -> int:
    return data.decode(codec, "replace").count("\ufffd")


def _nearly(data: bytes, bad: int) -> bool:
    """A few bad places in a long text: a damaged file, which U+FFFD for them would save."""
    return bad <= 1 + len(data) // 1000


def _bad_places(data: bytes, codec: str, exc: UnicodeDecodeError) -> str:
    """Where a decoding fails, how often, and what --encoding would do about it:
    'a bad byte at offset 1,234 (line 5), 1 such place in all; --encoding gb18030:replace ...'."""
    count = len(data[exc.start:exc.end])
    line = data.count(b"\n", 0, exc.start) + 1
    bad = _bad_count(data, codec)
    text = (f"{'a bad byte' if count == 1 else f'{count} bad bytes'} at offset {exc.start:,} "
            f"(line {line:,}), {bad:,} such place{'s' if bad > 1 else ''} in all")
    if _nearly(data, bad):
        text += f"; --encoding {codec}:replace reads them as U+FFFD"
    return text


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
