"""Where the rule files are, and a digest that names the exact rules a run used.

The rules ship inside the package (package data), found with importlib.resources, so a
wheel, `pip install .` or pipx install finds them as a clone does. Light on purpose: no
pydantic, no regex, so `targets --version` answers at once.
"""
from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Optional

# A --rules DIR without these files runs with the package's (see pipeline._data_file,
# places._rule_file and the diff and indicator loaders): the digest must cover what was read,
# so it takes them too.
FALLBACK_FILES = ("documents.toml", "jurisdictions.toml", "divisions.tsv", "diff.toml")
RULE_DATA = ("*.toml", "*.tsv")  # what a run reads from a rule folder (build_divisions.py is not)


def package_rules() -> Path:
    """The rule folder inside the installed package."""
    return Path(str(resources.files("targets") / "rules"))


def rules_digest(directory: Optional[Path] = None) -> str:
    """sha256 over the name and bytes of every rule file a run with `directory` reads.

    Two folders with the same files give the same digest wherever they are:
    >>> import shutil, tempfile
    >>> copy = Path(tempfile.mkdtemp()) / "rules"
    >>> _ = shutil.copytree(package_rules(), copy)
    >>> rules_digest(copy) == rules_digest()
    True
    >>> _ = (copy / "units.toml").write_text("# changed", encoding="utf-8")
    >>> rules_digest(copy) == rules_digest()
    False
    >>> _ = shutil.copy(package_rules() / "units.toml", copy)
    >>> _ = (copy / "divisions.tsv").write_text("changed", encoding="utf-8")
    >>> rules_digest(copy) == rules_digest()
    False
    """
    folder = Path(directory) if directory else package_rules()
    files = {p.name: p for pattern in RULE_DATA for p in folder.glob(pattern)}
    for name in FALLBACK_FILES:
        if name not in files and (package_rules() / name).is_file():
            files[name] = package_rules() / name
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name].read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()

