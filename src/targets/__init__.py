"""targets: quantitative targets from Chinese climate policy documents, as typed records.

    >>> from targets import extract_text
    >>> [(t.value, t.unit, t.target_year) for t in extract_text("到2025年，风电装机达到2700万千瓦。")]
    [(2700.0, '万千瓦', 2025)]

The names load on first use, so `import targets` (and `targets --help`) stays fast.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["extract_text", "extract_paths", "Target", "Document", "FileResult", "__version__"]

_HOME = {"extract_text": "targets.api", "extract_paths": "targets.api",
         "Target": "targets.models", "Document": "targets.models",
         "FileResult": "targets.core.pipeline"}

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ loads them
    from targets.api import extract_paths, extract_text
    from targets.core.pipeline import FileResult
    from targets.models import Document, Target


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'targets' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
