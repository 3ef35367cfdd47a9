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
