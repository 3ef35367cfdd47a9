"""`targets browse OUT`: OUT/targets.sqlite in Datasette (the extra: pip install 'targets[browse]'),
with metadata from the column dictionary: titles, descriptions of every column, facets, the
full-text search, and a canned query per headline indicator."""
from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from targets.models import TargetsError
from targets.outputs.columns import dictionary
from targets.outputs.package import read_manifest

DATABASE = "targets.sqlite"
HEADLINES = 12        # canned queries: the indicators the most provinces give a target for
FACETS = {"targets": ["province", "sector", "target_year", "kind"],
          "documents": ["province", "level"]}
LABELS = {"documents": "doc_title"}   # a doc_id in targets shows the document's title
QUERY_COLUMNS = ["province", "region", "doc_title", "indicator", "value", "unit", "comparator",
                 "target_year", "kind", "direction", "base_year", "strive", "sentence", "page",
                 "doc_id"]


def _read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def table_columns(db: Path, table: str) -> list[str]:
    con = _read_only(db)
    try:
        return [r[1] for r in con.execute(f"pragma table_info({table})")]
    finally:
        con.close()


def headline_indicators(db: Path, n: int = HEADLINES) -> list[tuple[str, str]]:
    """(indicator_id, its most common wording) of the `n` indicators most provinces target."""
    con = _read_only(db)
    try:
        ids = [r[0] for r in con.execute(
            "select indicator_id from targets where indicator_id != '' and province != '全国' "
            "group by indicator_id order by count(distinct province) desc, count(*) desc, "
            "indicator_id limit ?", [n])]
        named = []
        for indicator_id in ids:
            (wording,) = con.execute("select indicator from targets where indicator_id = ? group by "
                                     "indicator order by count(*) desc limit 1", [indicator_id]).fetchone()
            named.append((indicator_id, wording))
        return named
    finally:
        con.close()


def _table(name: str, columns: list[str]) -> dict[str, Any]:
    spec = dictionary()[name]
    table: dict[str, Any] = {"title": spec.title, "description": spec.description,
                             "columns": {c.name: c.meaning for c in spec.describe(columns)},
                             "facets": FACETS.get(name, [])}
    if spec.search:
        table |= {"fts_table": f"{name}_fts", "fts_pk": "rowid"}
    if name in LABELS:
        table["label_column"] = LABELS[name]
    return table


def metadata(out: Path) -> dict[str, Any]:
    """Datasette's metadata for an extract folder."""
    manifest = read_manifest(out)
    made = (f"targets {manifest.get('version', '?')}, rules sha256:"
            f"{manifest.get('rules', {}).get('sha256', '?')[:12]}, {manifest.get('ended', '')}")
    columns = ", ".join(QUERY_COLUMNS)
    queries = {
        indicator_id: {
            "title": f"{wording} ({indicator_id})",
            "description": f"Every target for {indicator_id}, by province and target year.",
            "sql": f"select {columns} from targets where indicator_id = '{indicator_id}' "
                   "order by province, target_year, value",
        } for indicator_id, wording in headline_indicators(out / DATABASE)}
    tables = {name: _table(name, table_columns(out / DATABASE, name)) for name in ("targets", "documents")}
    tables |= {f"{name}_fts": {"hidden": True} for name in ("targets", "documents")}
    return {
        "title": "Targets of Chinese climate policy documents",
        "description": "Every quantitative target found, with its document, page and sentence. "
                       "Search finds Chinese words anywhere in a sentence or indicator.",
        "source": made if manifest else "targets extract",
        "databases": {"targets": {"tables": tables, "queries": queries}},
    }


def browse(out: Path, host: str = "127.0.0.1", port: int = 8001, open_browser: bool = False) -> None:
    """Serve OUT/targets.sqlite until interrupted."""
    db = out / DATABASE
    if not db.is_file():
        raise TargetsError(f"{out}: no {DATABASE} here; run `targets extract … --out {out}` first")
    try:
        from datasette.cli import cli
        from datasette.plugins import pm
    except ImportError:
        raise TargetsError("`targets browse` needs Datasette: pip install 'targets[browse]'") from None
    from targets.outputs import datasette_plugin

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="targets-search")
    with tempfile.TemporaryDirectory(prefix="targets-browse-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(out), ensure_ascii=False), encoding="utf-8")
        args = ["serve", "--immutable", str(db), "--metadata", str(meta), "--host", host,
                "--port", str(port), "--setting", "default_page_size", "50"]
        cli.main(args=args + (["--open"] if open_browser else []), prog_name="targets browse",
                 standalone_mode=False)
