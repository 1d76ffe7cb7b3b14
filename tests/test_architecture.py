"""The transaction boundary holds (platform6/transaction.py): nothing else commits or rolls back, no
service opens a unit of work, and no edge takes the write lock itself."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "platform6"
#: the boundary, and the database module whose `begin_write` restarts a stale read-only transaction
MAY_END_TRANSACTIONS = {"transaction.py", "database.py"}
EDGES = {"routes.py", "api.py", "events.py", "jobs.py", "cli.py"}
RULE_MODULES = {"service.py", "queries.py", "models.py"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _calls(tree: ast.AST, names: set[str]) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in names:
                found.append(f"line {node.lineno}: {name}()")
    return found


def _imported_names(tree: ast.AST) -> set[str]:
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_only_the_boundary_commits_or_rolls_back(path):
    if path.name in MAY_END_TRANSACTIONS and path.parent == PACKAGE:
        return
    tree = ast.parse(path.read_text(), filename=str(path))
    assert _calls(tree, {"commit", "rollback"}) == [], "use platform6.transaction (unit_of_work, discard)"


@pytest.mark.parametrize(
    "path", [p for p in _modules() if p.name in RULE_MODULES], ids=lambda path: str(path.relative_to(PACKAGE))
)
def test_services_never_open_a_unit_of_work(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    assert _calls(tree, {"unit_of_work", "discard"}) == []
    assert not _imported_names(tree) & {"unit_of_work", "discard", "Platform6Flask"}


@pytest.mark.parametrize(
    "path", [p for p in _modules() if p.name in EDGES], ids=lambda path: str(path.relative_to(PACKAGE))
)
def test_edges_leave_the_write_lock_to_the_boundary(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    assert _calls(tree, {"begin_write", "serialise_writes"}) == []


def test_the_check_sees_a_handler_that_commits():
    handler = "def create():\n    service.create()\n    db.session.commit()\n"
    assert _calls(ast.parse(handler), {"commit", "rollback"}) == ["line 3: commit()"]
