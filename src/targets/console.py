"""What the CLI shows: progress bars, summary tables and reports, with rich.

rich is imported where something is shown: a quiet run (`extract -q`) with nothing to say
never loads it, a tenth of a one-file run's start.
"""
from __future__ import annotations

import csv
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from targets.core.pipeline import FileResult
    from targets.outputs.runner import Summary

BORDER = 3  # per column: a border and one space of padding each side


@cache
def stderr_console() -> Console:
    """The console of messages, progress bars and the run's summary (on stderr)."""
    from rich.console import Console

    return Console(stderr=True)


class Col:
    """A column of a table that must stay readable in a narrow terminal.

    `min_width` is the narrowest it may be (its header's longest word, if wider, counts);
    `drop` > 0 lets a narrow terminal leave it out, the highest first; 0 keeps it always.
    """
    def __init__(self, name: str, min_width: int = 6, drop: int = 0, **options: Any):
        self.name, self.min_width, self.drop, self.options = name, min_width, drop, options

    @property
    def narrowest(self) -> int:
        from rich.cells import cell_len

        return max([self.min_width, *(cell_len(w) for w in self.name.split())])


def fitted_table(title: Optional[str], columns: Sequence[Col], rows: Sequence[Sequence[Any]], width: int,
                 row_styles: Optional[Sequence[str]] = None, **table_options: Any) -> Table:
    """A rich table of `rows` that fits `width`: columns are left out (highest `drop` first)
    until each of the others has its narrowest width; then the widest columns give way, and
    their cells fold. No column shrinks to nothing; a caption names those left out for want
    of room. An optional column (`drop` > 0) that no row fills is left out too."""
    from rich.table import Table

    # an optional column with nothing in it says nothing: left out first, whatever the width
    keep = [i for i, c in enumerate(columns) if not (c.drop and rows and not any(
        _natural("", [row[i]]) for row in rows))]
    wanted = set(keep)
    room = lambda: width - BORDER * len(keep) - 1  # noqa: E731 - the space the cells share
    for i in sorted((i for i in keep if columns[i].drop), key=lambda i: -columns[i].drop):
        if sum(columns[k].narrowest for k in keep) <= room():
            break
        keep.remove(i)
    widths = {k: max(columns[k].narrowest, _natural(columns[k].name, [row[k] for row in rows])) for k in keep}
    while sum(widths.values()) > room():
        k = max((k for k in keep if widths[k] > columns[k].narrowest), key=lambda k: widths[k], default=None)
        if k is None:  # every column at its narrowest: the terminal is narrower than the table can be
            break
        widths[k] -= 1
    dropped = [c.name for i, c in enumerate(columns) if i not in keep and i in wanted]
    caption = f"left out at {width} columns: {', '.join(dropped)} (a wider terminal shows them)" if dropped else None
    table = Table(title=title, caption=caption, **table_options)
    for k in keep:
        table.add_column(columns[k].name, width=widths[k], **{"overflow": "fold", **columns[k].options})
    for i, row in enumerate(rows):
        table.add_row(*(row[k] for k in keep), style=row_styles[i] if row_styles else None)
    return table


def _natural(header: str, cells: list[Any]) -> int:
    """The width a column would take with room enough: its widest line, header included."""
    from rich.cells import cell_len
    from rich.text import Text

    texts = [c if isinstance(c, Text) else Text.from_markup(str(c)) for c in cells]
    return max([cell_len(header), *(cell_len(line) for t in texts for line in t.plain.splitlines() or [""])])


def run_with_progress(inputs: list[Path], out: Path, rules_dir: Optional[str], jobs: int,
                      encoding: Optional[str], quiet: bool, by: str = "province",
                      province: Optional[str] = None) -> Summary:
    """run_extract with a progress bar over files and a summary table at the end; `quiet`:
    neither, only the messages (errors, warnings, notes)."""
    from targets.outputs.runner import NO_FILES, run_extract

    options = dict(by=by, province=province, command=["targets", *sys.argv[1:]])
    if quiet:  # no bar to draw: rich is imported only if there is a message to print
        summary = run_extract(inputs, out, rules_dir, jobs, encoding,
                              on_file=lambda result: print_messages(file_messages(result)),
                              **options)
    else:
        summary = _run_with_bar(inputs, out, rules_dir, jobs, encoding, options)
    print_messages([f"[red]error[/red] {escape(message)}" for _, message in summary.unreadable]
                   + [f"[red]error[/red] {escape(folder)}: {NO_FILES}" for folder in summary.empty_folders]
                   + [f"[yellow]skipped[/yellow] {escape(name)}: not a supported file type"
                      for name in summary.skipped]
                   + [f"[yellow]note[/yellow] {escape(message)}" for message in summary.notes])
    if not quiet:
        print_summary(summary, out)
    return summary


def _run_with_bar(inputs: list[Path], out: Path, rules_dir: Optional[str], jobs: int,
                  encoding: Optional[str], options: dict[str, Any]) -> Summary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from targets.outputs.runner import run_extract

    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[name]}", markup=False), TimeElapsedColumn(),
                        console=stderr_console(), transient=True)
    with progress:
        task = progress.add_task("extracting", total=0, name="")

        def on_file(result: FileResult) -> None:
            progress.update(task, advance=1, name=result.source)
            print_messages(file_messages(result))

        def on_writing() -> None:  # every file read: what is left is writing the workbooks
            progress.update(task, description="writing workbooks", name="")

        return run_extract(inputs, out, rules_dir, jobs, encoding,
                           on_start=lambda n: progress.update(task, total=n), on_file=on_file,
                           on_writing=on_writing, **options)


def file_messages(result: FileResult) -> list[str]:
    """What a file's result has to say, in rich markup: its error, its warnings."""
    # one line each, as written: a file name like 方案[draft].txt is no markup
    return ([f"[red]error[/red] {escape(result.error)}"] if result.error else []) + [
        f"[yellow]warning[/yellow] {escape(result.source)}: {escape(warning)}"
        for warning in result.warnings]


def print_messages(lines: list[str]) -> None:
    """Lines of rich markup on stderr, each printed whole (above a progress bar, if any)."""
    for line in lines:
        stderr_console().print(line, soft_wrap=True)


def escape(text: str) -> str:
    """`text` shown as written in rich markup (rich.markup.escape, imported on first use)."""
    from rich.markup import escape

    return escape(text)


def print_summary(s: Summary, out: Path) -> None:
    from rich.table import Table

    table = Table(title=f"targets → {out}", show_header=True)
    for col in ("files", "documents", "targets", "unmapped indicators", "errors", "seconds"):
        table.add_column(col, justify="right")
    share = f"{s.unmapped / s.targets:.0%}" if s.targets else "-"
    table.add_row(str(s.files), str(s.documents), str(s.targets), share,
                  str(len(s.errors) + len(s.empty_folders) + len(s.unreadable)), f"{s.seconds:.2f}")
    stderr_console().print(table)


def print_eval(gold: Path, rules_dir: Optional[str], show: int) -> None:
    """Extract the gold texts, score them and print the report."""
    from rich.console import Console
    from rich.table import Table

    from targets.analysis.evaluate import load_gold, score
    from targets.outputs.runner import run_extract

    with tempfile.TemporaryDirectory() as tmp:
        run_extract([gold / "texts"], Path(tmp), rules_dir, jobs=1, by="none")
        with (Path(tmp) / "targets.csv").open(encoding="utf-8-sig") as fh:
            pred = list(csv.DictReader(fh))
    rows = load_gold(gold)
    out = Console()
    table = Table(title=f"accuracy on {gold}")
    for col in ("match", "precision", "recall", "F1", "tp", "fp", "fn"):
        table.add_column(col, justify="right")
    for label, wy, pos in (("strict", True, True), ("key-only", True, False), ("no-year", False, True)):
        s = score(rows, pred, wy, pos)
        table.add_row(label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
                      str(s.tp), str(s.fp), str(s.fn))
    out.print(table)
    strict = score(rows, pred)
    out.print("field accuracy on strict matches: "
              + ", ".join(f"{k} {v:.3f}" for k, v in strict.field_accuracy.items()))
    for g in strict.missed[:show]:
        out.print(f"[red]MISSED[/red] {g['file']}: {g['quote']!r} [{g['value']} {g['unit']} {g['target_year']}]")
    for p in strict.extra[:show]:
        out.print(f"[yellow]EXTRA[/yellow] {p['source']}: {p['value']} {p['unit']} {p['target_year']} "
                  f"{p['indicator']} @{p['char_start']}: {p['sentence'][:60]!r}")
    for g, p, wrong in [m for m in strict.mismatched if m[2]][:show]:
        diffs = ", ".join(f"{f} {p.get(f)!r}≠{g.get(f)!r}" for f in wrong)
        out.print(f"[magenta]FIELD[/magenta] {g['file']}: {g['quote'][:30]!r}: {diffs}")


def print_rules_check(rules_dir: Optional[Path]) -> bool:
    from rich.console import Console

    from targets.core.examples import run_all
    from targets.core.rulebook import load_rules

    from targets.analysis.compare_rules import load_compare_rules

    rules = load_rules(rules_dir)
    n, failures = run_all(rules)
    # compare.toml is read by `targets compare`, not the pipeline: validated and tried here too
    n_compare, compare_failures = load_compare_rules(rules).check_examples()
    n, failures = n + n_compare, failures + compare_failures
    out = Console()
    for f in failures:
        out.print(f"[red]FAIL[/red] {f}")
    out.print(f"{rules.directory}: rule files valid; {n - len(failures)} of {n} examples hold")
    return not failures
