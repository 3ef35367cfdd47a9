"""Typed records: a Document, the Targets found in it, and a TargetChange between versions."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict

Comparator = Literal[">=", "<=", "~", "="]
Kind = Literal["level", "change", "increment"]
Direction = Literal["up", "down", ""]


class TargetsError(Exception):
    """Base of every error the library turns into one clean line for the user."""


class InputError(TargetsError):
    """An input file that cannot be read or decoded."""


class UsageError(TargetsError):
    """An option that names nothing known (a province, a doc_id): says what comes closest."""


class RuleError(TargetsError):
    """A rule file that is not valid: names the file, the rule id and the reason."""


class Document(BaseModel):
    """One document: a whole file, or one plan inside a compilation."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    source: str
    doc_title: str
    region: str = ""
    province: str = ""
    level: str = ""
    is_draft: bool = False
    url: str = ""
    published: str = ""
    page_start: Optional[int] = None
    page_end: Optional[int] = None
    n_targets: int = 0
    char_start: int = 0
    char_end: int = 0
    region_code: str = ""       # GB/T 2260 code of the issuing division (issue 14)
    province_code: str = ""     # ISO 3166-2 (CN-HA); CN for national documents
    province_en: str = ""
    place_note: str = ""        # why a place the document names was left unresolved


class Target(BaseModel):
    """One quantitative target, with its provenance in the original text."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    source: str
    doc_title: str = ""
    region: str = ""
    province: str = ""
    indicator: str
    indicator_id: str = ""
    sector: str = ""
    value: float
    value_max: Optional[float] = None
    unit: str
    value_std: Optional[float] = None
    unit_std: str = ""
    comparator: Comparator
    kind: Kind
    direction: Direction = ""
    base_year: Optional[int] = None
    target_year: Optional[int] = None
    strive: bool = False
    sentence: str
    char_start: int
    char_end: int
    page: Optional[int] = None
    rule_id: str = ""
    section: str = ""  # the heading path the target stands under
    year_source: str = ""  # where target_year came from: sentence, headline, list, 其中, table
    decided_by: str = ""  # the rule ids that set its fields, in field order
    region_code: str = ""
    province_code: str = ""
    province_en: str = ""
    indicator_en: str = ""
    sector_en: str = ""


# Column order of every export: OUTPUT.md's columns first, then ours.
TARGET_COLUMNS = [
    "doc_id", "source", "doc_title", "region", "province", "indicator", "indicator_id",
    "sector", "value", "value_max", "unit", "value_std", "unit_std", "comparator", "kind",
    "direction", "base_year", "target_year", "strive", "sentence", "char_start", "char_end",
    "page", "rule_id", "section", "year_source", "decided_by",
    # places coded and in English (issue 14)
    "region_code", "province_code", "province_en", "indicator_en", "sector_en",
]
DOCUMENT_COLUMNS = list(Document.model_fields)


ChangeStatus = Literal["unchanged", "changed", "added", "removed"]


class TargetChange(BaseModel):
    """What happened to one target between an old and a new version of a plan."""

    model_config = ConfigDict(extra="forbid")

    status: ChangeStatus
    old: Optional[Target] = None
    new: Optional[Target] = None
    changed_fields: list[str] = []
