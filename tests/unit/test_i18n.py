"""Every string the workspace shows has a Dutch translation, and translating keeps its {placeholders}."""

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from attent.cases.models import CaseStatus
from attent.contacts.models import Channel, Direction, Outcome
from attent.core.i18n import LOCALES, gettext

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "attent"
# `gettext(language, message)` in attent.core.i18n takes the message second.
KEYWORDS = {**DEFAULT_KEYWORDS, "gettext": (2,)}
# Timeline event kinds on a case are "<thing>.<what happened>"; the case page shows each through _().
# (Customer events have no case, so they never appear there.)
EVENT_KIND = re.compile(r"^(case|contact|message|note)\.[a-z_]+$")


@pytest.fixture(scope="module")
def dutch() -> Catalog:
    """The Dutch catalog as Babel reads it."""
    with (LOCALES / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale="nl")


def _extracted() -> Iterator[str]:
    """What `pybabel extract -F babel.cfg` finds: _() in templates, gettext() in Python."""
    with (ROOT / "babel.cfg").open() as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        yield message if isinstance(message, str) else message[0]


def _python_trees() -> Iterator[ast.AST]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _fold_messages() -> Iterator[str]:
    """String literals given to `fold.t(...)` (the brief), found by syntax: Babel's extractor with a `t`
    keyword would also take the subscripts in `fold.t(e.data["from"])` for messages."""
    for tree in _python_trees():
        for node in ast.walk(tree):
            is_t = (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "t"
            )
            if is_t and node.args and (text := _literal(node.args[0])):
                yield text


def _runtime_messages() -> Iterator[str]:
    """Values the code passes through _() or fold.t() as variables: enum values, reasons, event kinds."""
    for enum in (CaseStatus, Channel, Direction, Outcome):
        yield from (member.value for member in enum)
    for tree in _python_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "reason" and (text := _literal(node.value)):
                yield text  # change_status(reason="first contact")
            if isinstance(node, ast.keyword) and node.arg == "kind":
                candidates = [node.value]  # record_event(kind="case.created")
            elif isinstance(node, ast.Dict):
                candidates = [
                    v for v in node.values if v is not None
                ]  # {"priority": "case.priority_changed"}
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "reduces":
                candidates = node.args  # @reduces("case.created")
            else:
                continue
            yield from (text for value in candidates if (text := _literal(value)) and EVENT_KIND.match(text))


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_babel_cfg_finds_the_templates_and_the_brief():
    extracted = set(_extracted())
    assert {"Sign in", "Handoff brief", "{n} earlier case(s)"} <= extracted
    assert "Call the customer back: the last contact dropped." in set(_fold_messages())


def test_every_message_the_workspace_shows_has_a_dutch_translation(dutch):
    needed = set(_extracted()) | set(_fold_messages()) | set(_runtime_messages())
    missing = sorted(m for m in needed if m not in dutch or not dutch[m].string)
    fuzzy = sorted(
        m for m in needed if m in dutch and dutch[m].fuzzy
    )  # fuzzy entries are dropped at run time
    assert not missing, (
        f"No Dutch translation in src/attent/locales/nl/LC_MESSAGES/messages.po for: {missing}"
    )
    assert not fuzzy, f"Fuzzy (unused) Dutch translations, review and clear the flag: {fuzzy}"


def test_dutch_keeps_every_placeholder(dutch):
    for message in dutch:
        if message.id and message.string:
            assert _fields(message.id) == _fields(message.string), f"placeholders differ for {message.id!r}"


def test_gettext_speaks_dutch_and_english():
    assert gettext("nl", "Sign in") == "Inloggen"
    assert gettext("en", "Sign in") == "Sign in"
    assert gettext("nl", "{n} earlier case(s)", n=2) == "eerdere zaken: 2"
    assert gettext("en", "{n} earlier case(s)", n=2) == "2 earlier case(s)"
    assert gettext("xx", "Sign in") == "Inloggen"  # unknown languages fall back to Dutch


def test_every_dutch_translation_reaches_the_page(dutch):
    """The catalog survives the in-memory compile that attent.core.i18n does at first use."""
    wrong = {
        m.id: gettext("nl", m.id) for m in dutch if m.id and m.string and gettext("nl", m.id) != m.string
    }
    assert not wrong
