"""Split a file's original text into documents, and tell the page of any offset.

A compilation (corpus/003: ~115 plans on one line, page footers 第N页) is cut at document
headers; its contents, summary tables and advertising stay out of every document. Any
other file is one document. Every offset refers to the original decoded text.
The vocabulary (header patterns, section words, draft words) is rules/documents.toml.
"""
from __future__ import annotations

import bisect
from collections import namedtuple
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import regex
from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator

from targets.core.attribute import leading_name
from targets.core.places import Places
from targets.core.tomlfile import Rx, read_toml, validate
from targets.core.rulefiles import package_rules

RULES_FILE = package_rules() / "documents.toml"
HEADER_REACH = 600  # characters a header may span (region, 《title》, URL)
# Footers a new run of page numbers must outlast the old run by before it counts: a body text
# that cites 第1页和第2页 starts none.
RESTART_PROBATION = 3


@dataclass(frozen=True)
class DocSpan:
    start: int                    # char offsets into the original text; ordered, non-overlapping
    end: int
    title: str                    # without 《》, simplified
    region: str                   # issuer as named: 北京市, 国务院, 上海市徐汇区 ...
    url: str = ""
    published: str = ""           # ISO date, when the text gives one near the top
    is_draft: bool = False
    body_start: int = -1          # where the text after the header starts; -1: same as start

    def __post_init__(self) -> None:
        if self.body_start < 0:
            object.__setattr__(self, "body_start", self.start)




class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class _Markers(_Strict):
    page: Rx
    max_jump: int


class _Header(_Strict):
    id: str
    pattern: Rx

    @field_validator("pattern")
    @classmethod
    def _groups(cls, v: str) -> str:
        if "(?P<region>" not in v or "(?P<title>" not in v:
            raise ValueError("a header pattern needs the named groups region and title")
        return v


class _Compilation(_Strict):
    min_headers: int
    front_keywords: list[Rx]
    table_keywords: list[Rx]
    ad_patterns: list[Rx]
    page_top_window: int
    orphan_min_sentences: int
    sentence_end: Rx
    toc_entry: Rx
    toc_quoted: Rx
    toc_section: Rx
    section_regions: dict[str, str] = {}


class _Single(_Strict):
    title_continuation_max: int
    cover_letter: list[Rx]
    headline_marks: list[str]
    quoted_title: Rx
    window: int
    region_fallback: Rx


class _Text(_Strict):
    readings: Rx
    draft_words: list[str]
    published: list[Rx]


class DocumentRules(_Strict):
    markers: _Markers
    header: list[_Header]
    compilation: _Compilation
    single: _Single
    text: _Text
    _compiled: dict[str, regex.Pattern] = PrivateAttr(default_factory=dict)

    def rx(self, pattern: str) -> regex.Pattern:
        """One of these rules' patterns, compiled once (each was checked when the file was read);
        kept with the rules, so the engine cache (enginecache.py) keeps them compiled."""
        found = self._compiled.get(pattern)
        if found is None:
            found = self._compiled[pattern] = regex.compile(pattern)
        return found


def load_document_rules(path: Optional[Path] = None) -> DocumentRules:
    """Read and validate rules/documents.toml; RuleError names the file and the entry.

    Read once per file and process (or given by the engine cache: keep_document_rules)."""
    path = Path(path or RULES_FILE)
    if path not in _LOADED:
        _LOADED[path] = validate(path, DocumentRules, read_toml(path, "document rules"))
    return _LOADED[path]


def keep_document_rules(path: Optional[Path], rules: DocumentRules) -> None:
    """Make `rules` what load_document_rules(path) gives (rules the engine cache kept)."""
    _LOADED[Path(path or RULES_FILE)] = rules


_LOADED: dict[Path, DocumentRules] = {}


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError:  # titles then stay as written
        return None
    return opencc.OpenCC("t2s")


def _clean_title(title: str, rules: DocumentRules) -> str:
    title = regex.sub(r"\s+", "", rules.rx(rules.text.readings).sub("", title))
    conv = _t2s()
    return conv.convert(title) if conv else title


# ---- pages -----------------------------------------------------------------------------

def page_markers(text: str, rules: Optional[DocumentRules] = None) -> list[tuple[int, int, int]]:
    """(start, end, N) of every page footer 第N页, in text order.

    A footer continues the run of page numbers before it (up to `max_jump` further on). One
    that does not is a stray 第N页 of the body and is skipped, unless the footer after it
    continues it and not the old run: then a new run starts there (a second compilation in
    the same file, whose footers restart at 第1页). If the old run goes on within
    RESTART_PROBATION footers, the new one was body text after all and is dropped.
    """
    rules = rules or load_document_rules()
    jump = rules.markers.max_jump

    def follows(before: int, n: int) -> bool:
        return before < n <= before + jump

    found = [(m.start(), m.end(), int(m.group("n"))) for m in rules.rx(rules.markers.page).finditer(text)]
    out: list[tuple[int, int, int]] = []
    restart: Optional[tuple[int, int]] = None  # (where in `out` a new run began, the old run's last N)
    for i, marker in enumerate(found):
        n = marker[2]
        if restart and n == restart[1] + 1 and len(out) - restart[0] <= RESTART_PROBATION:
            del out[restart[0]:]
            restart = None
        elif out and not follows(out[-1][2], n):
            after = found[i + 1][2] if i + 1 < len(found) else None
            if after is None or not follows(n, after) or follows(out[-1][2], after):
                continue
            restart = (len(out), out[-1][2])
        out.append(marker)
    return out


def pdf_page_markers(starts: list[int], length: int, separator: int = 2) -> list[tuple[int, int, int]]:
    """Markers in page_markers' form from where each page of a PDF starts in its text.

    Page N is closed by the separator before page N+1, the last page by the end of the text.
    >>> page_at(pdf_page_markers([0, 12], 20), 5), page_at(pdf_page_markers([0, 12], 20), 15)
    (1, 2)
    """
    ends = [(start - separator, start) for start in starts[1:]] + [(length, length)]
    return [(start, end, n) for n, (start, end) in enumerate(ends, 1)]


def page_at(markers: list[tuple[int, int, int]], pos: int) -> Optional[int]:
    """Page of an offset: the footer 第N页 closes page N, so text after it is on page N+1."""
    if not markers:
        return None
    k = bisect.bisect_right(markers, pos, key=lambda m: m[1])
    if k < len(markers) and markers[k][0] <= pos:
        return markers[k][2]          # inside the footer itself
    return markers[0][2] if k == 0 else markers[k - 1][2] + 1


def markers_around(markers: list[tuple[int, int, int]], start: int,
                   end: int) -> list[tuple[int, int, int]]:
    """The markers page_at needs for any offset in [start, end): those inside, and the one on
    either side. A worker given one document's share of a file's markers finds its pages.

    >>> marks = [(10, 13, 1), (50, 53, 2), (90, 93, 3), (130, 133, 4)]
    >>> markers_around(marks, 60, 80), page_at(marks, 70) == page_at(markers_around(marks, 60, 80), 70)
    ([(50, 53, 2), (90, 93, 3)], True)
    """
    low = bisect.bisect_right(markers, start, key=lambda m: m[1])  # markers ended by `start`
    high = bisect.bisect_left(markers, end, key=lambda m: m[0])   # markers begun before `end`
    return markers[max(low - 1, 0):high + 1]


# ---- compilations ------------------------------------------------------------------------

# A header found in the text: where it starts, where the text after it starts, and what it says.
_Head = namedtuple("_Head", "start body region title url")

# What a stretch of a file is when it is not a document: every character is one or the other.
FRONT, TABLE, ADVERTISING, BLANK, UNPLACED = (
    "front matter", "summary table", "advertising", "blank", "unplaced")


@dataclass(frozen=True)
class Part:
    """A stretch of a file's text: a document, or a named part that is none (FRONT ...)."""

    start: int
    end: int
    kind: str                     # "document", or one of FRONT, TABLE, ADVERTISING, BLANK, UNPLACED
    doc: Optional[DocSpan] = None


def _find_headers(text: str, markers: list, rules: DocumentRules) -> list[_Head]:
    # Headers open a page, so they are only tried at the text start and after each footer.
    # Each try sees a short slice: `regex` pays for the whole string on every call.
    out: list[_Head] = []
    for pos in [0] + [e for _, e, _ in markers]:
        piece = text[pos:pos + HEADER_REACH]
        for header in rules.header:
            m = rules.rx(header.pattern).match(piece)
            if m:
                url = m.groupdict().get("url") or ""
                out.append(_Head(pos + m.start("region"), pos + m.end(), m.group("region"),
                                 m.group("title"), url))
                break
    return out


def _front_end(text: str, start: int, end: int, markers: list, rules: DocumentRules) -> int:
    """End of a cover, contents and summary table in text[start:end]; -1 when there is none."""
    last = max((m.end() for p in rules.compilation.front_keywords
                for m in rules.rx(p).finditer(text, start, end)), default=-1)
    if last < 0:
        return -1
    after = [e for s, e, _ in markers if s >= last and e <= end]
    return after[0] if after else last


def _block_starts(text: str, markers: list, rules: DocumentRules) -> list[tuple[int, str]]:
    """(start, kind) of summary tables (from their page top) and of advertising, in order."""
    window = rules.compilation.page_top_window
    ends = [e for _, e, _ in markers]
    starts = {}
    for pattern in rules.compilation.table_keywords:
        for m in rules.rx(pattern).finditer(text):
            k = bisect.bisect_right(ends, m.start())
            top = ends[k - 1] if k else 0
            starts.setdefault(top if m.start() - top <= window else m.start(), TABLE)
    for pattern in rules.compilation.ad_patterns:
        for m in rules.rx(pattern).finditer(text):
            starts.setdefault(m.start(), ADVERTISING)
    return sorted(starts.items())


def _toc_lookup(front: str, page: Optional[int], rules: DocumentRules,
                places: Optional[Places]) -> tuple[str, str]:
    """(region, title) of the contents entry for a page; the section names a default issuer."""
    section = ""
    for m in rules.rx(rules.compilation.toc_entry).finditer(front):
        entry = m.group("entry").strip()
        sec = rules.rx(rules.compilation.toc_section).match(entry)
        if sec:
            section = sec.group("section")
            continue
        if page is None or int(m.group("page")) != page:
            continue
        q = rules.rx(rules.compilation.toc_quoted).match(entry)
        region, title = (q.group("region").strip(), q.group("title")) if q else ("", entry)
        default = rules.compilation.section_regions.get(section, "")
        region = region or leading_name(title, places) or default
        return region, title
    return "", ""


def _orphan(text: str, front: int, start: int, end: int, markers: list, rules: DocumentRules,
            places: Optional[Places]) -> Optional[DocSpan]:
    """A document after the front matter text[front:start] and before a header, when it is prose."""
    while start < end and text[start].isspace():
        start += 1
    body = text[start:end]
    sentences = len(rules.rx(rules.compilation.sentence_end).findall(body))
    if sentences < rules.compilation.orphan_min_sentences:
        return None
    region, title = _toc_lookup(text[front:start], page_at(markers, start), rules, places)
    return _make_span(text, start, end, start, _clean_title(title, rules), region, "", rules)


def _named(text: str, start: int, end: int, kind: str) -> list[Part]:
    """text[start:end] as a part of `kind`, or BLANK when it is only white space."""
    if start >= end:
        return []
    return [Part(start, end, BLANK if not text[start:end].strip() else kind)]


def _between(text: str, start: int, end: int, blocks: list[tuple[int, str]],
             first: str) -> list[Part]:
    """Parts of text between documents: each block runs to the next; before them, `first`."""
    inside = [(b, kind) for b, kind in blocks if start < b < end]
    cuts = [(start, dict(blocks).get(start, first)), *inside, (end, "")]
    return [p for (a, kind), (b, _) in zip(cuts, cuts[1:]) for p in _named(text, a, b, kind)]


def _gap(text: str, start: int, end: int, markers: list, blocks: list[tuple[int, str]],
         rules: DocumentRules, places: Optional[Places], at_top: bool) -> list[Part]:
    """Parts of text[start:end], before a header: front matter (the file's, or a second
    compilation's), a document that lost its header, tables and advertising; else unplaced."""
    front = _front_end(text, start, end, markers, rules)
    orphan = (_orphan(text, start, max(front, start), end, markers, rules, places)
              if front >= 0 or at_top else None)
    if orphan is None and not at_top:   # between two documents: tables and advertising
        return _between(text, start, end, blocks, UNPLACED)
    front = max(front, start)
    head = _named(text, start, front, FRONT) if at_top else _between(text, start, front, blocks, FRONT)
    if orphan is None:
        return head + _named(text, front, end, UNPLACED)
    return [*head, *_named(text, front, orphan.start, BLANK),
            Part(orphan.start, orphan.end, "document", orphan), *_named(text, orphan.end, end, UNPLACED)]


def _compilation_parts(text: str, heads: list[_Head], markers: list, rules: DocumentRules,
                       places: Optional[Places]) -> list[Part]:
    blocks = _block_starts(text, markers, rules)
    block_starts = [b for b, _ in blocks]
    parts: list[Part] = []
    pos = 0                               # where the text no part has yet starts
    for i, h in enumerate(heads):
        if h.start > pos:
            parts += _gap(text, pos, h.start, markers, blocks, rules, places, at_top=i == 0)
        end = heads[i + 1].start if i + 1 < len(heads) else len(text)
        k = bisect.bisect_right(block_starts, h.start)
        if k < len(blocks):
            end = min(end, block_starts[k])
        doc = _make_span(text, h.start, end, h.body, _clean_title(h.title, rules), h.region,
                         h.url, rules)
        parts.append(Part(doc.start, doc.end, "document", doc))
        pos = doc.end
    return parts + _between(text, pos, len(text), blocks, UNPLACED)


def _make_span(text: str, start: int, end: int, body: int, title: str, region: str,
               url: str, rules: DocumentRules, trim: bool = True, header: str = "") -> DocSpan:
    while trim and end > start and text[end - 1].isspace():
        end -= 1          # trailing white space belongs to no document
    header = (header or text[start:body]) + title
    return DocSpan(start, end, title, region, url=url,
                   published=_published(text[body:body + rules.single.window], rules),
                   is_draft=any(w in header for w in rules.text.draft_words), body_start=body)


def _published(window: str, rules: DocumentRules) -> str:
    window = rules.rx(rules.text.readings).sub("", window)
    for pattern in rules.text.published:
        for m in rules.rx(pattern).finditer(window):
            y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


# ---- single documents -------------------------------------------------------------------

def _title_line(text: str, rules: DocumentRules) -> str:
    """The first non-empty line, joined with short continuation lines (…工作方\\n案的通知)."""
    lines = [ln.strip() for ln in text[:2000].split("\n")]
    i = next((k for k, ln in enumerate(lines) if ln), len(lines))
    title = lines[i] if i < len(lines) else ""
    for ln in lines[i + 1:]:
        if not ln or len(ln) > rules.single.title_continuation_max:
            break
        title += ln
    return title


def _single_title(text: str, rules: DocumentRules) -> str:
    title = _clean_title(_title_line(text, rules), rules)
    for pattern in rules.single.cover_letter:
        m = rules.rx(pattern).search(title)
        if m:
            return m.group("title")
    if any(mark in title for mark in rules.single.headline_marks):
        window = _clean_title(text[: rules.single.window], rules)
        m = rules.rx(rules.single.quoted_title).search(window)
        if m:
            return m.group("title")
    return title


def _single(text: str, heads: list[_Head], rules: DocumentRules,
            places: Optional[Places]) -> DocSpan:
    head = heads[0] if heads and not text[: heads[0].start].strip() else None
    if head:
        return _make_span(text, 0, len(text), head.body, _clean_title(head.title, rules),
                          head.region, head.url, rules, trim=False)
    title = _single_title(text, rules)
    region = leading_name(title, places)
    if not region:
        m = rules.rx(rules.single.region_fallback).match(title)
        region = m.group("region") if m else ""
    # The whole file is the document; its title line (a draft says so there) is its header.
    return _make_span(text, 0, len(text), 0, title, region, "", rules, trim=False,
                      header=_title_line(text, rules))


def file_parts(text: str, rules_file: Optional[Path] = None,
               places: Optional[Places] = None) -> list[Part]:
    """Every character of a file in one part: its documents in order, and what is none.

    `places` names the places a title may open with (the project's when None)."""
    rules = load_document_rules(rules_file)
    markers = page_markers(text, rules)
    heads = _find_headers(text, markers, rules)
    if len(heads) >= rules.compilation.min_headers:
        return _compilation_parts(text, heads, markers, rules, places)
    doc = _single(text, heads, rules, places)
    return [Part(doc.start, doc.end, "document", doc)]


def unplaced(parts: list[Part], markers: list) -> list[str]:
    """A warning for each part that fits no document: never text left out in silence."""
    out = []
    for p in parts:
        if p.kind == UNPLACED:
            first, last = page_at(markers, p.start), page_at(markers, p.end - 1)
            pages = ("" if first is None else f", page {first}," if first == last
                     else f", pages {first}-{last},")
            out.append(f"{p.end - p.start:,} characters at {p.start:,}-{p.end:,}{pages} fit "
                       "no document; they are left out")
    return out


def split_documents(text: str, rules_file: Optional[Path] = None,
                    places: Optional[Places] = None) -> list[DocSpan]:
    """The documents of a file, in order; one covering the whole text unless a compilation."""
    return [p.doc for p in file_parts(text, rules_file, places) if p.doc is not None]


def head_text(text: str, span: DocSpan, chars: int, rules_file: Optional[Path] = None) -> str:
    """The first `chars` characters of a document as places are looked up in: simplified,
    readings (zhì) and white space removed, one line per line."""
    rules = load_document_rules(rules_file)
    # Readings and white space removed, the raw text is longer: four times is plenty.
    raw = text[span.start:min(span.end, span.start + 4 * chars)]
    lines = (_clean_title(line, rules) for line in raw.split("\n"))
    out, size = [], 0
    for line in lines:
        if line:
            out.append(line)
            size += len(line) + 1
        if size >= chars:
            break
    return "\n".join(out)
