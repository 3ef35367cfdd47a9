"""Which files a run reads: the supported files under the inputs, the ones skipped, the
folders that could not be listed, and the name each file goes by in the outputs."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from targets.core.load import is_supported


@dataclass
class Inputs:
    files: list[tuple[Path, Path]] = field(default_factory=list)  # (file, the input it is under)
    skipped: list[Path] = field(default_factory=list)             # not a supported file type
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (folder, why)


def path_text(path: object) -> str:
    r"""A path as text every output can hold: a name that is not UTF-8 has its bytes as \xNN.

    Linux keeps the bytes of such a name (a GBK name from a Windows zip) as lone surrogates,
    which no UTF-8 file can hold. Written as \xNN, every non-ASCII byte of that one name, it
    stays recoverable byte for byte; the other names of the path stay as they are.

    >>> gbk = os.fsdecode("能源".encode("gbk"))   # how Linux gives the name b'\xc4\xdc\xd4\xb4'
    >>> print(path_text("河南/能源.txt"), path_text(f"河南/{gbk}.txt"))
    河南/能源.txt 河南/\xc4\xdc\xd4\xb4.txt
    """
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "/".join(_name_text(name) for name in text.split("/"))


def _name_text(name: str) -> str:
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no byte gave (Windows): its code point
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("ascii", "backslashreplace")


def source_of(path: Path, root: Path) -> str:
    """The name a file goes by in the outputs: its path under the input folder."""
    return path_text(path.relative_to(root).as_posix() if path != root else path.name)


def scan_inputs(inputs: Iterable[Path]) -> Inputs:
    """Every file under `inputs`, sorted for a deterministic order; hidden files are left out.

    Symbolic links to folders are not followed (a link loop would never end); a folder that
    cannot be listed is reported, never skipped in silence (Path.rglob swallows the error).
    """
    found = Inputs()
    for top in inputs:
        candidates = sorted(_files_under(top, found.unreadable)) if top.is_dir() else [top]
        root = top if top.is_dir() else top.parent
        for p in candidates:
            if p.name.startswith("."):
                continue
            if is_supported(p):
                found.files.append((p, root))
            else:
                found.skipped.append(p)
    return found


def _files_under(folder: Path, unreadable: list[tuple[Path, str]]) -> Iterable[Path]:
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        unreadable.append((folder, _why(exc)))
        return
    for entry in entries:
        path = folder / entry.name
        try:
            is_dir, is_file = entry.is_dir(follow_symlinks=False), entry.is_file()
        except OSError:  # gone since the listing, or a link that cannot be resolved
            continue
        if is_dir:
            yield from _files_under(path, unreadable)
        elif is_file:
            yield path


def _why(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)


def unreadable_message(folder: Path, why: str) -> str:
    """The one line for a folder that could not be listed."""
    return f"{path_text(folder)}: cannot list this folder ({why}); its files were not read"
