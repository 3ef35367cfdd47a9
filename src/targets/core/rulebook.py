"""Load and validate rules/*.toml (pydantic, extra="forbid") and compile them with `regex`."""
from __future__ import annotations

import tomllib
from importlib import resources
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Optional

import regex
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from targets.models import RuleError, Target
from targets.core.segment import SENTENCE_MAX

# The rules ship inside the package (package data), so an installed `targets` finds them too.
DEFAULT_RULES_DIR = Path(str(resources.files("targets") / "rules"))
REQUIRED_FILES = ("units", "comparators", "strive", "years", "changes", "exclusions",
                  "triggers", "split", "tables", "normalize")
MATCH_TIMEOUT = 2.0  # seconds a single pattern may take on one text: no rule can hang a run
# What every pattern is tried on at load, each within MATCH_TIMEOUT. Backtracking blows up on a
# long run of one kind of character that ends in a mismatch: exponentially for overlapping
# alternatives ((a|aa)*$, (?:约|约约)+$), as n³ for nested quantifiers in `regex` ((a+)+$: 1.5 s
# on 1,000 characters). So the probes are runs as long as the longest sentence (SENTENCE_MAX,
# and a clause is part of a sentence): of common characters, and of every character and word
# the pattern itself names (see _probes). A pattern that passes runs within the bound on any
# clause of that shape; resolve.py, which applies patterns to clauses, relies on this.
PROBE = "到2025年，" * 20
PROBE_RUNS = "a1能，。 .%\n"
_ESCAPE = regex.compile(r"\\(?:[pPN]\{[^}]*\}|.)")  # \d, \p{Han}: classes, not literal text


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Example(Strict):
    """A text and the records (subsets of their fields) it must give, in order."""
    text: str
    expect: list[dict[str, Any]]

    @model_validator(mode="after")
    def _known_fields(self) -> "Example":
        # A misspelt field (valu = 20) would otherwise crash `rules check` instead of failing here.
        unknown = sorted({k for record in self.expect for k in record} - set(Target.model_fields))
        if unknown:
            raise ValueError(f"expect names fields a target does not have: {unknown}")
        return self


class Examples(Strict):
    examples: list[Example] = []
    counterexamples: list[str] = []


class Unit(Examples):
    id: str
    surfaces: list[str]
    family: str
    std: str
    factor: Optional[float] = None
    factors: dict[str, float] = {}
    count: bool = False
    per: list[str] = []  # denominators that may follow it (公里/平方公里, 万吨/年)

    @model_validator(mode="after")
    def _factor_for_every_surface(self) -> "Unit":
        missing = [s for s in self.surfaces if s not in self.factors and self.factor is None
                   and self.family != "count"]
        unknown = [s for s in self.factors if s not in self.surfaces]
        if missing or unknown:
            raise ValueError(f"no factor for {missing}" if missing else f"factor for unknown unit {unknown}")
        return self

    def factor_of(self, surface: str) -> float:
        return self.factors.get(surface, self.factor if self.factor is not None else 1.0)


class Comparator(Examples):
    id: str
    symbol: Literal[">=", "<=", "~", "="]
    position: Literal["before", "after"]
    pattern: str


class Strive(Examples):
    words: str
    carry_into: str


class YearRule(Examples):
    id: str
    pattern: str
    role: Literal["target", "history"]
    year: Optional[int] = None

    @model_validator(mode="after")
    def _year_or_group(self) -> "YearRule":
        if self.year is None and "(?P<y>" not in self.pattern:
            raise ValueError("needs a fixed `year` or a (?P<y>...) group in its pattern")
        return self


class Years(Strict):
    history_until: int
    not_after: str
    year: list[YearRule]


class Changes(Examples):
    down: str
    up: str
    to_level: str
    increment: str
    stock: str
    rate_down: str
    rate_up: str
    base: list[str]


class Exclusion(Examples):
    id: str
    before: Optional[str] = None
    after: Optional[str] = None
    clause: Optional[str] = None
    without_year: bool = False  # the rule applies only where no deadline year is in scope
    units: Literal["all", "amount", "measure", "count"]  # measure: neither a share nor a count
    reason: str


class Triggers(Examples):
    verbs: str
    count_verbs: str
    subject_strip: str
    predicates: str


class SplitRule(Examples):
    id: str
    marker: Optional[str] = None
    copies: Optional[int] = None
    subject: Optional[str] = None
    counterexamples_one: list[str] = []


class Split(Strict):
    separators: str
    respectively: str
    heads: str
    split: list[SplitRule]


class Tables(Examples):
    indicator_header: str
    unit_header: str
    year_header: str
    current_header: str
    skip_header: str


class Deletion(Strict):
    id: str
    pattern: str


class Normalize(Examples):
    delete: list[Deletion]
    join_between: str


SCHEMAS = {"units": ("unit", Unit), "comparators": ("comparator", Comparator),
           "exclusions": ("exclusion", Exclusion)}
SINGLE = {"strive": Strive, "years": Years, "changes": Changes, "triggers": Triggers,
          "split": Split, "tables": Tables, "normalize": Normalize}


@dataclass
class RuleSet:
    """Every rule file, validated, with its patterns compiled."""
    directory: Path
    units: list[Unit]
    comparators: list[Comparator]
    strive: Strive
    years: Years
    changes: Changes
    exclusions: list[Exclusion]
    triggers: Triggers
    split: Split
    tables: Tables
    normalize: Normalize
    extra: dict[str, Any]

    def __post_init__(self) -> None:
        self._cache: dict[str, regex.Pattern] = {}

    def rx(self, pattern: str) -> regex.Pattern:
        """The compiled form of a pattern already checked at load."""
        if pattern not in self._cache:
            self._cache[pattern] = regex.compile(pattern, regex.V1)
        return self._cache[pattern]

    def example_sets(self) -> list[tuple[str, str, Examples]]:
        """(file, rule id, rule) for every rule that carries examples or counterexamples."""
        out: list[tuple[str, str, Examples]] = []
        for name, (_, _) in SCHEMAS.items():
            out += [(name, r.id, r) for r in getattr(self, name)]
        out += [("years", r.id, r) for r in self.years.year]
        out += [("split", r.id, r) for r in self.split.split]
        out += [(name, name, getattr(self, name)) for name in SINGLE if name not in ("years", "split")]
        return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read rule file ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: invalid TOML: {exc}") from exc


def _validate(path: Path, model: type[BaseModel], data: Any, rule_id: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        where = f"{where}: " if where else ""  # a check of the whole rule names no field
        raise RuleError(f"{path}: rule {rule_id!r}: {where}{first['msg']}") from exc


def _check_pattern(path: Path, rule_id: str, pattern: str) -> None:
    try:
        compiled = regex.compile(pattern, regex.V1)
        for probe in _probes(pattern):
            compiled.search(probe, timeout=MATCH_TIMEOUT)
    except regex.error as exc:
        raise RuleError(f"{path}: rule {rule_id!r}: bad regex {pattern!r}: {exc}") from exc
    except TimeoutError as exc:
        raise RuleError(f"{path}: rule {rule_id!r}: pattern backtracks catastrophically: {pattern!r}") from exc


def _probes(pattern: str) -> list[str]:
    """PROBE, then runs of common characters and of each character and word of `pattern`.

    (?:约|约约)+$ backtracks only on a run of 约, which no fixed text can hold for every word.
    >>> [(run[:3], len(run)) for run in _probes("(?:约|约约)+$")[1 + len(PROBE_RUNS):]]
    [('约约约', 2001)]
    """
    literal = _ESCAPE.sub(" ", pattern)
    words = set(regex.findall(r"\w+", literal))
    n = SENTENCE_MAX
    runs = ({c * n for c in set("".join(words)) - set(PROBE_RUNS)}
            | {w * -(-n // len(w)) for w in words if len(w) > 1})
    return [PROBE] + [c * n + "!" for c in PROBE_RUNS] + [run + "!" for run in sorted(runs)]


def _patterns(obj: BaseModel) -> list[str]:
    """Every field of a rule that holds a regex."""
    names = ("pattern", "before", "after", "clause", "marker", "subject", "words", "carry_into", "not_after",
             "down", "up", "to_level", "increment", "stock", "rate_down", "rate_up", "verbs",
             "count_verbs", "subject_strip", "predicates", "indicator_header", "unit_header", "year_header", "current_header",
             "skip_header", "separators", "respectively", "heads", "join_between")
    out = [getattr(obj, n) for n in names if isinstance(getattr(obj, n, None), str)]
    return out + list(getattr(obj, "base", []) or [])


def load_rules(directory: Path | None = None) -> RuleSet:
    """Read and validate every rule file of a folder; RuleError names file, rule and reason."""
    directory = Path(directory or DEFAULT_RULES_DIR)
    if not directory.is_dir():
        raise RuleError(f"{directory}: rules folder not found")
    loaded: dict[str, Any] = {}
    for name in REQUIRED_FILES:
        path = directory / f"{name}.toml"
        if not path.is_file():
            raise RuleError(f"{path}: rule file missing")
        data = _read_toml(path)
        if name in SCHEMAS:
            key, model = SCHEMAS[name]
            unknown = set(data) - {key}
            if unknown:
                raise RuleError(f"{path}: unknown top-level keys {sorted(unknown)}")
            rules = [_validate(path, model, r, r.get("id", f"#{i}") if isinstance(r, dict) else f"#{i}")
                     for i, r in enumerate(data.get(key, []))]
            for rule in rules:
                for p in _patterns(rule):
                    _check_pattern(path, rule.id, p)
            loaded[name] = rules
        else:
            obj = _validate(path, SINGLE[name], data, name)
            subrules = getattr(obj, "year", None) or getattr(obj, "split", None) or []
            subrules = subrules if isinstance(subrules, list) else []
            for p in _patterns(obj):
                _check_pattern(path, name, p)
            for sub in subrules + list(getattr(obj, "delete", [])):
                for p in _patterns(sub):
                    _check_pattern(path, sub.id, p)
            loaded[name] = obj
    extra = {p.stem: _read_toml(p) for p in sorted(directory.glob("*.toml"))
             if p.stem not in REQUIRED_FILES}
    _check_unique_surfaces(directory / "units.toml", loaded["units"])
    _check_data_files(directory)
    return RuleSet(directory=directory, extra=extra, **loaded)


def _check_data_files(directory: Path) -> None:
    """The folder's own document and jurisdiction data, validated like every rule file."""
    from targets.core.documents import load_document_rules  # imported here: they import this module's errors
    from targets.core.places import load_places

    if (directory / "documents.toml").is_file():
        load_document_rules(directory / "documents.toml")
    if (directory / "jurisdictions.toml").is_file() or (directory / "divisions.tsv").is_file():
        load_places(directory)


def _check_unique_surfaces(path: Path, units: list[Unit]) -> None:
    seen: dict[str, str] = {}
    for unit in units:
        for s in unit.surfaces:
            if s in seen:
                raise RuleError(f"{path}: rule {unit.id!r}: unit {s!r} already defined by {seen[s]!r}")
            seen[s] = unit.id
