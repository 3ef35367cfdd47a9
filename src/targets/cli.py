"""The `targets` command: each command gathers its arguments, makes one library call and turns
library errors into one clean line and an exit code. Heavy imports stay inside the commands
so that `targets --help` answers at once."""
from __future__ import annotations

import atexit
import gc
import logging
import os
import signal
from contextlib import contextmanager
from pathlib import Path
from typing import List, Literal, Optional

import typer

# Not even TargetsError at the top: .models imports pydantic, which --help does not need.
# Every command imports it with its library call.

# pydantic looks for plugins (observability hooks) when it builds its first model: it reads the
# entry points of every installed distribution, 10 ms of a 0.23 s one-sentence run (measured),
# for hooks this command never uses. A user's own setting of the variable is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

# A run ends with its rules, place index and records in memory: the interpreter's last garbage
# collection would walk them all, a sixth of a small run's time. Frozen at exit, they are not.
atexit.register(gc.freeze)

app = typer.Typer(
    help="Extract quantitative targets (shares, capacities, intensities, deadlines) from Chinese "
         "climate policy documents into typed, traceable records.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
rules_app = typer.Typer(help="Check and inspect the rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

RulesOption = typer.Option(None, "--rules", help="Rule folder to use (default: the project's rules/).",
                           exists=True, file_okay=False, dir_okay=True)
ProvinceOption = typer.Option(None, "--province", help="Keep only these provinces' documents: "
                              "河南省, 河南, Henan, CN-HA or 410000, several separated by commas "
                              "(a joint plan counts for each province it names).")
EncodingOption = typer.Option(None, "--encoding",
                              help="Force a text encoding (e.g. gb18030, big5); gb18030:replace "
                                   "reads bytes that do not decode as U+FFFD.")


def show_version(value: bool) -> None:
    """--version: the tool and the exact rules it ships, as a data set should cite them."""
    if value:
        from targets import __version__
        from targets.core.rulefiles import rules_digest

        typer.echo(f"targets {__version__}, rules sha256:{rules_digest()}")
        raise typer.Exit()


@app.callback()
def options(version: bool = typer.Option(False, "--version", callback=show_version, is_eager=True,
                                         help="Print the version and the rules digest, then exit.")) -> None:
    """Extract quantitative targets (shares, capacities, intensities, deadlines) from Chinese
    climate policy documents into typed, traceable records."""


def fail(message: str, code: int = 2) -> None:
    typer.secho(f"error: {message}", err=True, fg="red")
    raise typer.Exit(code)


def run_library(call):
    """Run one library call; a library error becomes one clean line and exit code 2."""
    from targets.models import TargetsError

    try:
        return call()
    except TargetsError as exc:
        fail(str(exc))



@contextmanager
def interruptible(out: Path):
    """Ctrl-C (exit 130) and SIGTERM (exit 143) end a run with one line and no traceback.

    The handler undoes what the run registered (its staging folder, its workers: see
    core/stopping.py) and ends the process at once, wherever the signal lands; the moves
    that publish the outputs hold both signals back, so they never land in the middle.
    """
    owner = os.getpid()

    def on_signal(signum, frame):
        from targets.core.stopping import undo_all

        if os.getpid() != owner:  # a worker just forked, before it set its own handlers
            return                # the run's own process does the undoing
        undo_all()
        how, code = ("by SIGTERM", 143) if signum == signal.SIGTERM else ("by Ctrl-C", 130)
        # os.write, not print: the signal may have landed inside a write to stderr.
        os.write(2, f"error: interrupted {how}; nothing partial was written to {out}\n"
                 .encode("utf-8", "backslashreplace"))
        # No normal exit: the process pool's thread and exit handler would write to the pipes
        # of the workers just stopped (EBADF noise).
        os._exit(code)

    try:
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread (the CLI embedded in an app): leave signals alone
        previous = {}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@app.command()
def extract(
    inputs: List[Path] = typer.Argument(..., help="Files or folders to read (.txt, .docx, .pdf, .html)."),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Folder for targets.csv, targets.xlsx, documents.csv, errors.csv."),
    rules: Optional[Path] = RulesOption,
    jobs: int = typer.Option(os.cpu_count() or 1, "--jobs", "-j", min=1, help="Files processed in parallel."),
    encoding: Optional[str] = EncodingOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary."),
    by: Literal["province", "document", "none"] = typer.Option(
        "province", "--by", help="Cut targets.xlsx into a sheet per province (and write "
                                 "OUT/provinces/*.xlsx), per document, or none."),
    province: Optional[str] = ProvinceOption,
) -> None:
    """Find every quantitative target in INPUTS and write them to OUT.

    Exit code 0 when every file was read, 1 when some could not be (listed in OUT/errors.csv),
    2 on a usage or rule error.
    """
    from targets.console import run_with_progress

    # pypdf logs what it finds wrong in a PDF ("EOF marker not found") straight to stderr, a
    # line naming no file; the file's own error line already says it cannot be read.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with interruptible(out):
        summary = run_library(lambda: run_with_progress(
            inputs, out, str(rules) if rules else None, jobs, encoding, quiet, by, province))
    raise typer.Exit(summary.exit_code)


@app.command("docs")
def docs(
    inputs: List[Path] = typer.Argument(..., help="Files or folders to read."),
    province: Optional[str] = ProvinceOption,
    encoding: Optional[str] = EncodingOption,
) -> None:
    """List the documents in INPUTS (how files split into plans, and whose they are) without
    extracting targets. Exit code 1 when some file could not be read."""
    from targets.outputs.doclist import print_documents

    code = run_library(lambda: print_documents(inputs, province, encoding))
    raise typer.Exit(code)


@app.command("eval")
def evaluate(
    gold: Path = typer.Argument(..., help="Gold folder: texts/ and *.csv in the annotation guide's format.",
                                exists=True, file_okay=False),
    rules: Optional[Path] = RulesOption,
    show: int = typer.Option(20, "--show", help="How many misses, extras and wrong fields to list."),
) -> None:
    """Extract GOLD/texts and score the result against GOLD/*.csv (precision, recall, fields)."""
    from targets.console import print_eval

    run_library(lambda: print_eval(gold, str(rules) if rules else None, show))


@app.command("diff")
def diff(
    old: Optional[str] = typer.Argument(None, help="Old version: a file, or a doc_id with --corpus."),
    new: Optional[str] = typer.Argument(None, help="New version: a file, or a doc_id with --corpus."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", exists=True, file_okay=False,
                                          help="Corpus folder in which OLD and NEW are doc_ids."),
    pairs: bool = typer.Option(False, "--pairs", help="Find and diff every version pair in --corpus."),
    against_national: bool = typer.Option(
        False, "--against-national", help="Set each provincial document of --corpus beside the national plan."),
    fmt: Optional[Literal["csv", "json", "xlsx"]] = typer.Option(
        None, "--format", "-f", help="Write rows instead of a table (default: from --out's suffix)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (stdout for csv/json without it)."),
    show: Optional[Literal["all", "changes", "shared"]] = typer.Option(
        None, "--show", help="Rows to report: all, changes (no unchanged), shared (paired only). "
                             "Default: all; shared with --against-national."),
    rules: Optional[Path] = RulesOption,
    encoding: Optional[str] = EncodingOption,
) -> None:
    """Compare the targets of two versions of a plan: unchanged, changed, added, removed.

    Exit code 0 when no reported target differs, 1 when some do, 2 on an error.
    """
    from targets.analysis.diff_report import run_diff

    code = run_library(lambda: run_diff(old, new, corpus, pairs, against_national, fmt, out, show,
                                        str(rules) if rules else None, encoding))
    raise typer.Exit(code)


@app.command("compare")
def compare(
    out: Path = typer.Argument(..., help="Folder `targets extract` wrote (targets.csv, documents.csv).",
                               exists=True, file_okay=False),
    rules: Optional[Path] = RulesOption,
    top: int = typer.Option(12, "--top", min=1, help="How many indicators get a sheet and a chart: those "
                            "indicators.toml names always, then the most common up to this many."),
) -> None:
    """Provinces side by side: write OUT/compare.xlsx (a sheet and bar chart per headline
    indicator: each province's value in force per target year, what it superseded, 全国 as a
    line; the wind + solar rollup against the national goal) and OUT/compare.csv (every value
    with its status: current, superseded, draft, sector), and print the rollup."""
    from targets.analysis.compare_report import print_compare

    with interruptible(out):
        run_library(lambda: print_compare(out, rules, top))


@app.command("browse")
def browse(
    out: Path = typer.Argument(..., help="Folder `targets extract` wrote (targets.sqlite).",
                               exists=True, file_okay=False),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on (this machine only by default)."),
    port: int = typer.Option(8001, "--port", "-p", min=0, max=65535, help="Port to serve on (0: any free one)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in a web browser."),
) -> None:
    """Browse, filter and search the targets in OUT/targets.sqlite with Datasette, in a web
    browser (needs the extra: pip install 'targets[browse]'). Ctrl-C stops it."""
    from targets.outputs.browse import browse as serve

    run_library(lambda: serve(out, host, port, open_browser))


@rules_app.command("check")
def rules_check(rules: Optional[Path] = RulesOption) -> None:
    """Validate every rule file and run every rule's examples and counterexamples."""
    from targets.console import print_rules_check

    ok = run_library(lambda: print_rules_check(rules))
    raise typer.Exit(0 if ok else 1)


def main() -> None:  # pragma: no cover - console entry point
    app()
