"""The compiled rule set is cached on disk (core/enginecache.py): a run after the first loads it
instead of validating and compiling again, gives the same records, and says when it rebuilt."""
from __future__ import annotations

import gc
import os
import pickle
import shutil
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from targets.cli import app
from targets.core import enginecache, pipeline, rulebook, schedule, schema
from targets.core.inputs import scan_inputs
from targets.core.load import load_file
from targets.core.rulebook import DEFAULT_RULES_DIR
from targets.core.rulefiles import rules_digest

from .conftest import CORPUS

runner = CliRunner()
PLAN = "到2025年，风电装机容量达到2700万千瓦以上。\n"
NOTE = "changed since the last run: checked and compiled again, and cached for the next runs"


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty cache folder, this process's engines forgotten, and a count of rule loads."""
    monkeypatch.setenv("TARGETS_CACHE_DIR", str(tmp_path / "cache"))
    pipeline._engine.cache_clear()
    enginecache.take_notes()
    loads = []
    real = rulebook.load_rules
    monkeypatch.setattr(pipeline, "load_rules", lambda *a: loads.append(a) or real(*a))
    yield loads
    pipeline._engine.cache_clear()


@pytest.fixture
def folder(tmp_path):
    """A copy of the project's rules, to edit."""
    copy = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, copy)
    return copy


def _reload(rules_dir=None):
    """The engine as a new process would get it (this process's memo forgotten)."""
    pipeline._engine.cache_clear()
    return pipeline._engine(str(rules_dir) if rules_dir else None)


def _touch(path):
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment is a change of bytes\n")


def test_a_second_process_loads_the_engine_from_the_cache(fresh, monkeypatch):
    rules, resolver = _reload()
    assert len(fresh) == 1 and enginecache.engine_file(DEFAULT_RULES_DIR).is_file()
    probed = []
    monkeypatch.setattr(schema, "probes", lambda p: probed.append(p))
    cached_rules, cached_resolver = _reload()
    assert len(fresh) == 1 and probed == []     # not validated, probed or compiled again
    assert cached_rules is not rules and cached_resolver.rules is cached_rules
    assert cached_rules.directory == rules.directory == DEFAULT_RULES_DIR
    for path in sorted(CORPUS.glob("*.txt")):   # every step's rules at work: 1,769 targets
        loaded = load_file(path)
        built = pipeline.extract_loaded(loaded, path.name, resolver)
        again = pipeline.extract_loaded(loaded, path.name, cached_resolver)
        assert (again.documents, again.targets) == (built.documents, built.targets)
    assert enginecache.take_notes() == []        # a first build is no news


def test_an_engine_from_the_cache_leaves_the_callers_objects_collectable(fresh):
    # gc.freeze after loading would take every object of the process out of collection for
    # good, a library caller's reference cycles with them: the cache never freezes.
    _reload()
    assert gc.get_freeze_count() == 0
    _reload()                                    # from the cache
    assert gc.get_freeze_count() == 0


def test_a_changed_rule_file_rebuilds_the_engine_and_says_so(fresh, folder):
    _reload(folder)
    _reload(folder)
    assert len(fresh) == 1 and enginecache.take_notes() == []
    _touch(folder / "units.toml")
    _reload(folder)
    assert len(fresh) == 2
    assert enginecache.take_notes() == [f"the rules in {folder} {NOTE}"]
    _reload(folder)
    assert len(fresh) == 2 and enginecache.take_notes() == []


def test_each_rule_folder_has_its_own_entry(fresh, folder, monkeypatch, tmp_path):
    _reload()
    _reload(folder)
    assert len(fresh) == 2                       # the same bytes, but another folder
    assert enginecache.engine_file(folder) != enginecache.engine_file(DEFAULT_RULES_DIR)
    assert enginecache.engine_file(folder).is_file()
    _touch(folder / "strive.toml")
    _reload(folder)
    _reload()
    assert len(fresh) == 3                       # the project's entry still holds
    # The folder named another way (relative, from its parent) is the same entry, and the
    # rules name it as it was given.
    monkeypatch.chdir(tmp_path)
    rules, _ = _reload("rules")
    assert len(fresh) == 3 and str(rules.directory) == "rules"


@pytest.mark.parametrize("damage", ["cut short", "garbage", "empty"])
def test_a_broken_cache_file_is_rebuilt_quietly(fresh, damage):
    _reload()
    path = enginecache.engine_file(DEFAULT_RULES_DIR)
    data = path.read_bytes()
    path.write_bytes({"cut short": data[:len(data) // 2], "garbage": b"\x80\x05not a pickle",
                      "empty": b""}[damage])
    _reload()
    assert len(fresh) == 2 and enginecache.take_notes() == []
    _reload()
    assert len(fresh) == 2                       # and written whole again


def test_a_file_of_other_code_is_never_unpickled(fresh):
    """Under another key (other code, other library versions) only the header is read."""
    path = enginecache.engine_file(DEFAULT_RULES_DIR)
    path.parent.mkdir(parents=True)
    with path.open("wb") as fh:
        pickle.dump(("another key", rules_digest(DEFAULT_RULES_DIR)), fh)
        fh.write(b"cos\nsystem\n(S'exit 3'\ntR.")   # would run a command if unpickled
    _reload()
    assert len(fresh) == 1
    assert enginecache.take_notes() == []        # the code changed, not the rules: no news


def test_an_unwritable_cache_only_costs_time(fresh, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("TARGETS_CACHE_DIR", str(blocker / "cache"))
    for _ in range(2):
        rules, resolver = _reload()
        assert [t.value for t in pipeline.extract_text(PLAN, rules)] == [2700.0]
    assert len(fresh) == 2 and enginecache.take_notes() == []


def test_the_cli_runs_without_a_cache(fresh, monkeypatch, tmp_path):
    monkeypatch.setenv("TARGETS_CACHE_DIR", str(tmp_path / "in" / "plan.txt" / "cache"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text(PLAN, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                 "-q", "-j", "1"])
    assert (result.exit_code, result.output) == (0, "")
    assert (tmp_path / "out" / "targets.csv").read_text(encoding="utf-8-sig").count("\n") == 2


def test_a_bad_rule_folder_is_never_cached(fresh, folder):
    (folder / "units.toml").write_text("unit = 3\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(rulebook.RuleError):
            _reload(folder)
    assert not enginecache.engine_file(folder).exists()


def test_the_cli_says_once_on_stderr_that_the_rules_changed(fresh, folder, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text(PLAN, encoding="utf-8")
    args = ["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q", "-j", "1",
            "--rules", str(folder)]
    assert runner.invoke(app, args).output == ""
    _touch(folder / "strive.toml")
    pipeline._engine.cache_clear()               # a new process
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"note the rules in {folder} {NOTE}\n"
    pipeline._engine.cache_clear()
    assert runner.invoke(app, args).output == ""


def test_pool_workers_never_validate_the_rules(fresh, monkeypatch, tmp_path):
    """--jobs 2: the workers get the parent's engine (or the cache), not a reading of the rules."""
    log = tmp_path / "loads.txt"
    real = rulebook.load_rules

    def counted(*args):
        with log.open("a", encoding="utf-8") as fh:   # a file: the workers' calls count too
            fh.write("load\n")
        return real(*args)

    monkeypatch.setattr(pipeline, "load_rules", counted)
    _reload()
    files = scan_inputs([CORPUS]).files[:4]
    assert log.read_text(encoding="utf-8") == "load\n"
    results = list(schedule.extract_paths(files, None, jobs=2))
    assert all(r.error is None for r in results) and sum(len(r.targets) for r in results) > 100
    assert log.read_text(encoding="utf-8") == "load\n"


def test_a_new_process_starts_from_the_cache(fresh, tmp_path):
    """Two processes: the first builds and writes the cache, the second reads no rule file."""
    code = ("import sys; from targets.core import pipeline, rulebook\n"
            "real = rulebook.load_rules\n"
            "pipeline.load_rules = lambda *a: print('loaded', file=sys.stderr) or real(*a)\n"
            "print(len(pipeline.extract_text(sys.argv[1])))\n")
    for expect in ("loaded\n", ""):
        proc = subprocess.run([sys.executable, "-c", code, PLAN], capture_output=True, text=True,
                              timeout=120)
        assert (proc.stdout, proc.stderr) == ("1\n", expect)


def test_a_write_removes_stale_engine_files_and_left_temporary_files_only(fresh, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    old = time.time() - enginecache.STALE_SECONDS - 60
    files = {name: cache / name for name in ("engine-0123.pickle", "engine-4567.pickle",
                                             ".engine-89ab.pickle.x1.part", ".engine-cdef.pickle.x2.part",
                                             "proofs-old.json")}
    for path in files.values():
        path.write_bytes(b"x")
    for name in ("engine-0123.pickle", ".engine-89ab.pickle.x1.part", "proofs-old.json"):
        os.utime(files[name], (old, old))             # unused for a month and more
    part_age = time.time() - enginecache.PART_SECONDS // 2
    os.utime(files[".engine-cdef.pickle.x2.part"], (part_age, part_age))   # a write under way
    _reload()                                         # builds, writes its entry, prunes
    left = sorted(p.name for p in cache.iterdir())
    assert "engine-0123.pickle" not in left and ".engine-89ab.pickle.x1.part" not in left
    assert {"engine-4567.pickle", ".engine-cdef.pickle.x2.part", "proofs-old.json"} <= set(left)
    assert enginecache.engine_file(DEFAULT_RULES_DIR).name in left
