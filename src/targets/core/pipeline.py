"""extract(): load -> split documents -> normalize -> segment -> match -> resolve. Nothing else."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import Iterator, Optional

from targets.core import documents

from targets.core import enginecache, indicators

from targets.core import attribute, places
from targets.core.inputs import source_of
from targets.core.load import Loaded, load_file
from targets.models import Document, InputError, Target, TargetsError
from targets.core.context import DocContext
from targets.core.normalize import normalize
from targets.core.pool import worker_pool, workers_for
from targets.core.reading import SENTENCE_STOPS, DocumentPass
from targets.core.resolve import DEFAULT_DOC, Resolved, Resolver
from targets.core.rulebook import DEFAULT_RULES_DIR, RuleSet, load_rules
from targets.core.segment import Sentence
from targets.core.steps.years import document_present

IN_FLIGHT_PER_WORKER = 2  # files submitted to the pool per worker and not yet consumed


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
    norm = normalize(original[doc.char_start:doc.char_end], resolver.rules)
    taxonomy = indicators.taxonomy_for(resolver.rules)
    present = document_present(doc.doc_title, norm.text, resolver.rules)
    targets = []
    for r, s, start, end in resolve_text(norm.text, resolver, present):
        o_start, o_end = (doc.char_start + x for x in norm.span_to_orig(start, end))
        s_start, s_end = (doc.char_start + x for x in norm.span_to_orig(s.start, s.end))
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
            strive=r.strive, sentence=original[s_start:s_end].strip(), char_start=o_start,
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


def extract_loaded(loaded: Loaded, source: str, resolver: Resolver) -> FileResult:
    docs, markers, warnings = split_file(loaded.text, source, resolver.rules.directory, loaded.pages)
    result = FileResult(source=source, chars=len(loaded.text), notes=list(loaded.notes),
                        warnings=warnings)
    for doc in docs:
        found = document_targets(loaded.text, doc, resolver, markers)
        if loaded.ocr_pages:
            found = [t.model_copy(update={"ocr": 1}) if loaded.is_ocr(t.char_start) else t for t in found]
        result.documents.append(doc.model_copy(update={"n_targets": len(found)}))
        result.targets += found
    return result


def extract_file(path: Path, root: Path, rules_dir: Optional[str] = None,
                 encoding: Optional[str] = None) -> FileResult:
    """One file's documents and targets; a bad file gives a FileResult with its error."""
    source = source_of(path, root)
    try:
        _, resolver = _engine(rules_dir)
        return extract_loaded(load_file(path, encoding=encoding), source, resolver)
    except InputError as exc:
        return FileResult(source=source, error=str(exc))
    except TargetsError:
        raise
    except TimeoutError:  # regex's timeout: a rule pattern backtracks on this file's text
        return FileResult(source=source, error=f"{source}: a rule pattern ran out of time on this "
                                               "file (it backtracks on some text): check the rules")
    except Exception as exc:  # one broken file must never cost the others
        return FileResult(source=source, error=f"{source}: unexpected {type(exc).__name__}: {exc}")


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


def extract_paths(files: list[tuple[Path, Path]], rules_dir: Optional[str] = None, jobs: int = 1,
                  encoding: Optional[str] = None) -> Iterator[FileResult]:
    """FileResults in input order; with jobs > 1 files are processed in a process pool.

    At most IN_FLIGHT_PER_WORKER files per worker are submitted and not yet consumed, so
    finished results never pile up in memory however large the corpus.
    """
    _engine(rules_dir)  # fail fast on a bad rule folder, before any worker starts
    workers = workers_for(jobs, len(files))
    if workers == 1:
        for path, root in files:
            yield extract_file(path, root, rules_dir, encoding)
        return
    todo = iter(files)
    with worker_pool(workers) as pool:
        window = deque(pool.submit(extract_file, p, r, rules_dir, encoding)
                       for p, r in islice(todo, IN_FLIGHT_PER_WORKER * workers))
        while window:
            result = window.popleft().result()
            for p, r in islice(todo, 1):  # keep the workers busy while the caller writes
                window.append(pool.submit(extract_file, p, r, rules_dir, encoding))
            yield result

