"""The library's public functions, re-exported by `targets`: a text or some paths in, records out.

`extract_paths` is the unit to map in parallel: one call per file (or per folder) in a
process pool or a dask bag gives the rows `targets extract` writes for those files.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from targets.core import pipeline, schedule
from targets.core.inputs import path_text, scan_inputs, unreadable_message
from targets.core.pipeline import FileResult
from targets.models import Target

PathLike = Union[str, Path]


def extract_text(text: str, source: str = "<text>", rules: Optional[PathLike] = None) -> list[Target]:
    """The targets of a text taken as one document; `source` names it in the records.

    >>> [t.indicator for t in extract_text("到2030年，非化石能源消费比重达到25%左右。", "note.txt")]
    ['非化石能源消费比重']
    """
    # One engine per process and rule folder, from the disk cache when it holds it: a call
    # costs what its text does, not a reading of the rules.
    return pipeline.extract_text(text, pipeline.rules_of(str(rules) if rules else None), source)


def extract_paths(paths: Iterable[PathLike], rules: Optional[PathLike] = None, jobs: int = 1,
                  encoding: Optional[str] = None) -> Iterator[FileResult]:
    """A FileResult (documents and targets, or the error) for every supported file under
    `paths`, in the order `targets extract` reads them; `source` is relative to the folder given.
    Files of other types are passed over, as `targets extract` skips them; a folder that
    cannot be listed gives a FileResult with its error, as it is an error line there."""
    found = scan_inputs([Path(p) for p in paths])
    for folder, why in found.unreadable:
        yield FileResult(source=path_text(folder), error=unreadable_message(folder, why))
    yield from schedule.extract_paths(found.files, str(rules) if rules else None, jobs, encoding)
