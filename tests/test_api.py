"""The public API: `from targets import …`, the README's doctest, and the README's process-pool
example, which must give the rows `targets extract` writes."""
from __future__ import annotations

import csv
import doctest
import json
import re
import subprocess
import sys

import targets
from targets.models import TARGET_COLUMNS
from targets.outputs.export import cell_text

from .conftest import ROOT, rules_with_strive_word

README = ROOT / "README.md"
# Appended to the README's example: its records as the CSV would write them.
DUMP = """
    import json as _json
    print(_json.dumps([[str(cell_text(getattr(t, c))) for c in TARGET_COLUMNS] for t in targets],
                      ensure_ascii=False))
"""


def test_the_public_names():
    assert {"extract_text", "extract_paths", "Target", "Document", "FileResult"} <= set(dir(targets))
    from targets import Document, FileResult, Target, extract_paths, extract_text

    [t] = extract_text("到2030年，非化石能源消费比重达到25%左右。", source="a.txt")
    assert isinstance(t, Target) and (t.source, t.value, t.comparator, t.target_year) == ("a.txt", 25.0, "~", 2030)
    assert Document.__name__ == "Document" and FileResult.__name__ == "FileResult" and callable(extract_paths)


def test_import_targets_stays_light():
    code = "import sys, targets; print(sorted(m for m in sys.modules if m.startswith(('targets.', 'pydantic', 'regex'))))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def test_extract_paths_takes_folders_and_reports_bad_files(tmp_path):
    from targets import extract_paths

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "plan.txt").write_text("到2025年，风电装机容量达到2700万千瓦以上。", encoding="utf-8")
    (tmp_path / "a" / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    (tmp_path / "a" / "notes.md").write_text("skipped", encoding="utf-8")
    results = list(extract_paths([tmp_path / "a"]))
    assert [r.source for r in results] == ["broken.pdf", "plan.txt"]
    assert results[0].error and not results[0].targets
    assert [(t.value, t.unit) for t in results[1].targets] == [(2700.0, "万千瓦")]


def test_the_readme_doctest_runs():
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2 and result.failed == 0


def test_the_readme_pool_example_gives_the_rows_of_targets_extract(corpus_out, tmp_path):
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- example: pool[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert block, "the README's pool example is missing"
    script = tmp_path / "pool_example.py"
    imports = "from targets.models import TARGET_COLUMNS\nfrom targets.outputs.export import cell_text\n"
    script.write_text(imports + block.group(1) + DUMP, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    printed, dumped = proc.stdout.strip().splitlines()
    rows = json.loads(dumped)
    with (corpus_out / "targets.csv").open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == TARGET_COLUMNS
        expected = list(reader)
    assert printed == f"{len(expected)} targets" and len(rows) > 1000
    assert rows == expected


# A 1,000-character text of two target sentences, over and over.
THOUSAND = ("到2025年，非化石能源消费比重达到20%左右，单位地区生产总值能耗比2020年下降13.5%。" * 30)[:1000]


def test_the_library_call_loads_the_rules_once(monkeypatch):
    """`extract_text` keeps one engine per process and rule folder: neither the rule files nor
    the engine's disk cache are read again per call."""
    from targets.core import enginecache, pipeline, rulebook

    first = targets.extract_text(THOUSAND)
    assert len(first) == 41   # 21 whole sentences of two targets, and a cut one of the first
    loads = []
    for module, name in ((pipeline, "load_rules"), (rulebook, "load_rules"), (enginecache, "cached")):
        monkeypatch.setattr(module, name, lambda *a, **k: loads.append(a) or 1 / 0)
    for _ in range(3):
        assert targets.extract_text(THOUSAND) == first
    assert loads == []


def test_each_rule_folder_gets_its_own_engine(tmp_path):
    """A rule folder's engine is its own: an edited copy gives its own records, the project's
    rules theirs, call after call."""
    folder = rules_with_strive_word(tmp_path / "rules", "务必")
    text = "到2025年，务必使风电装机容量达到2700万千瓦以上。"
    for _ in range(2):
        assert [t.strive for t in targets.extract_text(text)] == [False]
        assert [t.strive for t in targets.extract_text(text, rules=folder)] == [True]


def test_the_library_call_costs_what_the_core_does():
    """Issue 18: 1,000 calls of the public `extract_text` on a 1,000-character text, in all
    within 5x of as many `document_targets` calls on it (a ratio of CPU time taken in this
    run, in interleaved rounds so that both see the same machine; not an absolute time).

    The first call finds no engine in this process, as a new process would not: the 1,000
    calls pay for loading it too."""
    import time

    from targets.core.pipeline import _engine, document_targets
    from targets.models import Document

    _, resolver = _engine(None)
    doc = Document(doc_id="<text>", source="<text>", doc_title="", char_start=0, char_end=len(THOUSAND))
    _engine.cache_clear()
    calls = {"extract_text": lambda: targets.extract_text(THOUSAND),
             "document_targets": lambda: document_targets(THOUSAND, doc, resolver, [])}
    spent = dict.fromkeys(calls, 0.0)
    for _ in range(10):   # 10 rounds of 100 calls each: 1,000 calls of each
        for name, call in calls.items():
            started = time.process_time()
            for _ in range(100):
                call()
            spent[name] += time.process_time() - started
    assert spent["extract_text"] <= 5 * spent["document_targets"], spent
