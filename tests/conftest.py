"""Shared fixtures: the project's rules, the corpus and the shared gold set."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# The suite proves rule patterns into a cache of its own, never the user's (core/proofs.py).
os.environ.setdefault("TARGETS_CACHE_DIR", tempfile.mkdtemp(prefix="targets-test-cache-"))

from targets.core.rulebook import load_rules

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
GOLD = SHARED / "gold"
# The gold sets and the bars issue 12 sets for them: strict P and R for the small set, F1 for
# the fresh ones, and every field's accuracy on the strict matches.
GOLD_SETS = {
    "gold": {"precision": 0.98, "recall": 0.98, "field": 0.93},
    "gold-plans": {"f1": 0.93, "field": 0.93},
    "gold-news": {"f1": 0.93, "field": 0.93},
}


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def corpus_results():
    """Every corpus file extracted once for the session."""
    from targets.core.pipeline import extract_paths, input_files

    files, _ = input_files([CORPUS])
    return list(extract_paths(files, jobs=1))


@pytest.fixture(scope="session")
def corpus_out(tmp_path_factory):
    """`targets extract corpus/` once for the session: the folder it wrote (do not change it)."""
    from typer.testing import CliRunner

    from targets.cli import app

    out = tmp_path_factory.mktemp("corpus-out")
    result = CliRunner().invoke(app, ["extract", str(CORPUS), "--out", str(out), "-q", "-j", "2"])
    assert result.exit_code == 0, result.output
    return out
