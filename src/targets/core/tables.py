"""Indicator tables -> targets: one per indicator row and year column.

The header row names the indicator, unit, current-value and year columns (rules/tables.toml).
A current-value column is status quo, not a target. A project list is skipped whole; any
other table's cells are read as sentences.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import regex

from targets.core.match import ARABIC
from targets.core.resolve import Resolved, Resolver
from targets.core.schema import Examples, Pattern
from targets.core.segment import Sentence, Table, cells_with_offsets, sentences

NUMBER = regex.compile(ARABIC)


class Tables(Examples):
    """tables.toml: the header words of an indicator table's columns."""
    indicator_header: Pattern
    unit_header: Pattern
    year_header: Pattern
    current_header: Pattern
    skip_header: Pattern  # a header naming projects: the table is a project list


@dataclass(frozen=True)
class Columns:
    indicator: int
    unit: Optional[int]
    years: dict[int, int]  # column index -> year


def find_header(table: Table, rules) -> tuple[int, Optional[Columns]]:
    """(row index, columns) of the table's indicator header, or (-1, None)."""
    t = rules.tables
    ind_rx, unit_rx, year_rx = rules.rx(t.indicator_header), rules.rx(t.unit_header), rules.rx(t.year_header)
    current_rx = rules.rx(t.current_header)
    for i, (_, cells) in enumerate(table.rows):
        cells = [c.strip() for c in cells]
        years = {k: int(m["y"]) for k, c in enumerate(cells)
                 if (m := year_rx.match(c)) and not current_rx.search(c)}
        indicator = next((k for k, c in enumerate(cells) if ind_rx.match(c)), None)
        if years and indicator is not None:
            unit = next((k for k, c in enumerate(cells) if unit_rx.match(c)), None)
            return i, Columns(indicator, unit, years)
    return -1, None


def is_project_list(table: Table, rules) -> bool:
    skip = rules.rx(rules.tables.skip_header)
    return any(skip.search(c) for _, cells in table.rows[:3] for c in cells)


def table_targets(table: Table, resolver: Resolver, scope=None) -> list[tuple[Resolved, Sentence]]:
    """Targets of a table, each with the row (or cell sentence) it came from."""
    rules = resolver.rules
    if is_project_list(table, rules):
        return []
    header_at, cols = find_header(table, rules)
    if cols is None:
        return _cells_as_sentences(table, resolver, scope)
    out = []
    for row in table.rows[header_at + 1:]:
        cells = cells_with_offsets(row)
        line = "\t".join(c for _, c in cells)
        sentence = Sentence(row[0], row[0] + len(line), line)
        for r in _row_targets(cells, cols, resolver):
            out.append((replace(r, section=scope.section) if scope else r, sentence))
    return out


def _row_targets(cells: list[tuple[int, str]], cols: Columns, resolver: Resolver) -> list[Resolved]:
    if cols.indicator >= len(cells):
        return []
    row_start = cells[0][0]
    indicator = cells[cols.indicator][1].strip()
    unit = cells[cols.unit][1].strip() if cols.unit is not None and cols.unit < len(cells) else ""
    if not indicator:
        return []
    unit_rule = resolver.matcher.unit_of.get(unit)
    rate = resolver.steps["kind"].rate.search(indicator)
    kind, direction = ("change", "down" if rate.group("down") else "up") if rate else ("level", "")
    out = []
    for k, year in cols.years.items():
        if k >= len(cells) or not NUMBER.fullmatch(cells[k][1].strip()):
            continue
        pos, cell = cells[k]
        start = pos - row_start + (len(cell) - len(cell.lstrip()))
        value = float(cell.strip())
        factor = unit_rule.factor_of(unit) if unit_rule else 1.0
        std = (unit_rule.std or unit) if unit_rule else unit
        out.append(Resolved(indicator, value, None, unit, round(value * factor, 9), std, "=", kind,
                            direction, None, year, False, start, start + len(cell.strip()),
                            "table:indicator", "table", "table:indicator; year:table_column"))
    return out


def _cells_as_sentences(table: Table, resolver: Resolver, scope) -> list[tuple[Resolved, Sentence]]:
    out = []
    for row in table.rows:
        for pos, cell in cells_with_offsets(row):
            for s in sentences(cell, pos):
                out += [(r, s) for r in resolver.sentence(s.text, scope)]
    return out
