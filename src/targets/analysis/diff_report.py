"""`targets diff`: find the documents to compare, diff them, show or write the result.

The documents come from extracting files or a corpus with the pipeline; the diff itself
is diff.py; output goes to a rich table, or to CSV / JSON / Excel written atomically.
"""
from __future__ import annotations

import csv
import difflib
import json
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Optional

from rich.console import Console
from rich.table import Table
from rich.text import Text

from targets.analysis.diff import diff_targets, load_diff_rules, national_pairs, version_pairs
from targets.outputs.export import atomic_path, cell_text, write_csv, write_xlsx
from targets.models import Document, Target, TargetChange, TargetsError, UsageError
from targets.core.inputs import scan_inputs, source_of
from targets.core.pipeline import FileResult, extract_file
from targets.core.schedule import extract_paths

COLUMNS = ["status", "indicator_id", "indicator", "target_year", "kind", "old_value", "old_unit",
           "old_comparator", "new_value", "new_unit", "new_comparator", "changed_fields",
           "old_sentence", "new_sentence", "old_page", "new_page"]
# With several pairs of documents in one output, each row also says which pair it is from.
PAIR_COLUMNS = COLUMNS + ["old_doc_id", "new_doc_id"]
SHOW = {"all": {"unchanged", "changed", "added", "removed"},
        "changes": {"changed", "added", "removed"},
        "shared": {"unchanged", "changed"}}
STYLE = {"changed": "yellow", "added": "green", "removed": "red", "unchanged": "dim"}
NATIONAL_STATUS = {"changed": "differs", "unchanged": "same"}  # a province is no version of the nation
SYMBOL = {">=": "≥", "<=": "≤", "~": "≈", "=": ""}
FORMATS = ("csv", "json", "xlsx")
WIDTHS = {"indicator": 36, "old_sentence": 80, "new_sentence": 80, "changed_fields": 20}


@dataclass
class Report:
    """One comparison: an old and a new document and what happened to their targets."""
    old: Document
    new: Document
    changes: list[TargetChange]
    against_national: bool = False  # old is the national plan, new a province's document

    def shown(self, show: str) -> list[TargetChange]:
        return [c for c in self.changes if c.status in SHOW[show]]


# ---- which documents --------------------------------------------------------------------

def _corpus_results(corpus: Path, rules_dir: Optional[str], encoding: Optional[str],
                    stem: Optional[str] = None) -> list[FileResult]:
    """Extract the corpus (only the files named `stem`, when given) with the pipeline."""
    files = scan_inputs([corpus]).files
    if stem is not None:
        files = [(p, root) for p, root in files if p.stem == stem]
    return list(extract_paths(files, rules_dir, jobs=1, encoding=encoding))


def _document(results: list[FileResult], doc_id: str) -> Optional[tuple[Document, list[Target]]]:
    for result in results:
        for doc in result.documents:
            if doc.doc_id == doc_id:
                return doc, [t for t in result.targets if t.doc_id == doc_id]
    return None


def load_side(arg: str, corpus: Optional[Path], rules_dir: Optional[str] = None,
              encoding: Optional[str] = None) -> tuple[Document, list[Target]]:
    """A document and its targets: from a file of one document, or by doc_id in a corpus."""
    path = Path(arg)
    # Without --corpus, OLD and NEW are files: a folder or a FIFO gets its own reason, from the
    # loader, rather than "no such file".
    if path.is_file() or (corpus is None and (path.exists() or path.is_symlink())):
        result = extract_file(path, path.parent, rules_dir, encoding)
        if result.error:
            raise TargetsError(result.error)
        if len(result.documents) != 1:
            ids = ", ".join(d.doc_id for d in result.documents[:3])
            raise TargetsError(f"{arg}: holds {len(result.documents)} documents; name one by "
                               f"doc_id with --corpus ({ids}, ...)")
        return result.documents[0], result.targets
    if corpus is None:
        raise TargetsError(f"{arg}: no such file (a doc_id needs --corpus DIR)")
    results = _corpus_results(corpus, rules_dir, encoding, stem=arg.split("#")[0])
    for result in results:
        if result.error:
            raise TargetsError(result.error)
    found = _document(results, arg)
    if found is None:
        raise _no_such_document(arg, corpus, results)
    return found


def _no_such_document(arg: str, corpus: Path, results: list[FileResult]) -> UsageError:
    """The error for a doc_id the corpus lacks, with the closest ones (#25 -> #025)."""
    stem, _, number = arg.partition("#")
    ids = [d.doc_id for r in results for d in r.documents]
    if not results:  # no file of that name: the closest files
        ids = [PurePosixPath(source_of(p, root)).with_suffix("").as_posix()
               for p, root in scan_inputs([corpus]).files]
    padded = f"{stem}#{int(number):03d}" if number.isdigit() else ""
    close = [padded] if padded in ids else difflib.get_close_matches(arg, ids, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return UsageError(f"{arg}: no document with this doc_id in {corpus}{hint}")


def corpus_reports(corpus: Path, national: bool, rules_dir: Optional[str] = None,
                   encoding: Optional[str] = None,
                   warn: Any = lambda message: None) -> list[Report]:
    """Every version pair of a corpus, or every provincial document beside the national plan."""
    rules = load_diff_rules(Path(rules_dir) if rules_dir else None)
    results = _corpus_results(corpus, rules_dir, encoding)
    for result in results:
        if result.error:
            warn(f"skipped {result.error}")
    docs = [d for r in results for d in r.documents]
    targets: dict[str, list[Target]] = {}
    for t in (t for r in results for t in r.targets):
        targets.setdefault(t.doc_id, []).append(t)
    pairs = national_pairs(docs, rules) if national else version_pairs(docs, rules)
    if national and not pairs:
        raise TargetsError(f"{corpus}: the national plan {rules.national.title!r} is not in the corpus")
    return [Report(o, n, diff_targets(targets.get(o.doc_id, []), targets.get(n.doc_id, []), rules), national)
            for o, n in pairs]


# ---- rows and files ---------------------------------------------------------------------

def change_row(change: TargetChange, old: Optional[Document] = None,
               new: Optional[Document] = None) -> dict[str, Any]:
    """One output row; changed_fields stays a list (joined with ; in CSV and Excel)."""
    o, n = change.old, change.new
    t = n or o
    assert t is not None
    row = {"status": change.status, "indicator_id": t.indicator_id, "indicator": t.indicator,
           "target_year": t.target_year, "kind": t.kind, "changed_fields": change.changed_fields}
    for side, x in (("old", o), ("new", n)):
        for name in ("value", "unit", "comparator", "sentence", "page"):
            row[f"{side}_{name}"] = getattr(x, name) if x else None
    if old is not None and new is not None:
        row["old_doc_id"], row["new_doc_id"] = old.doc_id, new.doc_id
    return row


def _cells(rows: list[dict[str, Any]], columns: list[str]) -> list[list[Any]]:
    return [[cell_text(";".join(r[c]) if c == "changed_fields" else r[c]) for c in columns]
            for r in rows]


def write_rows(rows: list[dict[str, Any]], columns: list[str], fmt: str,
               out: Optional[Path]) -> None:
    """CSV, JSON or Excel into `out` (atomically), or CSV / JSON to stdout without one."""
    if fmt == "xlsx" and out is None:
        raise TargetsError("--format xlsx needs --out FILE")
    try:
        if fmt == "json":
            text = json.dumps([{c: r[c] for c in columns} for r in rows], ensure_ascii=False,
                              indent=2) + "\n"
            if out is None:
                sys.stdout.write(text)
            else:
                with atomic_path(out) as tmp:
                    tmp.write_text(text, encoding="utf-8")
        elif fmt == "csv" and out is None:
            csv.writer(sys.stdout, lineterminator="\n").writerows([columns, *_cells(rows, columns)])
        elif fmt == "csv":
            write_csv(out, columns, _cells(rows, columns))
        else:
            write_xlsx(out, [("diff", columns, _cells(rows, columns))], WIDTHS)
    except OSError as exc:
        raise TargetsError(f"{out}: cannot write ({exc.strerror or exc})") from exc


# ---- the terminal -----------------------------------------------------------------------

def _amount(t: Optional[Target]) -> str:
    """How a target reads in the table: ≥2700 万千瓦, ↓13 % vs 2020, +240 万千瓦 (strive)."""
    if t is None:
        return ""
    value = f"{t.value:g}" + (f"–{t.value_max:g}" if t.value_max is not None else "")
    lead = {"change": {"up": "↑", "down": "↓"}.get(t.direction, ""), "increment": "+"}.get(t.kind, "")
    text = f"{SYMBOL[t.comparator]}{lead}{value} {t.unit}"
    text += f" vs {t.base_year}" if t.base_year else ""
    return text + (" (strive)" if t.strive else "")


def _year(c: TargetChange) -> str:
    years = [t.target_year for t in (c.old, c.new) if t is not None]
    shown = ["—" if y is None else str(y) for y in years]
    return " → ".join(shown) if "target_year" in c.changed_fields else shown[-1]


def print_report(console: Console, report: Report, show: str) -> None:
    """A table of one comparison, old beside new, each row coloured by its status. Beside the
    national plan the sides are national and provincial, and only shared targets count."""
    from targets.console import Col, fitted_table

    old, new = ("national", "provincial") if report.against_national else ("old", "new")
    columns = [Col("status", 7), Col("indicator", 14), Col("year", 4, no_wrap=True), Col(old, 8),
               Col(new, 8), Col("changed", 7, drop=1)]
    rows, styles = [], []
    for c in report.shown(show):
        t = c.new or c.old
        value = Text(_amount(c.new), style="bold yellow" if c.status == "changed" else "")
        status = NATIONAL_STATUS.get(c.status, c.status) if report.against_national else c.status
        rows.append([Text(status, style=STYLE[c.status]), t.indicator, _year(c), _amount(c.old), value,
                     ", ".join(c.changed_fields)])
        styles.append("dim" if c.status == "unchanged" else "")
    title = f"{report.old.doc_id} {report.old.doc_title}\n→ {report.new.doc_id} {report.new.doc_title}"
    console.print(fitted_table(title, columns, rows, console.width, styles, title_justify="left"))
    counts = {s: sum(1 for c in report.changes if c.status == s) for s in STYLE}
    if report.against_national:  # added and removed mean nothing here: each states what it covers
        console.print(f"[{STYLE['changed']}]{counts['changed']} differ[/], "
                      f"[{STYLE['unchanged']}]{counts['unchanged']} same[/] of the targets both state")
    else:
        console.print(", ".join(f"[{STYLE[s]}]{n} {s}[/]" for s, n in counts.items()))


# ---- the command ------------------------------------------------------------------------

def run_diff(old: Optional[str], new: Optional[str], corpus: Optional[Path] = None,
             pairs: bool = False, against_national: bool = False, fmt: Optional[str] = None,
             out: Optional[Path] = None, show: Optional[str] = None,
             rules_dir: Optional[str] = None, encoding: Optional[str] = None) -> int:
    """Compare, report, and return the exit code: 0 when no shown target differs, else 1."""
    err = Console(stderr=True)
    many = pairs or against_national
    if many and (old or new or corpus is None or (pairs and against_national)):
        raise TargetsError("--pairs or --against-national take --corpus DIR and no OLD NEW")
    if not many and not (old and new):
        raise TargetsError("give OLD and NEW (files, or doc_ids with --corpus DIR)")
    if fmt is None and out is not None:
        fmt = out.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise TargetsError(f"{out}: say --format csv, json or xlsx (unknown suffix)")
    show = show or ("shared" if against_national else "all")
    if many:
        reports = corpus_reports(corpus, against_national, rules_dir, encoding,
                                 warn=lambda m: err.print(f"[yellow]{m}[/yellow]"))
        if against_national:   # a document that shares no indicator has nothing to show
            reports = [r for r in reports if r.shown("shared")]
    else:
        rules = load_diff_rules(Path(rules_dir) if rules_dir else None)
        (o_doc, o_targets), (n_doc, n_targets) = (load_side(x, corpus, rules_dir, encoding)
                                                  for x in (old, new))
        reports = [Report(o_doc, n_doc, diff_targets(o_targets, n_targets, rules))]
    if fmt is not None:
        columns = PAIR_COLUMNS if many else COLUMNS
        rows = [change_row(c, r.old, r.new) if many else change_row(c)
                for r in reports for c in r.shown(show)]
        write_rows(rows, columns, fmt, out)
    if fmt is None or out is not None:
        console = Console()
        for report in reports:
            print_report(console, report, show)
        if many and not reports:
            console.print("no version pairs found" if pairs else "no document shares an indicator")
    differs = any(c.status != "unchanged" for r in reports for c in r.shown(show))
    return 1 if differs else 0
