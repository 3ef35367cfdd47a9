"""What every rule file shares: strict models, examples, and patterns proven not to backtrack.

A field typed `Pattern` holds a regex: the rule book compiles it and tries it, at load, on the
probes below. Schemas live beside the step that reads them (core/steps/); this module holds
only what they have in common, so that the steps and the loader need not import each other.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Iterator

import regex
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from targets.models import RuleError

MATCH_TIMEOUT = 2.0  # seconds a single pattern may take on one text: no rule can hang a run
SENTENCE_MAX = 2_000  # the longest sentence segment.py makes (a longer run of text is cut)
# What every pattern is tried on at load, each within MATCH_TIMEOUT. Backtracking blows up on a
# long run of one kind of character that ends in a mismatch: exponentially for overlapping
# alternatives ((a|aa)*$, (?:约|约约)+$), as n³ for nested quantifiers in `regex` ((a+)+$: 1.5 s
# on 1,000 characters). So the probes are runs as long as the longest sentence: of common
# characters, and of every character and word the pattern itself names (see probes). A pattern
# that passes runs within the bound on any clause of that shape; the steps rely on this.
PROBE = "到2025年，" * 20
PROBE_RUNS = "a1能，。 .%\n"
_ESCAPE = regex.compile(r"\\(?:[pPN]\{[^}]*\}|.)")  # \d, \p{Han}: classes, not literal text
_GROUP = regex.compile(r"\(\?(?:P<\w+>|P=\w+\)|<?[=!]|:)")  # (?P<y>, (?:, (?<=: group syntax


class _PatternMark:
    """Marks a str field as a regex (see Pattern)."""


Pattern = Annotated[str, _PatternMark()]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Example(Strict):
    """A text and the records (subsets of their fields) it must give, in order."""
    text: str
    expect: list[dict[str, Any]]

    @model_validator(mode="after")
    def _known_fields(self) -> "Example":
        from targets.models import Target  # the record type: a misspelt field fails here

        known = set(Target.model_fields) | {"surface"}  # surface: the text the span holds
        unknown = sorted({k for record in self.expect for k in record} - known)
        if unknown:
            raise ValueError(f"expect names fields a target does not have: {unknown}")
        return self


class Examples(Strict):
    """A rule's proof: texts it must resolve so, and texts that must give nothing."""
    examples: list[Example] = []
    counterexamples: list[str] = []


def patterns_of(obj: BaseModel) -> Iterator[str]:
    """Every regex a rule holds: its `Pattern` fields, alone or in lists."""
    for name, info in type(obj).model_fields.items():
        marked = any(isinstance(m, _PatternMark) for m in info.metadata)
        inner = getattr(info.annotation, "__args__", ())
        listed = any(any(isinstance(m, _PatternMark) for m in getattr(a, "__metadata__", ()))
                     for a in inner)
        value = getattr(obj, name)
        if marked and isinstance(value, str):
            yield value
        elif listed and isinstance(value, (list, dict)):
            values = value.values() if isinstance(value, dict) else value
            yield from (v for v in values if isinstance(v, str))


def validate_rule(path: Path, model: type[BaseModel], data: Any, rule_id: str) -> Any:
    """`data` as `model`; a RuleError names the file, the rule and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        rule_id, loc = _innermost_rule(rule_id, first["loc"], data)
        where = ".".join(str(p) for p in loc)
        where = f"{where}: " if where else ""  # a check of the whole rule names no field
        raise RuleError(f"{path}: rule {rule_id!r}: {where}{first['msg']}") from exc


def _innermost_rule(rule_id: str, loc: tuple, data: Any) -> tuple[str, tuple]:
    """The id of the innermost rule (a table with an `id`) on an error's path, and the path
    below it: unit.19.family in units.toml is rule 'broken', field family."""
    node, rest = data, tuple(loc)
    for i, key in enumerate(loc):
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            rule_id, rest = node["id"], tuple(loc[i + 1:])
    return rule_id, rest


def check_pattern(path: Path, rule_id: str, pattern: str, proofs=None) -> None:
    """The pattern compiles and runs within MATCH_TIMEOUT on every probe, or RuleError.
    `proofs` (proofs.Proofs) remembers the patterns that passed, so each is probed once."""
    try:
        compiled = regex.compile(pattern, regex.V1)
        if proofs is not None and pattern in proofs:
            return
        for probe in probes(pattern):
            compiled.search(probe, timeout=MATCH_TIMEOUT)
        if proofs is not None:
            proofs.add(pattern)
    except regex.error as exc:
        raise RuleError(f"{path}: rule {rule_id!r}: bad regex {pattern!r}: {exc}") from exc
    except TimeoutError as exc:
        raise RuleError(f"{path}: rule {rule_id!r}: pattern backtracks catastrophically: {pattern!r}") from exc


def probes(pattern: str) -> list[str]:
    """PROBE, then runs of common characters and of each character and word of `pattern`.

    (?:约|约约)+$ backtracks only on a run of 约, which no fixed text can hold for every word.
    >>> [(run[:3], len(run)) for run in probes("(?:约|约约)+$")[1 + len(PROBE_RUNS):]]
    [('约约约', 2001)]
    >>> [run[:2] for run in probes("(?:—|——)+$")[1 + len(PROBE_RUNS):]]
    ['——']
    """
    literal = _GROUP.sub(" ", _ESCAPE.sub(" ", pattern))
    # Words, and runs of any other literal character (—— in (?:—|——)+$ is no \w, yet a run of
    # dashes is what makes that pattern backtrack).
    words = set(regex.findall(r"\w+|[^\w\s()\[\]{}|?*+.^$\\]+", literal))
    n = SENTENCE_MAX
    runs = ({c * n for c in set("".join(words)) - set(PROBE_RUNS)}
            | {w * -(-n // len(w)) for w in words if len(w) > 1})
    return [PROBE] + [c * n + "!" for c in PROBE_RUNS] + [run + "!" for run in sorted(runs)]


def check_rule(path: Path, rule_id: str, rule: BaseModel, proofs=None) -> None:
    """Every pattern of a rule, checked."""
    for pattern in patterns_of(rule):
        check_pattern(path, rule_id, pattern, proofs)
