"""What makes an output folder a citable data set: manifest.json (what made it: tool version,
rules digest, every input's size and sha256, the command, times, counts, errors and the files
written) and datapackage.json (a Frictionless data package: every CSV with a Table Schema
from the column dictionary, its size and sha256).

The manifest's `outputs` (what extract wrote) and `derived` (what compare added) are also the
one record of which files in the folder are ours: outfolder.publish removes only files a
manifest lists."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional, Sequence

from targets.core.inputs import path_text
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
    entry: dict[str, Any] = {"path": path_text(path), "source": source}
    try:
        if path.is_file():
            return entry | {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
    except OSError:
        pass
    return entry | {"bytes": None, "sha256": None}


def _entry(path: Path, name: str) -> dict[str, Any]:
    return {"path": name, "bytes": path.stat().st_size, "sha256": file_sha256(path)}


def _files(folder: Path) -> list[dict[str, Any]]:
    return [_entry(p, p.relative_to(folder).as_posix())
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST]


def written_files(manifest: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """{path: entry} of a manifest's `outputs` or `derived`; a malformed entry lists nothing."""
    entries = manifest.get(kind, [])
    if not isinstance(entries, list):
        return {}
    return {e["path"]: e for e in entries if isinstance(e, dict) and isinstance(e.get("path"), str)}


def write_manifest(stage: Path, record: RunRecord, counts: dict[str, int],
                   errors: Sequence[tuple[str, str]]) -> None:
    """STAGE/manifest.json, once every other output of the run is in STAGE."""
    from targets import __version__
    from targets.core.rulefiles import package_rules, rules_digest

    rules = Path(record.rules_dir) if record.rules_dir else package_rules()
    _write_json(stage / MANIFEST, {
        "tool": "targets", "version": __version__,
        "rules": {"directory": path_text(rules), "sha256": rules_digest(rules)},
        # A name that is not UTF-8, in the command line too, as the other outputs write it.
        "command": [path_text(arg) for arg in record.command], "options": record.options,
        "started": record.started, "ended": now(), "counts": counts,
        "inputs": [_input(path, source) for path, source in record.inputs],
        "errors": [{"source": s, "error": e} for s, e in errors],
        "outputs": _files(stage),   # the files this run wrote: all a later run may replace
        "derived": [],              # files later commands (compare) add; see stage_derived
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


def _describe(path: Path, spec: FileSpec, present) -> dict[str, Any]:
    header = _header(path)
    schema: dict[str, Any] = {"fields": [_field(c) for c in spec.describe(header)],
                              "missingValues": [""]}
    if spec.primary_key:
        schema["primaryKey"] = spec.primary_key
    keys = [k for k in spec.foreign_keys if present(k.file)]
    if keys:
        schema["foreignKeys"] = [{"fields": k.column,
                                  "reference": {"resource": k.file, "fields": k.reference}}
                                 for k in keys]
    return {"name": spec.name, "path": spec.path, "profile": "tabular-data-resource",
            "title": spec.title, "description": spec.description, "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "bytes": path.stat().st_size,
            "hash": f"sha256:{file_sha256(path)}", "schema": schema}


def write_datapackage(folder: Path, stage: Optional[Path] = None) -> None:
    """datapackage.json for the CSVs FOLDER holds (targets, documents, errors, compare), in
    FOLDER; with a `stage`, for those of STAGE and FOLDER together (STAGE's first), in STAGE."""
    from targets import __version__

    def path_of(name: str) -> Optional[Path]:
        spec_path = dictionary()[name].path
        found = [f / spec_path for f in (stage, folder) if f is not None and (f / spec_path).is_file()]
        return found[0] if found else None

    names = [name for name in TABULAR if path_of(name)]
    present = names.__contains__
    _write_json((stage or folder) / DATAPACKAGE, {
        "profile": "tabular-data-package", "name": "targets",
        "title": "Quantitative targets of Chinese climate policy documents",
        "description": "Every quantitative target found in the input documents, with its "
                       "document, page, sentence and span; see manifest.json for what made it.",
        "created": now(),
        "contributors": [{"title": f"targets {__version__}", "role": "author"}],
        "resources": [_describe(path_of(name), dictionary()[name], present) for name in names],
    })


def stage_derived(folder: Path, stage: Path, names: Sequence[str]) -> bool:
    """Before a later command (compare) publishes `names` from STAGE into an extract FOLDER:
    stage FOLDER's manifest with them as its `derived` files (so the next extract knows they
    are ours to remove), and a datapackage.json that describes them too.

    A folder without our manifest (CSVs written by hand or by an older version) gets
    neither, and False: a datapackage.json there is not ours to replace."""
    manifest = read_manifest(folder)
    if not manifest:
        return False
    write_datapackage(folder, stage)
    outputs = written_files(manifest, "outputs")
    outputs[DATAPACKAGE] = _entry(stage / DATAPACKAGE, DATAPACKAGE)  # rewritten: as it is now
    manifest["outputs"] = list(outputs.values())
    manifest["derived"] = [_entry(stage / n, n) for n in names]
    _write_json(stage / MANIFEST, manifest)
    return True
