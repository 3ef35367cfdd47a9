"""Reading the TOML rule and data files: one way to read and validate them, one error shape."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, TypeVar

import regex
from pydantic import AfterValidator, BaseModel, ValidationError

from targets.models import RuleError

M = TypeVar("M", bound=BaseModel)


def check_regex(pattern: str) -> str:
    """A pydantic validator: the field must compile as a regex."""
    try:
        regex.compile(pattern, regex.V1)  # the strictest syntax any of our modules compiles with
    except regex.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from exc
    return pattern


Rx = Annotated[str, AfterValidator(check_regex)]  # a field that holds a regex


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The parsed file; RuleError names it and says why it cannot be read."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: cannot read {what} ({exc})") from exc


def validate(path: Path, model: type[M], data: dict[str, Any], label: str = "entry") -> M:
    """`data` as `model`; a RuleError names the file and the entry by its id or name, not its
    index (place #12 -> place '长垣市')."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = f"{label} {_where(first['loc'], data)}: " if first["loc"] else ""
        raise RuleError(f"{path}: {where}{first['msg']}") from exc


def _where(loc: tuple, data: Any) -> str:
    parts, node = [], data
    for key in loc:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
        name = node.get("id", node.get("name")) if isinstance(key, int) and isinstance(node, dict) else None
        parts.append(repr(name) if name is not None else str(key))
    return ".".join(parts)
