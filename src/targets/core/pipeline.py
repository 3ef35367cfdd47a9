"""extract(): load -> split documents -> normalize -> segment -> match -> resolve. Nothing else."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator, Optional, TypeVar

from targets.core import documents

from targets.core import enginecache, indicators

from targets.core import attribute, places
from targets.core.inputs import source_of
from targets.core.load import Loaded, load_file
from targets.models import Document, InputError, Target, TargetsError
from targets.core.context import DocContext
from targets.core.normalize import normalize
from targets.core.reading import SENTENCE_STOPS, DocumentPass
from targets.core.resolve import DEFAULT_DOC, Resolved, Resolver
from targets.core.rulebook import DEFAULT_RULES_DIR, RuleSet, load_rules
from targets.core.segment import Sentence
from targets.core.steps.years import document_present

T = TypeVar("T")


@dataclass
class FileResult:
    """What one input file gave: its documents and targets, or the reason it gave nothing."""

    source: str
    documents: list[Document] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    error: Optional[str] = None
    chars: int = 0
    notes: list[str] = field(default_factory=list)  # said once per run (e.g. tables may be flattened)
    warnings: list[str] = field(default_factory=list)  # text that fits no document, and where


@lru_cache(maxsize=4)
def _engine(rules_dir: Optional[str]) -> tuple[RuleSet, Resolver]:
    """The rule folder's rules and Resolver: from the disk cache (enginecache), else built."""
    folder = Path(rules_dir) if rules_dir else None
    rules, resolver, known, doc_rules = enginecache.cached(folder, lambda: _build_engine(folder))
    # The cache is kept by the folder's resolved path; the rules name it as it was given.
    rules.directory = folder or DEFAULT_RULES_DIR
    # What the stages load by folder is the engine's: loaded with it, never read again.
    places.keep_places(folder, known)
    documents.keep_document_rules(_data_file(folder, "documents.toml"), doc_rules)
    return rules, resolver


def rules_of(rules_dir: Optional[str]) -> RuleSet:
    """A rule folder's rules (their Resolver with them), one per process."""
    return _engine(rules_dir)[0]


def places_of(rules_dir: Optional[str]) -> places.Places:
    """A rule folder's places, kept with its engine: the rules load (or fail) first."""
    _engine(rules_dir)
    return places.load_places(Path(rules_dir) if rules_dir else None)


def _build_engine(folder: Optional[Path]) -> tuple:
    """(rules, resolver, places, document rules) of a folder, validated and warm."""
    rules = load_rules(folder)
    indicators.taxonomy_for(rules)  # a broken indicators.toml fails here, before any file is read
    resolver = resolver_for(rules)   # the rules keep both
    engine = (rules, resolver, places.load_places(folder),
              documents.load_document_rules(_data_file(folder, "documents.toml")))
    _warm_up(resolver)
    return engine


def _warm_up(resolver: Resolver) -> None:
    """Run a new engine once over its rules' own examples before it is cached: what the
    stages compile on first use (patterns, the place index) is then compiled in the cache."""
    texts = [ex.text for _, _, rule in resolver.rules.example_sets() for ex in rule.examples]
    try:
        extract_loaded(Loaded("\n".join(texts), "utf-8", "txt"), "<warm-up>", resolver)
    except Exception:  # a run meets it again, and says so per file; here it only cuts the warm-up short
        pass


@lru_cache(maxsize=8)  # once per rule set (its one Resolver), not per document
def _stops_in_units(resolver: Resolver) -> bool:
    words = [*resolver.matcher.unit_of, *resolver.rules.units.denominators]
    return any(c in w for w in words for c in SENTENCE_STOPS)


def resolve_text(text: str, resolver: Resolver,
                 doc: DocContext = DEFAULT_DOC) -> list[tuple[Resolved, Sentence, int, int]]:
    """(target, sentence, start, end) for a normalized document text; offsets into that text."""
    # One scan of the whole text for quantities: most sentences hold none, so have no target,
    # and need not go to the resolver. No quantity spans a stop, so for a sentence that starts
    # after one the scan found what the sentence's own matching finds. No timeout: it would
    # bound the whole text, not a sentence, and this pattern (escaped unit words after a fixed
    # number syntax) is linear; each sentence's own matching keeps its timeout.
    starts = (None if _stops_in_units(resolver)
              else [m.start() for m in resolver.matcher.quantity_pattern.finditer(text)])
    found = DocumentPass(text, resolver, resolver.reader, doc).run(starts)
    return [(r, s, s.start + r.start, s.start + r.end) for r, s in found]


def document_targets(original: str, doc: Document, resolver: Resolver,
                     markers: list) -> list[Target]:
    """The targets of one document span of a file's original text."""
    return targets_of(original[doc.char_start:doc.char_end], doc, resolver, markers)


def targets_of(text: str, doc: Document, resolver: Resolver, markers: list) -> list[Target]:
    """The targets of a document from its own text, original[doc.char_start:doc.char_end]
    (all a worker is sent of a large file); offsets and pages are the file's."""
    norm = normalize(text, resolver.rules)
    taxonomy = indicators.taxonomy_for(resolver.rules)
    present = document_present(doc.doc_title, norm.text, resolver.rules)
    targets, base = [], doc.char_start
    for r, s, start, end in resolve_text(norm.text, resolver, present):
        o_start, o_end = (base + x for x in norm.span_to_orig(start, end))
        s_start, s_end = (base + x for x in norm.span_to_orig(s.start, s.end))
        indicator_id, sector = taxonomy.classify(r.indicator, taxonomy.family_of(r.unit))
        targets.append(Target(
            doc_id=doc.doc_id, source=doc.source, doc_title=doc.doc_title, region=doc.region,
            province=doc.province, region_code=doc.region_code, province_code=doc.province_code,
            province_en=doc.province_en, indicator=r.indicator, indicator_id=indicator_id,
            indicator_en=taxonomy.english(indicator_id), sector=sector,
            sector_en=taxonomy.sector_english(sector),
            value=r.value, value_max=r.value_max,
            unit=r.unit, value_std=r.value_std, unit_std=r.unit_std, comparator=r.comparator,
            kind=r.kind, direction=r.direction, base_year=r.base_year, target_year=r.target_year,
            strive=r.strive, sentence=text[s_start - base:s_end - base].strip(), char_start=o_start,
            char_end=o_end, page=documents.page_at(markers, o_start), rule_id=r.rule_id,
            year_source=r.year_source, decided_by=r.decided_by, section=r.section))
    return targets


def _data_file(rules_dir: Optional[Path], name: str) -> Optional[Path]:
    """A rule folder's own copy of a data file, if it has one (else the project's)."""
    path = Path(rules_dir) / name if rules_dir else None
    return path if path and path.is_file() else None


def split_file(text: str, source: str, rules_dir: Optional[Path] = None,
               pdf_pages: Optional[list[int]] = None) -> tuple[list[Document], list, list[str]]:
    """The documents of a file's text, with jurisdiction and pages, the page markers, and a
    warning for each stretch of text that fits no document.

    Printed footers 第N页 number the pages; where there are none, a PDF's own pages do. The
    rule folder's own document rules (page footers, headers) are used where it has them.
    """
    doc_rules = _data_file(rules_dir, "documents.toml")
    markers = documents.page_markers(text, documents.load_document_rules(doc_rules))
    if not markers and pdf_pages:
        markers = documents.pdf_page_markers(pdf_pages, len(text))
    known = places.load_places(rules_dir)
    parts = documents.file_parts(text, doc_rules, known)
    spans = [p.doc for p in parts if p.doc is not None]
    # The file's path, not its name: a/plan.txt and b/plan.txt are two documents, not one.
    stem = str(PurePosixPath(source).with_suffix(""))
    docs = []
    for i, span in enumerate(spans):
        doc_id = stem if len(spans) == 1 else f"{stem}#{i + 1:03d}"
        place = attribute.attribute(known, span.region, span.title, lambda: documents.head_text(
            text, span, known.rules.head.source_window, doc_rules))
        docs.append(Document(
            doc_id=doc_id, source=source, doc_title=span.title, region=span.region or place.named,
            province=place.province, level=place.level, region_code=place.region_code,
            province_code=place.province_code, province_en=place.province_en,
            place_note=place.note, is_draft=span.is_draft,
            url=span.url, published=span.published, page_start=documents.page_at(markers, span.start),
            page_end=documents.page_at(markers, max(span.start, span.end - 1)),
            char_start=span.start, char_end=span.end))
    return docs, markers, documents.unplaced(parts, markers)


def open_loaded(loaded: Loaded, source: str, resolver: Resolver) -> tuple[FileResult, list[Document], list]:
    """A file's first piece (its size, notes and warnings), its documents and its page markers."""
    docs, markers, warnings = split_file(loaded.text, source, resolver.rules.directory, loaded.pages)
    head = FileResult(source=source, chars=len(loaded.text), notes=list(loaded.notes),
                      warnings=warnings)
    return head, docs, markers


def document_piece(text: str, doc: Document, resolver: Resolver, markers: list,
                   alone: bool) -> FileResult:
    """A piece with one document and its targets, or why it gave none. `text` is the
    document's own text; `alone`: it is its file's only document (a failure is the file's)."""
    def work() -> FileResult:
        found = targets_of(text, doc, resolver, markers)
        return FileResult(source=doc.source, targets=found,
                          documents=[doc.model_copy(update={"n_targets": len(found)})])

    return guarded(doc.source, None if alone else doc.doc_id, work)


def loaded_pieces(loaded: Loaded, source: str, resolver: Resolver) -> Iterator[FileResult]:
    """A loaded file's pieces in order: the file's own, then one for each document."""
    head, docs, markers = open_loaded(loaded, source, resolver)
    yield head
    yield from _document_pieces(loaded, docs, markers, resolver)


def _document_pieces(loaded: Loaded, docs: list[Document], markers: list,
                     resolver: Resolver) -> Iterator[FileResult]:
    for doc in docs:
        piece = document_piece(loaded.text[doc.char_start:doc.char_end], doc, resolver, markers,
                               alone=len(docs) == 1)
        if loaded.ocr_pages:
            piece.targets = [t.model_copy(update={"ocr": 1}) if loaded.is_ocr(t.char_start) else t
                             for t in piece.targets]
        yield piece


def extract_loaded(loaded: Loaded, source: str, resolver: Resolver) -> FileResult:
    return merged(loaded_pieces(loaded, source, resolver))


def open_file(path: Path, source: str, rules_dir: Optional[str],
              encoding: Optional[str]) -> tuple[Loaded, FileResult, list[Document], list, Resolver]:
    """A file loaded and split: (loaded, its first piece, documents, markers, resolver)."""
    _, resolver = _engine(rules_dir)
    loaded = load_file(path, encoding=encoding)
    return (loaded, *open_loaded(loaded, source, resolver), resolver)


def file_pieces(path: Path, root: Path, rules_dir: Optional[str] = None,
                encoding: Optional[str] = None) -> Iterator[FileResult]:
    """One file's results in pieces, in order: the file's own (its notes and warnings, or why it
    could not be read), then each document's (its targets, or why it gave none). A piece
    at a time, a large compilation's targets need never be in memory all at once."""
    source = source_of(path, root)
    opened = guarded(source, None, lambda: open_file(path, source, rules_dir, encoding))
    if isinstance(opened, FileResult):
        yield opened
        return
    loaded, head, docs, markers, resolver = opened
    yield head
    yield from _document_pieces(loaded, docs, markers, resolver)


def extract_file(path: Path, root: Path, rules_dir: Optional[str] = None,
                 encoding: Optional[str] = None) -> FileResult:
    """One file's documents and targets; a bad file gives a FileResult with its error."""
    return merged(file_pieces(path, root, rules_dir, encoding))


def merged(pieces: Iterable[FileResult]) -> FileResult:
    """A file's pieces as one FileResult; the failures of its documents make one error line."""
    head, *rest = pieces
    errors = [p.error for p in (head, *rest) if p.error]
    more = f" (and {len(errors) - 1} more of its documents)" if len(errors) > 1 else ""
    return FileResult(source=head.source, chars=head.chars, notes=head.notes,
                      warnings=head.warnings, error=errors[0] + more if errors else None,
                      documents=[d for p in rest for d in p.documents],
                      targets=[t for p in rest for t in p.targets])


def guarded(source: str, doc_id: Optional[str], work: Callable[[], T]) -> T | FileResult:
    """What `work` gives, or a FileResult that says why it failed: a file's failure (doc_id
    None) or one document's, which costs its file's other documents nothing."""
    try:
        return work()
    except InputError as exc:
        return FileResult(source=source, error=str(exc))
    except TargetsError:
        raise
    except TimeoutError:  # regex's timeout: a rule pattern backtracks on this file's text
        what = f"file's document {doc_id}" if doc_id else "file"
        return FileResult(source=source, error=f"{source}: a rule pattern ran out of time on this "
                                               f"{what} (it backtracks on some text): check the rules")
    except Exception as exc:  # one broken file must never cost the others
        where = f" in its document {doc_id}" if doc_id else ""
        return FileResult(source=source, error=f"{source}: unexpected {type(exc).__name__}{where}: {exc}")


def resolver_for(rules: RuleSet) -> Resolver:
    """The rule set's one Resolver: its steps are compiled once, however many texts follow."""
    resolver = getattr(rules, "_resolver", None)
    if resolver is None:
        resolver = rules._resolver = Resolver(rules)
    return resolver


def extract_text(text: str, rules: RuleSet | None = None, source: str = "<text>") -> list[Target]:
    """Targets of a text taken as one document (no splitting): for rule examples and notebooks.

    Without `rules`, the project's, loaded once per process (from the engine cache)."""
    resolver = resolver_for(rules) if rules is not None else _engine(None)[1]
    doc = Document(doc_id=source, source=source, doc_title="", char_start=0, char_end=len(text))
    return document_targets(text, doc, resolver, [])
