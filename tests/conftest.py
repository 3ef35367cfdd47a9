"""Shared fixtures: the project's rules, the corpus and the shared gold set."""
from __future__ import annotations

from pathlib import Path

import pytest

from targets.core.rulebook import load_rules

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLD = ROOT.parent / "shared" / "gold"


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def corpus_results():
    """Every corpus file extracted once for the session."""
    from targets.core.inputs import scan_inputs
    from targets.core.pipeline import extract_paths

    files = scan_inputs([CORPUS]).files
    return list(extract_paths(files, jobs=1))
