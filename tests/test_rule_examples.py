"""Every rule carries its proof: its examples must give exactly the records they list, its
counterexamples nothing."""
from __future__ import annotations

import pytest

from targets.core.examples import cases, check
from targets.core.rulebook import load_rules

CASES = list(cases(load_rules()))


def test_every_rule_file_has_examples():
    files = {c.file for c in CASES}
    assert files >= {"units", "comparators", "strive", "years", "changes", "exclusions",
                     "triggers", "split", "tables", "normalize"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_example(case, rules):
    assert check(case, rules) is None
