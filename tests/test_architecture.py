"""The package's rooms: no module too large to find one's way in, imports that run one way.

Every import between kim-budget's modules counts (also those inside functions and under
TYPE_CHECKING): the graph must have no cycle, and nothing below the checkers (`verify`) may
import them — the facts both sides need (print geometry, key display) live below both.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kim_budget"
MOST_LINES = 500


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                found.add(base)
                found |= {f"{base}.{alias.name}" for alias in node.names}
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph, or []."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        trail.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*trail[trail.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        trail.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:n]) for n in range(1, len(parts))}


def test_no_import_cycle() -> None:
    graph = _imports()
    # A module's own package (its __init__) is where it is found, not something it uses.
    for name, targets in graph.items():
        targets -= _ancestors(name)
    assert _cycle(graph) == []


def test_nothing_below_the_checkers_imports_them() -> None:
    graph = _imports()
    above = ("kim_budget.verify", "kim_budget.cli")
    wrong = sorted(
        f"{name} → {target}"
        for name, targets in graph.items()
        if not name.startswith(above)
        for target in targets
        if target.startswith("kim_budget.verify")
    )
    assert wrong == []


def test_no_module_is_too_large() -> None:
    sizes = {
        _module(path): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: size for name, size in sizes.items() if size > MOST_LINES} == {}


def test_the_wheel_carries_every_package() -> None:
    """pyproject.toml lists the packages by name: a new one left out would be missing from an
    installed kim-budget (an ImportError for the user, not for the tests run in the checkout)."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        listed = set(tomllib.load(file)["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in PACKAGE.rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
