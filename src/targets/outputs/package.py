"""What makes an output folder a citable data set: manifest.json (what made it: tool version,
rules digest, every input's size and sha256, the command, times, counts, errors and the files
written) and datapackage.json (a Frictionless data package: every CSV with a Table Schema
from the column dictionary, its size and sha256)."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional, Sequence

from targets.outputs.columns import FileSpec, dictionary
from targets.outputs.export import atomic_path

MANIFEST = "manifest.json"
DATAPACKAGE = "datapackage.json"
# The CSVs a data package describes, in its order, when the folder has them.
TABULAR = ("targets", "documents", "errors", "compare")
BOOLEAN = {"trueValues": ["1"], "falseValues": ["0"]}


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes, read in chunks (a 200 MB input is never held whole)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def now() -> str:
    """The time as ISO 8601 with its offset, to the second."""
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _write_json(path: Path, data: Any) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_manifest(folder: Path) -> dict[str, Any]:
    """A folder's manifest.json, or {} when it has none (or one that cannot be read)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class RunRecord:
    """What a run did, for its manifest; the runner fills it as it goes."""
    command: Sequence[str]
    rules_dir: Optional[str]
    options: dict[str, Any]
    started: str = field(default_factory=now)
    inputs: list[tuple[Path, str]] = field(default_factory=list)   # (path as given, source)


def _input(path: Path, source: str) -> dict[str, Any]:
    """An input's path as given, its source name, size and sha256 (a file that cannot be
    read, whose error the run reports, has none; a FIFO is never read)."""
    entry: dict[str, Any] = {"path": str(path), "source": source}
    try:
        if path.is_file():
            return entry | {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
    except OSError:
        pass
    return entry | {"bytes": None, "sha256": None}


def _files(folder: Path) -> list[dict[str, Any]]:
    return [{"path": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size,
             "sha256": file_sha256(p)}
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST]


def write_manifest(stage: Path, record: RunRecord, counts: dict[str, int],
                   errors: Sequence[tuple[str, str]]) -> None:
    """STAGE/manifest.json, once every other output of the run is in STAGE."""
    from targets import __version__
    from targets.core.rulefiles import package_rules, rules_digest

    rules = Path(record.rules_dir) if record.rules_dir else package_rules()
    _write_json(stage / MANIFEST, {
        "tool": "targets", "version": __version__,
        "rules": {"directory": str(rules), "sha256": rules_digest(rules)},
        "command": list(record.command), "options": record.options,
        "started": record.started, "ended": now(), "counts": counts,
        "inputs": [_input(path, source) for path, source in record.inputs],
        "errors": [{"source": s, "error": e} for s, e in errors],
        "outputs": _files(stage),   # the files this run wrote: all a later run may replace
        "derived": [],              # files later commands (compare) add; see record_derived
    })


def _field(column) -> dict[str, Any]:
    """A Table Schema field; a boolean's example is written as in the CSV (1 or 0)."""
    out = {"name": column.name, "type": column.type, "description": column.meaning}
    if column.example != "":
        out["example"] = str(column.example) if column.type == "boolean" else column.example
    return out | (BOOLEAN if column.type == "boolean" else {})


def _header(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh), [])


def _resource(folder: Path, spec: FileSpec) -> dict[str, Any]:
    path = folder / spec.path
    header = _header(path)
    schema: dict[str, Any] = {"fields": [_field(c) for c in spec.describe(header)],
                              "missingValues": [""]}
    if spec.primary_key:
        schema["primaryKey"] = spec.primary_key
    keys = [k for k in spec.foreign_keys if (folder / dictionary()[k.file].path).is_file()]
    if keys:
        schema["foreignKeys"] = [{"fields": k.column,
                                  "reference": {"resource": k.file, "fields": k.reference}}
                                 for k in keys]
    return {"name": spec.name, "path": spec.path, "profile": "tabular-data-resource",
            "title": spec.title, "description": spec.description, "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "bytes": path.stat().st_size,
            "hash": f"sha256:{file_sha256(path)}", "schema": schema}


def write_datapackage(folder: Path) -> None:
    """FOLDER/datapackage.json for the CSVs FOLDER holds (targets, documents, errors, compare)."""
    from targets import __version__

    specs = [dictionary()[name] for name in TABULAR if (folder / dictionary()[name].path).is_file()]
    _write_json(folder / DATAPACKAGE, {
        "profile": "tabular-data-package", "name": "targets",
        "title": "Quantitative targets of Chinese climate policy documents",
        "description": "Every quantitative target found in the input documents, with its "
                       "document, page, sentence and span; see manifest.json for what made it.",
        "created": now(),
        "contributors": [{"title": f"targets {__version__}", "role": "author"}],
        "resources": [_resource(folder, spec) for spec in specs],
    })


def record_derived(folder: Path, names: Sequence[str]) -> None:
    """After a later command (compare) wrote `names` into an extract folder: list them in its
    manifest, so the next extract knows they are ours to remove, and describe them.

    A folder without our manifest (CSVs written by hand or by an older version) is left as it
    is: a datapackage.json there is not ours to replace."""
    manifest = read_manifest(folder)
    if not manifest:
        return
    derived = dict.fromkeys([*manifest.get("derived", []), *names])
    manifest["derived"] = [n for n in derived if (folder / n).is_file()]
    _write_json(folder / MANIFEST, manifest)
    write_datapackage(folder)


def stale_derived(folder: Path) -> list[Path]:
    """Files a `compare` of an earlier run made in FOLDER (they describe other targets)."""
    names = read_manifest(folder).get("derived", [])
    paths = [folder / n for n in names if isinstance(n, str) and "/" not in n and n != MANIFEST]
    return [p for p in paths if p.is_file()]


def remove_files(paths: Sequence[Path]) -> list[str]:
    """Remove files (listed by a manifest as ours); returns the names of those removed."""
    removed = []
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            continue
        removed.append(path.name)
    return removed
