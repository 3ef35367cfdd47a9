"""The one loader: every rule file of a folder, validated and with its patterns proven.

Each rule file's schema lives beside the step that reads it (steps/, tables.py, normalize.py);
this module reads the files, validates them (pydantic, extra="forbid"), tries every pattern
on the probes of schema.py and names the file and rule id in every error. No other module
keeps a default path: they get a RuleSet.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import regex
from pydantic import BaseModel

from targets.core.normalize import Normalize
from targets.core.outline import OutlineRules, Sections
from targets.core.proofs import Proofs
from targets.core.schema import Examples, check_rule, validate_rule
from targets.core.steps.changes import Changes
from targets.core.steps.comparators import Comparators
from targets.core.steps.exclusions import Exclusion
from targets.core.steps.split import Split
from targets.core.steps.strive import Strive
from targets.core.steps.subjects import Subjects
from targets.core.steps.triggers import Triggers
from targets.core.steps.units import Numerals, Unit, Units
from targets.core.steps.years import Years
from targets.core.tables import Tables
from targets.models import RuleError

# The rules ship inside the package (package data), so an installed `targets` finds them too.
DEFAULT_RULES_DIR = Path(str(resources.files("targets") / "rules"))
# file -> (schema, key of its list of rules, or None for a file that is one model)
FILES: dict[str, tuple[type[BaseModel], str | None]] = {
    "units": (Units, None), "comparators": (Comparators, None),
    "exclusions": (Exclusion, "exclusion"), "strive": (Strive, None), "years": (Years, None),
    "changes": (Changes, None), "triggers": (Triggers, None), "split": (Split, None),
    "tables": (Tables, None), "normalize": (Normalize, None), "numerals": (Numerals, None),
    "outline": (OutlineRules, None), "sections": (Sections, None), "subjects": (Subjects, None),
}
REQUIRED_FILES = tuple(FILES)


@dataclass
class RuleSet:
    """Every rule file, validated, with its patterns compiled."""
    directory: Path
    units: Units
    comparators: Comparators
    strive: Strive
    years: Years
    changes: Changes
    exclusions: list[Exclusion]
    triggers: Triggers
    split: Split
    tables: Tables
    normalize: Normalize
    numerals: Numerals
    outline: OutlineRules
    sections: Sections
    subjects: Subjects
    extra: dict[str, Any]

    def __post_init__(self) -> None:
        self._cache: dict[str, regex.Pattern] = {}

    @property
    def shipped(self) -> bool:
        """Whether these are the rules the package ships (see match.Matcher.bounded)."""
        return self.directory.resolve() == DEFAULT_RULES_DIR.resolve()

    def rx(self, pattern: str) -> regex.Pattern:
        """The compiled form of a pattern already checked at load."""
        if pattern not in self._cache:
            self._cache[pattern] = regex.compile(pattern, regex.V1)
        return self._cache[pattern]

    def example_sets(self) -> list[tuple[str, str, Examples]]:
        """(file, rule id, rule) for every rule that carries examples or counterexamples."""
        out: list[tuple[str, str, Examples]] = []
        for name in FILES:
            value = getattr(self, name)
            for rule_id, rule in _rules_in(value if isinstance(value, list) else [value], name):
                if isinstance(rule, Examples):
                    out.append((name, rule_id, rule))
        return out


def _rules_in(objs: list, default_id: str) -> Iterator[tuple[str, BaseModel]]:
    """Every model in `objs` and in their fields, with its id (or the file's name)."""
    for obj in objs:
        if not isinstance(obj, BaseModel):
            continue
        rule_id = getattr(obj, "id", None) or default_id
        yield rule_id, obj
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            inner = value if isinstance(value, list) else [value]
            yield from _rules_in([v for v in inner if isinstance(v, BaseModel)], rule_id)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read rule file ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: invalid TOML: {exc}") from exc


def _load_file(path: Path, model: type[BaseModel], key: str | None, proofs: Proofs) -> Any:
    data = _read_toml(path)
    if key is None:
        loaded = validate_rule(path, model, data, path.stem)
        rules = [loaded]
    else:
        unknown = set(data) - {key}
        if unknown:
            raise RuleError(f"{path}: unknown top-level keys {sorted(unknown)}")
        rules = [validate_rule(path, model, r, r.get("id", f"#{i}") if isinstance(r, dict) else f"#{i}")
                 for i, r in enumerate(data.get(key, []))]
        loaded = rules
    for rule_id, rule in _rules_in(rules, path.stem):
        check_rule(path, rule_id, rule, proofs)
    return loaded


def load_rules(directory: Path | None = None) -> RuleSet:
    """Read and validate every rule file of a folder; RuleError names file, rule and reason."""
    directory = Path(directory or DEFAULT_RULES_DIR)
    if not directory.is_dir():
        raise RuleError(f"{directory}: rules folder not found")
    loaded: dict[str, Any] = {}
    proofs = Proofs()
    for name, (model, key) in FILES.items():
        path = directory / f"{name}.toml"
        if not path.is_file():
            raise RuleError(f"{path}: rule file missing")
        loaded[name] = _load_file(path, model, key, proofs)
    proofs.save()  # only once every file passed: a failing folder proves nothing
    extra = {p.stem: _read_toml(p) for p in sorted(directory.glob("*.toml")) if p.stem not in FILES}
    _check_unique_surfaces(directory / "units.toml", loaded["units"].unit)
    _check_unit_references(directory, loaded)
    _check_data_files(directory)
    return RuleSet(directory=directory, extra=extra, **loaded)


def _check_data_files(directory: Path) -> None:
    """The folder's own document and jurisdiction data, validated like every rule file."""
    from targets.core.documents import load_document_rules  # they import this module's errors
    from targets.core.places import load_places

    if (directory / "documents.toml").is_file():
        load_document_rules(directory / "documents.toml")
    if (directory / "jurisdictions.toml").is_file() or (directory / "divisions.tsv").is_file():
        load_places(directory)


def _check_unit_references(directory: Path, loaded: dict[str, Any]) -> None:
    """The units other files name, by id or by surface, are units.toml's: a misspelt one would
    match nothing, or fail only on the first text that needs it."""
    ids = {u.id for u in loaded["units"].unit}
    surfaces = {s for u in loaded["units"].unit for s in u.surfaces}
    named = [("exclusions", e.id, e.unit_ids, ids) for e in loaded["exclusions"]]
    named.append(("changes", "changes", loaded["changes"].property_units, ids))
    numerals = loaded["numerals"]
    if numerals.percent_words:
        named.append(("numerals", "numerals", [numerals.percent_unit], surfaces))
    for file, rule_id, units, known in named:
        unknown = sorted(set(units) - known)
        if unknown:
            raise RuleError(f"{directory / (file + '.toml')}: rule {rule_id!r}: unknown unit {unknown}")


def _check_unique_surfaces(path: Path, units: list[Unit]) -> None:
    seen: dict[str, str] = {}
    for unit in units:
        for s in unit.surfaces:
            if s in seen:
                raise RuleError(f"{path}: rule {unit.id!r}: unit {s!r} already defined by {seen[s]!r}")
            seen[s] = unit.id
