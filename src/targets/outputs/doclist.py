"""`targets docs`: the documents of a folder, as split and attributed by the pipeline,
without extracting any target (fast enough to check a corpus before a long run)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from targets.core.load import load_file
from targets.models import Document, InputError, TargetsError
from targets.core.inputs import path_text, scan_inputs, source_of, unreadable_message
from targets.core.pipeline import split_file
from targets.core.places import load_places
from targets.core.province_query import parse_provinces
from targets.outputs.workbooks import provinces_of

DOC_TABLE_COLUMNS = ["doc_id", "title", "region", "province", "level", "code", "draft", "pages",
                     "published"]


@dataclass
class DocList:
    documents: list[Document] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def list_documents(inputs: list[Path], province: Optional[str] = None,
                   encoding: Optional[str] = None) -> DocList:
    """Documents of every supported file under `inputs`, in file order; a file that cannot
    be read is reported in `errors` and costs no other file."""
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise TargetsError(f"input not found: {', '.join(missing)}")
    provinces = parse_provinces(province, load_places())
    scanned = scan_inputs(inputs)
    found = DocList(errors=[unreadable_message(folder, why) for folder, why in scanned.unreadable])
    for path, root in scanned.files:
        try:
            loaded = load_file(path, encoding=encoding)
            docs, _, warnings = split_file(loaded.text, source_of(path, root), None, loaded.pages)
        except InputError as exc:
            found.errors.append(path_text(exc))
            continue
        found.warnings += [f"{source_of(path, root)}: {w}" for w in warnings]
        found.documents += [d for d in docs
                            if provinces is None or set(provinces) & set(provinces_of(d.province))]
    return found


def table_row(doc: Document) -> list[str]:
    """A document as the cells of the `targets docs` table."""
    if doc.page_start is None:
        pages = ""
    elif doc.page_end in (None, doc.page_start):
        pages = str(doc.page_start)
    else:
        pages = f"{doc.page_start}-{doc.page_end}"
    return [doc.doc_id, doc.doc_title, doc.region, doc.province, doc.level, doc.region_code,
            "draft" if doc.is_draft else "", pages, doc.published]


def print_documents(inputs: list[Path], province: Optional[str] = None,
                    encoding: Optional[str] = None) -> int:
    """Print the table; exit code 1 when some file could not be read, else 0."""
    from rich.console import Console
    from rich.markup import escape

    from targets.console import Col, fitted_table

    found = list_documents(inputs, province, encoding)
    console = Console()
    # In a narrow terminal the region code goes first (documents.csv keeps it), then the draft
    # flag (a draft's title says so), then the issuer (the province remains), then the pages;
    # ids and titles fold, never vanish.
    columns = [Col("doc_id", 12), Col("title", 16), Col("region", 6, drop=2), Col("province", 6),
               Col("level", 8), Col("code", 6, drop=4), Col("draft", 5, drop=3),
               Col("pages", 5, drop=1, justify="right"), Col("published", 10)]
    assert [c.name for c in columns] == DOC_TABLE_COLUMNS
    console.print(fitted_table(f"{len(found.documents)} documents", columns,
                               [table_row(doc) for doc in found.documents], console.width))
    err = Console(stderr=True)
    for message in found.errors:
        err.print(f"[red]error[/red] {escape(message)}", soft_wrap=True)  # one line, as written
    for message in found.warnings:
        err.print(f"[yellow]warning[/yellow] {escape(message)}", soft_wrap=True)
    return 1 if found.errors else 0
