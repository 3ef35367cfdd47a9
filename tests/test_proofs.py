"""Rule patterns are probed once: the proofs are cached on disk (core/proofs.py)."""
from __future__ import annotations

import shutil

import pytest

from targets.core import schema
from targets.core.rulebook import DEFAULT_RULES_DIR, load_rules
from targets.models import RuleError

from .conftest import rules_with_strive_word


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """A fresh proof cache, and a count of the patterns probed."""
    monkeypatch.setenv("TARGETS_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    real = schema.probes
    monkeypatch.setattr(schema, "probes", lambda p: calls.append(p) or real(p))
    return calls


def test_a_second_load_probes_nothing(counted):
    load_rules()
    first = len(counted)
    assert first > 50
    load_rules()
    assert len(counted) == first


def test_a_changed_pattern_is_probed_again(counted, tmp_path):
    load_rules()
    folder = rules_with_strive_word(tmp_path / "rules", "务必")
    before = len(counted)
    load_rules(folder)
    assert counted[before:] == ["力争|争取|力求|努力|务必"]


def test_a_backtracking_pattern_is_never_remembered(counted, tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    strive = folder / "strive.toml"
    strive.write_text(strive.read_text(encoding="utf-8").replace('words = "力争|争取|力求|努力"',
                                                                 'words = "(?:约|约约)+$"'), encoding="utf-8")
    for _ in range(2):  # the second time it is probed, and refused, again
        with pytest.raises(RuleError, match="backtracks"):
            load_rules(folder)


def test_an_unwritable_cache_only_costs_time(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("TARGETS_CACHE_DIR", str(blocker / "cache"))
    assert load_rules().units.unit


def test_indicator_patterns_are_probed_once_too(counted):
    from targets.core.indicators import load_taxonomy

    rules = load_rules()
    before = len(counted)
    load_taxonomy(rules)
    assert len(counted) - before > 100          # indicators.toml's patterns, probed the first time
    before = len(counted)
    load_taxonomy(rules)
    assert len(counted) == before


def test_a_backtracking_indicator_pattern_is_refused_every_time(counted, tmp_path):
    from targets.core.indicators import load_taxonomy

    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    path = folder / "indicators.toml"
    text = path.read_text(encoding="utf-8")
    # The first indicator's patterns, a backtracking one first.
    path.write_text(text.replace("patterns = [", 'patterns = ["(?:约|约约)+$", ', 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(RuleError, match="backtracks"):
            load_taxonomy(load_rules(folder))
