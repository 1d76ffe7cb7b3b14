"""Importers write other features' rows through those features' services (their `replay_*` functions).

An importer that built a thread, a vote or a request itself would keep its own copy of that
feature's rules (limits, counters on the parent row, sanitising, action validation) and drift from
it, as the two importers' defaults once did. Looking rows up for mapping stays allowed.
"""

import ast
from pathlib import Path

import pytest

import platform6

PACKAGE = Path(platform6.__file__).parent
IMPORTERS = ("exports", "loomio")
FEATURES = {path.parent.name for path in PACKAGE.glob("*/models.py")}


def _feature_of(node: ast.ImportFrom) -> tuple[str, str] | None:
    """(feature, rest) for `from ..forums.models import ...`, `from platform6.forums import models` and the like."""
    parts = (node.module or "").split(".")
    if node.level == 0 and parts[0] == "platform6":
        parts = parts[1:]
    elif node.level != 2:
        return None
    if parts and parts[0] in FEATURES:
        return parts[0], ".".join(parts[1:])
    return None


def constructed_models(source: str, own_feature: str) -> list[tuple[int, str]]:
    """(line, name) of each call of a model class imported from another feature's models module."""
    tree = ast.parse(source)
    classes: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (found := _feature_of(node)) and found[0] != own_feature:
            rest = found[1]
            for alias in node.names:
                if rest == "models":
                    classes.add(alias.asname or alias.name)
                elif rest == "" and alias.name == "models":
                    modules.add(alias.asname or alias.name)
    made = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in classes:
            made.append((node.lineno, node.func.id))
        elif (
            isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in modules
        ):
            made.append((node.lineno, node.func.attr))
    return made


def _importer_modules() -> list[Path]:
    return sorted(path for feature in IMPORTERS for path in (PACKAGE / feature).glob("*.py"))


def test_no_importer_constructs_another_features_model():
    found = []
    for path in _importer_modules():
        name = path.relative_to(PACKAGE).as_posix()
        for line, model in constructed_models(path.read_text(), own_feature=path.parent.name):
            found.append(f"{name}:{line} builds {model}: call its feature's service (a replay_* function)")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "from ..forums.models import Discussion\nDiscussion(title='x')",
        "from ..governance.models import Vote as V\nV()",
        "from platform6.skills.models import SkillRequest\nSkillRequest()",
        "from .. import forums\nfrom ..forums import models\nmodels.Comment()",
    ],
)
def test_the_check_sees_a_construction_however_it_is_imported(source):
    assert constructed_models(source, own_feature="exports")


def test_the_check_leaves_lookups_and_the_features_own_models_alone():
    lookups = "from ..forums.models import Discussion\nfrom sqlalchemy import select\nselect(Discussion)"
    own = "from ..loomio.models import ImportRecord\nImportRecord()"
    assert constructed_models(lookups, own_feature="exports") == []
    assert constructed_models(own, own_feature="loomio") == []
