"""Issue 15: every string a person reads is marked for translation, and Italian is complete.

Three checks, from cheapest to widest:
1. a lint over templates and Python for words a person reads that are not marked (`_`, `ngettext`, `_l`...);
2. the Italian catalogue translates every marked string (Spanish is partial on purpose: English fills in);
3. every page, rendered for an Italian reader, shows no English sentence the catalogue translates.
"""

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
CODE = ROOT / "platform6"
CATALOGUE = CODE / "translations"

#: text in templates that is the same in every language: names, symbols, code
SAME_IN_EVERY_LANGUAGE = {"Platform 6", "P6", "Markdown", "API", "JSON", "CSV", "Loomio", "OK", "Socket.IO", "Bearer"}
#: attributes whose values a person reads (or hears, from a screen reader)
READ_ATTRIBUTES = re.compile(r'\b(aria-label|title|placeholder|alt|data-confirm)="([^"]*)"')
MARKERS = {"_", "gettext", "ngettext"}
#: a literal that names CSS classes ("flash flash-error"), not words
CSS = re.compile(r"[a-z0-9 _-]*-[a-z0-9 _-]*")
TAG = re.compile(r"<[^>]*>|&[a-z#0-9]+;")
WORDS = re.compile(r"[A-Za-z]{2,}")


def _unmarked_in_text(text: str) -> list[str]:
    found = [value for _name, value in READ_ATTRIBUTES.findall(text) if "\0" not in value and _is_words(value)]
    outside_tags = TAG.sub("\n", re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S))
    found += [
        line for piece in outside_tags.split("\0") for line in map(str.strip, piece.splitlines()) if _is_words(line)
    ]
    return found


def _is_words(text: str) -> bool:
    for name in SAME_IN_EVERY_LANGUAGE:
        text = text.replace(name, "")
    return bool(WORDS.search(text))


def _template_data(template: Path):
    """The template's HTML with each Jinja tag or expression as a NUL, then its literal strings."""
    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    source = template.read_text()
    pieces = []
    for _line, kind, value in env.lex(source):
        if kind == "data":
            pieces.append(value)
        elif kind.endswith("_begin"):
            pieces.append("\0")
    yield "".join(pieces)
    tree = env.parse(source)
    marked = {
        id(const)
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name in MARKERS
        for const in call.find_all(nodes.Const)
    }
    for node in tree.find_all(nodes.Const):
        if id(node) in marked:
            continue  # a literal passed to a macro or filter: `post_button(..., "Revoke")`
        if (
            isinstance(node.value, str)
            and " " in node.value.strip()
            and _is_words(node.value)
            and not CSS.fullmatch(node.value)
        ):
            yield node.value


def test_every_template_word_a_person_reads_is_marked():
    unmarked = {
        str(path.relative_to(TEMPLATES)): found
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (found := [text for data in _template_data(path) for text in _unmarked_in_text(data)])
    }
    assert unmarked == {}, "wrap these in {{ _(...) }}"


#: calls whose string arguments a person reads: name -> the positions and keywords holding those words
READ_ARGUMENTS = {
    "flash": ((0,), ()),
    "DomainError": ((0,), ("message",)),
    "Unauthorized": ((0,), ("message",)),
    "Forbidden": ((0,), ("message",)),
    "NotFound": ((0,), ("message",)),
    "Conflict": ((0,), ("message",)),
    "RateLimited": ((0,), ("message",)),
    "RuleViolation": ((2,), ("message",)),
    "ValidationFailed": ((1,), ("message",)),
    "invalid": ((1,), ()),
    "AmountError": ((0,), ()),
    "ValidationError": ((0,), ()),
    "DataRequired": ((0,), ("message",)),
    "InputRequired": ((0,), ("message",)),
    "Length": ((), ("message",)),
    "NumberRange": ((), ("message",)),
    "EqualTo": ((1,), ("message",)),
    "Email": ((0,), ("message",)),
    "FileRequired": ((0,), ("message",)),
    "FileAllowed": ((1,), ("message",)),
    "notify": ((), ("text",)),
    "deliver": ((), ("text",)),
    "deliver_to_group": ((), ("text",)),
    "deliver_to_guests": ((), ("text",)),
    "queue_email": ((), ("subject", "text")),
    "queue_emails": ((), ("subject", "text")),
}
FIELD = re.compile(r"[A-Z]\w*Field$")


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _is_literal_words(node) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _is_words(node.value)
    if isinstance(node, ast.JoinedStr):  # an f-string: words glued to values, never translatable
        return any(isinstance(part, ast.Constant) and _is_words(part.value) for part in node.values)
    return False


def _unmarked_in_python(path: Path) -> list[str]:
    found = []
    for call in (node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)):
        name = _called(call)
        positions, keywords = READ_ARGUMENTS.get(
            name, ((0,), ("label", "description")) if FIELD.match(name) else None
        ) or ((), ())
        words = [call.args[i] for i in positions if i < len(call.args)]
        words += [kw.value for kw in call.keywords if kw.arg in keywords]
        found += [f"{path.relative_to(ROOT)}:{w.lineno} {name}" for w in words if _is_literal_words(w)]
    return found


def test_every_python_word_a_person_reads_is_marked():
    skipped = {"cli.py", "demo.py"}  # an operator's terminal and the demo's own content
    unmarked = [
        where
        for path in sorted(CODE.rglob("*.py"))
        if path.name not in skipped and "translations" not in path.parts
        for where in _unmarked_in_python(path)
    ]
    assert unmarked == [], "mark these with gettext/lazy_gettext (platform6/i18n.py)"


def _marked_messages() -> set[str]:
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
                "lazy_ngettext": (1, 2), "plural_words": (1, 2), "Message": None}  # fmt: skip
    method_map = [("platform6/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map=options, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def italian():
    with (CATALOGUE / "it" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="it")


def test_the_italian_catalogue_translates_every_marked_string(italian):
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in italian
        if m.id and m.string and all(m.string)
        if isinstance(m.string, tuple)
    } | {m.id for m in italian if m.id and isinstance(m.string, str) and m.string}
    missing = sorted(_marked_messages() - translated)
    assert missing == [], f"{len(missing)} strings have no Italian: make i18n-update, then translate them"


def test_no_module_hides_gettext_behind_a_throwaway_variable():
    """`scheme, _, secret = ...` in a module that imports `gettext as _` breaks every later `_("...")` there."""
    hidden = []
    for path in sorted(CODE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        imports_gettext = any(
            isinstance(node, ast.ImportFrom) and any(alias.asname == "_" for alias in node.names)
            for node in ast.walk(tree)
        )
        if imports_gettext:
            hidden += [
                f"{path.relative_to(ROOT)}:{node.lineno}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)
            ]
    assert hidden == []
