"""`targets compare OUT`: read the extract, compare, write compare.csv and compare.xlsx
together, and print each rollup as a table.

Compare holds OUT as extract does (outfolder.py): one command at a time, so it never reads a
targets.csv of one run beside a documents.csv of another; the pair is staged with OUT's
manifest listing it, then published: an interrupted run leaves the older pair as it was."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import pandas as pd

from targets.analysis.compare import LONG_COLUMNS, NATIONAL, Comparison, compare, province_names
from targets.analysis.compare_book import write_book
from targets.analysis.compare_cells import plain
from targets.analysis.compare_rollup import COMPLETE, RollupResult, rollup
from targets.analysis.compare_rules import load_compare_rules
from targets.analysis.extract_reader import check_extract_folder, read_extract
from targets.core.indicators import taxonomy_for
from targets.core.pipeline import rules_of
from targets.models import TargetsError
from targets.outputs.export import cell_text, write_csv
from targets.outputs.outfolder import locked, publish, staging
from targets.outputs.package import stage_derived

OUTPUTS = ("compare.csv", "compare.xlsx")


def run_compare(out: Path, rules_dir: Optional[Path] = None, top: int = 12) -> Comparison:
    """The comparison of an extract folder, with its rollups (nothing written)."""
    rules = rules_of(str(rules_dir) if rules_dir else None)  # the cached engine's rules
    taxonomy, classifier = taxonomy_for(rules), load_compare_rules(rules)
    extract = read_extract(out)
    if not (extract.targets["indicator_id"] != "").any():
        raise TargetsError(f"{out / 'targets.csv'}: no target has an indicator_id (re-run `targets extract`)")
    result = compare(extract, taxonomy, classifier, top, province_names(rules_dir))
    # every candidate, not only the values shown: a rollup settles its own documents
    result.rollups = [rollup(result.long, r, result.provinces, result.doc_provinces) for r in taxonomy.rollups]
    return result


def write_compare(out: Path, rules_dir: Optional[Path] = None, top: int = 12,
                  note: Callable[[str], None] = lambda message: None) -> Comparison:
    """Write OUT/compare.xlsx and OUT/compare.csv from OUT/targets.csv and OUT/documents.csv.

    `note` hears what the output folder has to say (a stopped run's publish finished)."""
    check_extract_folder(out)  # before the lock, which would leave its file in any folder
    try:
        with locked(out, note, elsewhere=""):
            result = run_compare(out, rules_dir, top)
            rows = ([cell_text(plain(v)) for v in row]
                    for row in result.long[LONG_COLUMNS].itertuples(index=False))
            with staging(out) as stage:
                write_csv(stage / "compare.csv", LONG_COLUMNS, rows)
                write_book(stage / "compare.xlsx", result)
                stage_derived(out, stage, OUTPUTS)  # in the manifest: the next extract removes them
                publish(stage, out, note)
    except OSError as exc:  # a read-only or full OUT: the user's to fix, and the older pair stays
        raise TargetsError(f"{out}: cannot write compare.csv and compare.xlsx ({exc.strerror or exc})") from exc
    return result


def print_compare(out: Path, rules_dir: Optional[Path] = None, top: int = 12) -> Comparison:
    """write_compare, then each rollup as a table and the files written."""
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    result = write_compare(out, rules_dir, top,
                           lambda message: console.print(f"[yellow]note[/yellow] {escape(message)}",
                                                          soft_wrap=True))
    for r in result.rollups:
        console.print(rollup_table(r, console.width))
        console.print("* partial or approximate: one part only, or a wider total (≈); "
                      "the sum says how many (provinces; partial)")
        console.print(f"[bold]no number[/bold] ({len(r.no_number)}): {'、'.join(r.no_number) or '-'}")
        console.print(f"[bold]no province-level document[/bold] ({len(r.no_document)}): {'、'.join(r.no_document) or '-'}")
    console.print(f"{len(result.headline)} headline indicators → {out / 'compare.xlsx'}, {out / 'compare.csv'}")
    return result


def rollup_table(r: RollupResult, width: int):
    """A table: provinces × target years, the sum and the national goal; at a narrow width the
    documents, then the basis, are left out."""
    from targets.console import Col, fitted_table

    years = sorted({y for y in r.table["target_year"] if pd.notna(y)})
    cols = [*years, None] if r.table["target_year"].isna().any() else years
    columns = [Col("province", 12), *(Col(str(int(y)) if y is not None else "no year", 6, justify="right")
                                     for y in cols),
               Col("basis", 10, drop=2), Col("documents", 12, drop=1)]
    rows = []
    for province, g in r.table.groupby("province", sort=False):
        basis = "; ".join(dict.fromkeys(g["basis"]))  # says itself what is partial: ≈ new_energy, wind only
        rows.append([province, *[_cell(g, y) for y in cols], basis, ", ".join(dict.fromkeys(g["sources"]))])
    totals = r.totals.set_index("target_year")
    rows.append(["[bold]sum of provinces[/bold]", *[_total(totals, y) for y in cols], "(provinces; partial)", ""])
    nat = r.rollup.national
    rows.append([f"[bold]{NATIONAL} goal[/bold]", *[f"{nat.comparator}{nat.value:g}" if y == nat.year else "" for y in cols],
                 "rules/indicators.toml", nat.source])
    return fitted_table(f"{r.rollup.zh} ({r.rollup.unit_std}) — {r.rollup.en}", columns, rows, width)


def _total(totals: pd.DataFrame, year) -> str:
    if year not in totals.index:
        return ""
    t = totals.loc[year]
    inexact = f"; {int(t['inexact'])}" if t["inexact"] else ""
    return f"{t['total']:g} ({int(t['provinces'])}{inexact})"


def _cell(g: pd.DataFrame, year) -> str:
    hit = g[g["target_year"].isna()] if year is None else g[g["target_year"] == year]
    if not len(hit):
        return ""
    return f"{hit['value'].iloc[0]:g}" + ("" if hit["quality"].iloc[0] == COMPLETE else "*")
