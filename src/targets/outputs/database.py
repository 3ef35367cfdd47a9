"""OUT/targets.sqlite: the documents and targets of a run as SQLite tables, written as the
records stream in (the standard library's sqlite3, no other dependency).

Tables and column types come from the column dictionary; documents.doc_id is the primary key
that targets.doc_id refers to; the columns people filter by are indexed after the rows are in.
Full-text search: SQLite's tokenizers read a run of Chinese characters as one word, so 风电
would never match 风电装机容量. The `*_fts` tables index every Chinese character as a word of
its own; a search is a phrase of characters (`match '"风 电"'`, see fts_query), which
`targets browse` builds from what is typed.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from targets.outputs.columns import FileSpec, dictionary

SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
# Runs of Han ideographs (the basic block, extension A, compatibility, extensions B and beyond).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


def spaced(text: str) -> str:
    """Text as the full-text index sees it: every Chinese character a word.

    >>> spaced("风电装机2700万千瓦")
    '风 电 装 机 2700 万 千 瓦'
    """
    # A run at a time, by a function: a template (r" \1 ") per character is 3.5x slower, and
    # this is most of the time the run's own process spends on a large file's targets.
    return " ".join(_HAN.sub(lambda m: f" {' '.join(m.group())} ", text).split())


def fts_query(search: str) -> str:
    """What someone types as an FTS5 query: each word a phrase of its characters; quotes and
    operators are taken as text, so no input is a syntax error.

    >>> fts_query('风电 "GW" OR')
    '"风 电" "GW" "OR"'
    """
    words = search.replace('"', " ").split()
    return " ".join(f'"{spaced(w)}"' for w in words) or '""'


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def write_errors(path: Path) -> Iterator[None]:
    """SQLite's errors (a full disk: "database or disk is full") as the OSError of a write,
    which the runner reports in one line like any other output it cannot write."""
    try:
        yield
    except sqlite3.Error as exc:
        raise OSError(f"{path.name}: {exc}") from exc


class Database:
    """An SQLite file filled table by table as records arrive; `close` builds the indexes."""

    def __init__(self, path: Path, headers: dict[str, Sequence[str]]):
        self.path = path
        self.specs: dict[str, FileSpec] = {name: dictionary()[name] for name in headers}
        self.headers = {name: list(h) for name, h in headers.items()}
        self.rowids = {name: 0 for name in headers}
        with write_errors(path):
            self.con = sqlite3.connect(path, isolation_level=None)
            # A staged file, renamed into place only when complete: no journal is needed.
            self.con.execute("PRAGMA journal_mode = OFF")
            self.con.execute("PRAGMA synchronous = OFF")
            self.con.execute("BEGIN")
            for name in headers:
                self.con.execute(self._create(name))
                if self.specs[name].search:
                    columns = ", ".join(_quote(c) for c in self.specs[name].search)
                    self.con.execute(f"CREATE VIRTUAL TABLE {_quote(name + '_fts')} "
                                     f"USING fts5({columns}, content='')")

    def _create(self, name: str) -> str:
        spec, header = self.specs[name], self.headers[name]
        columns = []
        for column in spec.describe(header):
            sql = f"{_quote(column.name)} {SQL_TYPES[column.type]}"
            if spec.primary_key == [column.name]:
                sql += " PRIMARY KEY"
            for key in spec.foreign_keys:
                if key.column == column.name:
                    sql += f" REFERENCES {_quote(key.file)}({_quote(key.reference)})"
            columns.append(sql)
        return f"CREATE TABLE {_quote(name)} (\n  " + ",\n  ".join(columns) + "\n)"

    def add(self, name: str, records: Iterable[dict[str, Any]]) -> None:
        """Rows of `name` from records as dicts (a Target's or Document's model_dump)."""
        header, search = self.headers[name], self.specs[name].search
        rows, texts = [], []
        for record in records:
            self.rowids[name] += 1
            rows.append([self.rowids[name], *(record.get(c) for c in header)])
            if search:
                texts.append([self.rowids[name], *(spaced(record.get(c) or "") for c in search)])
        with write_errors(self.path):
            self._insert(name, header, rows)
            if search:
                self._insert(name + "_fts", search, texts)

    def _insert(self, table: str, columns: Sequence[str], rows: list[list[Any]]) -> None:
        """Rows of (rowid, *columns) into `table`."""
        marks = ", ".join("?" * (len(columns) + 1))
        names = ", ".join(["rowid", *map(_quote, columns)])
        self.con.executemany(f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})", rows)

    def close(self) -> None:
        """Index the filter columns, commit and close: the file is complete."""
        with write_errors(self.path):
            for name, spec in self.specs.items():
                for column in spec.indexes:
                    if column in self.headers[name]:
                        self.con.execute(f"CREATE INDEX {_quote(f'{name}_{column}')} "
                                         f"ON {_quote(name)}({_quote(column)})")
            self.con.execute("COMMIT")
            self.con.close()

    def abandon(self) -> None:
        """Close without finishing (an interrupted or failed run: the file is dropped)."""
        self.con.close()
