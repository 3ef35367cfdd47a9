"""The code stays legible: classes on the resolution path fit a sitting, and no two modules
import each other (at module level, the imports that make a cycle)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "targets"
# The resolution path (issue 12: no class over 120 lines there).
RESOLUTION = ["core/resolve.py", "core/reading.py", "core/match.py", "core/outline.py",
              "core/context.py", "core/segment.py", *[f"core/steps/{p.name}" for p in (PACKAGE / "core" / "steps").glob("*.py")]]
CLASS_MAX = 120


def long_classes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            and node.end_lineno - node.lineno + 1 > CLASS_MAX]


def test_no_class_on_the_resolution_path_is_over_120_lines():
    found = [c for rel in RESOLUTION for c in long_classes(PACKAGE / rel)]
    assert found == []


def test_the_class_check_sees_a_long_class(tmp_path):
    src = tmp_path / "long.py"
    src.write_text("class Long:\n" + "    x = 1\n" * CLASS_MAX, encoding="utf-8")
    assert long_classes(src) == ["long.py:Long (121 lines)"]


def module_imports(path: Path) -> set[str]:
    """The targets modules a module imports when it loads (not inside functions)."""
    name = ".".join(("targets", *path.relative_to(PACKAGE).with_suffix("").parts))
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            base = node.module if node.level == 0 else ".".join(name.split(".")[:-node.level] + [node.module])
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m.startswith("targets.")}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles among the graph's modules (each found once from its first module)."""
    out, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                out.append(path[path.index(nxt):] + [nxt])
            elif nxt not in done:
                visit(nxt, path + [nxt])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    return out


def test_no_import_cycles():
    modules = {".".join(("targets", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__"): p
               for p in PACKAGE.rglob("*.py")}
    graph = {name: {m for m in module_imports(path) if m in modules and m != name}
             for name, path in modules.items()}
    assert cycles(graph) == []


def test_the_cycle_check_sees_a_cycle():
    assert cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b", "a"]]
