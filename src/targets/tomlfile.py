"""Reading the TOML rule and data files: one way to read them and one error shape for all."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

import regex
from pydantic import AfterValidator

from .models import RuleError


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
