"""Layers: packetbuilder's modules import one another in one direction only.

DESIGN.md ("Layers (v2)"): a module imports only from layers below it. A cycle hidden
in a function-level import is still a cycle (each side must know the other), so every
import in a file counts, wherever it is; only ``if TYPE_CHECKING:`` imports, which
never run, are left out. The bottom modules import none of the others.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "packetbuilder"
BOTTOM = {"packetbuilder.model", "packetbuilder.errors", "packetbuilder.formatting", "packetbuilder.textfiles",
          "packetbuilder.findings"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in the tree, at any depth, but those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def imported_modules(name: str) -> set[str]:
    """The packetbuilder modules that module ``name`` imports."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
            continue
        if node.level:
            base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        for alias in node.names:  # `from . import mail` imports the module packetbuilder.mail
            submodule = f"{source}.{alias.name}"
            targets.add(submodule if submodule in MODULES else source)
    return {t for t in targets if t in MODULES and t != name}


GRAPH = {name: imported_modules(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[tuple[set[str], list[list[str]]]]:
    """Each group of modules that import one another (a strongly connected component,
    found with Tarjan's algorithm), with the shortest cycle through each of its modules
    (first module repeated at the end)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)

    def path_back(start: str, group: set[str]) -> list[str]:
        """The shortest way from ``start`` round to itself inside ``group``."""
        paths = {start: [start]}
        frontier = [start]
        while frontier:
            step = []
            for node in frontier:
                for nxt in sorted(graph[node] & group):
                    if nxt == start:
                        return paths[node] + [start]
                    if nxt not in paths:
                        paths[nxt] = paths[node] + [nxt]
                        step.append(nxt)
            frontier = step
        raise AssertionError(f"{start} is in no cycle")

    found = []
    for group in sorted(groups, key=min):
        loops: list[list[str]] = []
        for start in sorted(group):
            loop = path_back(start, group)
            if not any(set(loop) == set(seen) and len(loop) == len(seen) for seen in loops):
                loops.append(loop)
        found.append((group, loops))
    return found


def test_the_module_graph_is_read():
    """The parse sees late imports and skips TYPE_CHECKING ones (guards against a test that passes on nothing)."""
    assert "packetbuilder.cli" in GRAPH and "packetbuilder.render.pdf" in GRAPH
    assert "packetbuilder.build" in GRAPH["packetbuilder.cli"]  # a function-level import
    assert "packetbuilder.render.fonts" in GRAPH["packetbuilder.render.pdf"]  # `from . import fonts`
    assert "packetbuilder.model" in GRAPH["packetbuilder.render.pdf"]  # `from ..model import ...`


def test_no_module_imports_one_that_imports_it_back():
    found = cycles(GRAPH)
    report = [f"{', '.join(sorted(group))} import one another:\n" + "\n".join("  " + " → ".join(c) for c in loops)
              for group, loops in found]
    assert not found, "import cycles (late imports count):\n" + "\n".join(report)


def test_the_bottom_modules_import_nothing_above_them():
    """A bottom module may import another (one way: no cycles, above); the model imports none."""
    missing = sorted(BOTTOM - set(GRAPH))
    assert not missing, f"bottom modules missing: {missing}"
    allowed = {name: set() if name == "packetbuilder.model" else BOTTOM - {name} for name in BOTTOM}
    wrong = {name: sorted(GRAPH[name] - allowed[name]) for name in sorted(BOTTOM)}
    assert not any(wrong.values()), f"bottom modules importing upwards: { {k: v for k, v in wrong.items() if v} }"
