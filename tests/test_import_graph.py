"""Who may import whom (DESIGN.md): no cycle between feature packages, and no platform-level module imports a
feature. The graph is read from the source (module-level and function-level imports alike), so an import hidden
inside a function to dodge a cycle counts too."""

import ast
from functools import cache
from pathlib import Path

import platform6

ROOT = Path(platform6.__file__).parent
#: packages that are platform-level though they are folders: features call notify(...), it calls no feature
PLATFORM_PACKAGES = {"notifications"}
#: the app factory and the command line wire every feature together; the front page, the dashboard and the group
#: page's hub (group_hub) show them all
COMPOSITION_ROOTS = {"__init__", "cli", "pages", "dashboard", "group_hub"}
#: platform-level imports of a feature still to be turned around, each with why (the test fails once one is gone,
#: so the list only shrinks)
NOT_YET = {
    ("api", "accounts"): "an API token is resolved by accounts.service.active_token",
    ("realtime", "accounts"): "a socket is signed in by an accounts session or token",
}


def _unit(module: str) -> str:
    """The feature package or top-level module that `platform6.x.y` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, root: Path) -> set[str]:
    module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from .. import search` names a module, not a name in platform6/__init__.py
            found |= {f"{target}.{alias.name}" for alias in node.names} if target == "platform6" else {target}
    return {name for name in found if name.startswith("platform6.")}


def import_graph() -> dict[str, set[str]]:
    """unit -> the units it imports (a unit: a feature package, a platform package, or a top-level module)."""
    return _graph_of(ROOT)


@cache
def _graph_of(root: Path) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        source = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        graph.setdefault(source, set()).update(_unit(name) for name in _imports(path, root))
        graph[source].discard(source)
    return graph


def features() -> set[str]:
    return {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - PLATFORM_PACKAGES


def _cycle(graph: dict[str, set[str]], nodes: set[str]) -> list[str] | None:
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, set()) & nodes):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = "done"
        return None

    for node in sorted(nodes):
        if node not in state and (found := visit(node, [node])):
            return found
    return None


def test_feature_packages_form_no_cycle():
    cycle = _cycle(import_graph(), features())
    assert cycle is None, " -> ".join(cycle)


def test_platform_level_modules_import_no_feature():
    graph, feature_names = import_graph(), features()
    platform_units = set(graph) - feature_names - COMPOSITION_ROOTS
    arrows = {(unit, used) for unit in platform_units for used in graph[unit] & feature_names}
    assert arrows - set(NOT_YET) == set()
    assert set(NOT_YET) - arrows == set(), "turned around: drop it from NOT_YET"


def test_the_graph_sees_function_level_imports(tmp_path, monkeypatch):
    package = tmp_path / "platform6"
    (package / "a").mkdir(parents=True)
    (package / "b").mkdir()
    (package / "a" / "__init__.py").write_text("")
    (package / "b" / "__init__.py").write_text("from ..a import thing\n")
    (package / "a" / "service.py").write_text("def late():\n    from ..b import other\n")
    monkeypatch.setitem(globals(), "ROOT", package)
    assert _cycle(import_graph(), {"a", "b"}) == ["a", "b", "a"]
