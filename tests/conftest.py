"""Shared fixtures: the project's rules, the corpus and the shared gold set."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The suite proves rule patterns into a cache of its own, never the user's (core/proofs.py).
os.environ.setdefault("TARGETS_CACHE_DIR", tempfile.mkdtemp(prefix="targets-test-cache-"))

from targets.core.rulebook import DEFAULT_RULES_DIR, load_rules

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


STRIVE_WORDS = 'words = "力争|争取|力求|努力"'


def rules_with_strive_word(folder: Path, word: str) -> Path:
    """A copy of the project's rules at `folder` whose strive.toml also counts `word`."""
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    strive = folder / "strive.toml"
    text = strive.read_text(encoding="utf-8")
    assert STRIVE_WORDS in text  # the edit below must take
    strive.write_text(text.replace(STRIVE_WORDS, STRIVE_WORDS[:-1] + f'|{word}"'), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def corpus_results():
    """Every corpus file extracted once for the session."""
    from targets.core.inputs import scan_inputs
    from targets.core.schedule import extract_paths

    files = scan_inputs([CORPUS]).files
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
