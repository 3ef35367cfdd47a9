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


@pytest.fixture(autouse=True)
def no_traceback_from_the_cli(monkeypatch):
    """Across the suite, no output of the CLI holds a traceback (`issues show 13`): what every
    in-process run (CliRunner) and every subprocess printed is read after each test.

    An exception CliRunner caught counts as its traceback: the user would have seen one.
    """
    import subprocess
    import traceback

    from typer.testing import CliRunner

    seen: list[str] = []
    real_invoke, real_communicate = CliRunner.invoke, subprocess.Popen.communicate

    def invoke(self, *args, **kwargs):
        result = real_invoke(self, *args, **kwargs)
        seen.append(result.output)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            seen.append("".join(traceback.format_exception(*result.exc_info)))
        return result

    def communicate(self, *args, **kwargs):
        outputs = real_communicate(self, *args, **kwargs)
        for text in outputs:
            if text:
                seen.append(text if isinstance(text, str) else text.decode("utf-8", "replace"))
        return outputs

    monkeypatch.setattr(CliRunner, "invoke", invoke)
    monkeypatch.setattr(subprocess.Popen, "communicate", communicate)
    yield
    found = [text for text in seen if "Traceback" in text]
    assert not found, f"{len(found)} CLI output(s) with a traceback; the first:\n{found[0]}"
