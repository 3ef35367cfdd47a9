"""The column dictionary (columns.toml) and what is generated from it: the README's column
tables, the `columns` sheet, Table Schemas and the SQLite column types.

`python -m targets.outputs.columns README.md` rewrites the README's tables (`make docs`).
"""
from __future__ import annotations

import sys
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Optional, Sequence

from pydantic import BaseModel, ConfigDict

from targets.core.tomlfile import validate

DICTIONARY = "columns.toml"
README_START = "<!-- columns: generated from src/targets/outputs/columns.toml by `make docs` -->"
README_END = "<!-- columns: end -->"
FileName = str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Strict):
    name: str
    type: Literal["string", "integer", "number", "boolean"]
    meaning: str
    example: Any = ""


class ForeignKey(_Strict):
    column: str
    file: str
    reference: str


class FileSpec(_Strict):
    """One output file (or sheet) and its columns, in the order the file writes them."""
    name: str
    path: str
    title: str
    description: str
    written_by: str
    column: list[Column]
    primary_key: list[str] = []
    foreign_keys: list[ForeignKey] = []
    reading_order: list[str] = []
    indexes: list[str] = []
    search: list[str] = []

    def get(self, name: str) -> Optional[Column]:
        return next((c for c in self.column if c.name == name), None)

    def describe(self, header: Sequence[str]) -> list[Column]:
        """The dictionary's entry for each column of a header; a column it lacks (a test fails
        on those) is described as text of unknown meaning rather than stopping a run."""
        return [self.get(name) or Column(name=name, type="string", meaning="") for name in header]

    def reading(self, header: Sequence[str]) -> list[int]:
        """Positions in `header` of its columns in reading order: the listed ones first.

        >>> dictionary()["targets"].reading(["doc_id", "value", "province", "unit"])
        [2, 1, 3, 0]
        """
        first = [header.index(c) for c in self.reading_order if c in header]
        return first + [i for i in range(len(header)) if i not in first]

    def in_reading_order(self, header: Sequence[str]) -> list[str]:
        """The columns of `header` in reading order."""
        return [header[i] for i in self.reading(header)]


class _Dictionary(_Strict):
    file: list[FileSpec]


@lru_cache(maxsize=1)
def dictionary() -> dict[FileName, FileSpec]:
    """Every file the dictionary describes, by name (targets, documents, errors ...)."""
    path = resources.files("targets.outputs") / DICTIONARY
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {f.name: f for f in validate(Path(str(path)), _Dictionary, data, "file").file}


def sheet_rows() -> list[list[str]]:
    """The `columns` sheet: file, column, type, meaning, example."""
    return [[spec.path, c.name, c.type, c.meaning, str(c.example)]
            for spec in dictionary().values() for c in spec.column]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(spec: FileSpec) -> str:
    """A file's columns as a Markdown table."""
    lines = [f"**`{spec.path}`** ({spec.written_by}): {spec.description}", "",
             "| column | type | meaning | example |", "|---|---|---|---|"]
    for c in spec.column:
        example = f"`{_cell(c.example)}`" if str(c.example) != "" else ""
        lines.append(f"| `{c.name}` | {c.type} | {_cell(c.meaning)} | {example} |")
    return "\n".join(lines)


def readme_block() -> str:
    """The README's generated part: a table per file, between the two markers."""
    tables = "\n\n".join(markdown(spec) for spec in dictionary().values())
    return f"{README_START}\n\n{tables}\n\n{README_END}"


def with_tables(readme: str) -> str:
    """The README text with its generated part replaced by the dictionary's tables."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no `{README_START}` … `{README_END}` block")
    return readme[:start] + readme_block() + readme[end + len(README_END):]


if __name__ == "__main__":  # pragma: no cover - `make docs`
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    target.write_text(with_tables(target.read_text(encoding="utf-8")), encoding="utf-8")
