"""Every string the workspace shows has a Dutch translation, and translating keeps its {placeholders}."""

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from attent import wiring  # noqa: F401 (every domain, so every kind of timeline event)
from attent.cases.models import CaseStatus
from attent.contacts.models import Channel, Direction, Outcome
from attent.core.forms import PLAIN
from attent.core.i18n import LOCALES, gettext, plural, translations
from attent.timeline.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "attent"
# `gettext(language, message)` and `plural(language, one, many, n)` in attent.core.i18n take the language
# first; NC_ marks labels with their context; an error's template is its second argument. The Makefile's
# `messages` target extracts with the same keywords (BABEL_KEYWORDS).
ERRORS_WITH_TEMPLATE = (
    "AttentError", "Invalid", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "TooLarge",
    "RateLimited", "UnsupportedMediaType", "FieldError", "SsoRefused",
)  # fmt: skip
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext": (2,),
    "plural": (2, 3),
    "NC_": ((1, "c"), 2),
    "BadValue": None,
    "Undeliverable": None,
    "kind": None,  # @kind("promise.kept"): a timeline event kind, named on the page by its catalog entry
    "verdict": (4,),  # the coach engine's verdict(name, result, lines, reason, **values): its reason
    **dict.fromkeys(ERRORS_WITH_TEMPLATE, (2,)),
}


@pytest.fixture(scope="module")
def dutch() -> Catalog:
    """The Dutch catalog as Babel reads it."""
    with (LOCALES / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale="nl")


def _extracted(with_context: bool = False) -> Iterator[str]:
    """What `make messages` finds: _() in templates, gettext() and error templates in Python (and, with
    `with_context`, the labels NC_ marks, as "context|message")."""
    with (ROOT / "babel.cfg").open() as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        text = message if isinstance(message, str) else message[0]
        if context is None:
            yield text
        elif with_context:
            yield f"{context}|{text}"


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
    # Every timeline event kind: the case page names each by its catalog entry (`Kind.heading`).
    yield from KINDS


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_babel_cfg_finds_the_templates_and_the_brief():
    extracted = set(_extracted())
    assert {"Sign in", "Handoff brief", "{n} earlier case"} <= extracted
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


def test_every_label_marked_for_the_catalog_has_dutch_words(dutch):
    labels = [m.split("|", 1) for m in _extracted(with_context=True) if "|" in m]
    assert len(labels) > 40
    missing = [
        f"{c}|{m}" for c, m in labels if not dutch.get(m, context=c) or not dutch.get(m, context=c).string
    ]
    assert not missing, f"No Dutch label for: {missing}"


def test_dutch_keeps_every_placeholder(dutch):
    for message in dutch:
        if message.id and message.string:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:  # each plural form keeps the singular's placeholders
                assert _fields(ids[0]) == _fields(text), f"placeholders differ for {message.id!r}"


def test_gettext_speaks_dutch_and_english():
    assert gettext("nl", "Sign in") == "Inloggen"
    assert gettext("en", "Sign in") == "Sign in"
    assert gettext("nl", "Handoff brief") != "Handoff brief"
    assert plural("nl", "{n} earlier case", "{n} earlier cases", 1) == "1 eerdere zaak"
    assert plural("en", "{n} earlier case", "{n} earlier cases", 2) == "2 earlier cases"
    assert gettext("xx", "Sign in") == "Inloggen"  # unknown languages fall back to Dutch


def test_every_dutch_translation_reaches_the_page(dutch):
    """The catalog survives the in-memory compile that attent.core.i18n does at first use."""
    compiled = translations("nl")

    def reached(m: Message) -> object:
        if isinstance(m.id, tuple):
            return tuple(compiled.ngettext(m.id[0], m.id[1], n) for n in (1, 2))
        return compiled.pgettext(m.context, m.id) if m.context else compiled.gettext(m.id)

    wrong = {m.id: reached(m) for m in dutch if m.id and m.string and reached(m) != m.string}
    assert not wrong


# --- errors: every sentence a person reads is a catalog template ----------------------------------

ERROR_CLASSES = {
    "AttentError", "Invalid", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "TooLarge",
    "RateLimited", "UnsupportedMediaType",
}  # fmt: skip
# (callable name, index of the template argument)
TEMPLATE_ARGS = {**dict.fromkeys(ERROR_CLASSES, 1), "FieldError": 1, "BadValue": 0, "Undeliverable": 0}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _error_templates() -> Iterator[tuple[str, ast.expr]]:
    """(where, template argument) of every error raised: AttentError and its kinds, FieldError, BadValue."""
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or (name := _name(node.func)) not in TEMPLATE_ARGS:
                continue
            index = TEMPLATE_ARGS[name]
            argument = node.args[index] if len(node.args) > index else None
            argument = argument or next(
                (k.value for k in node.keywords if k.arg in ("detail", "message", "template")), None
            )
            if argument is not None:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", argument


def _validator_sentences() -> Iterator[str]:
    """`raise ValueError("…")` in request schemas and the values they parse: pydantic shows them to people."""
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name not in ("schemas.py", "types.py", "shapes.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                (
                    isinstance(node, ast.Raise)
                    and isinstance(node.exc, ast.Call)
                    and _name(node.exc.func) == "ValueError"
                )
                and node.exc.args
                and (text := _literal(node.exc.args[0]))
            ):
                yield text


def _validator_fstrings() -> Iterator[str]:
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name not in ("schemas.py", "types.py", "shapes.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_raise = isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            if is_raise and _name(node.exc.func) == "ValueError" and node.exc.args:
                baked = isinstance(node.exc.args[0], ast.JoinedStr)
                yield from [f"{path.relative_to(ROOT)}:{node.lineno}"] if baked else []


def test_no_validator_formats_its_values_into_the_sentence():
    """pydantic shows a validator's sentence as it is: with values in it, use BadValue(template, **values)."""
    assert not list(_validator_fstrings())


def test_no_error_formats_its_values_into_the_sentence():
    """A sentence with values baked in (an f-string, .format, %) cannot be translated: pass them as values."""
    baked = [
        where
        for where, argument in _error_templates()
        if not isinstance(argument, ast.Constant | ast.Name | ast.Attribute | ast.Call | ast.Starred)
    ]
    formatted = [  # a call may only say an exception's own sentence: str(exc)
        where
        for where, argument in _error_templates()
        if isinstance(argument, ast.Call) and _name(argument.func) != "str"
    ]
    assert not baked + formatted, (
        f"Error sentences built from values; use a template and params: {baked + formatted}"
    )


def test_every_error_sentence_has_a_dutch_translation(dutch):
    templates = {text for _where, argument in _error_templates() if (text := _literal(argument))}
    templates |= set(_validator_sentences())
    templates |= {template for template in PLAIN.values()}
    missing = sorted(t for t in templates if t not in dutch or not dutch[t].string)
    assert len(templates) > 150
    assert not missing, f"No Dutch translation for these error sentences: {missing}"


def test_every_label_an_error_names_has_dutch_words(dutch):
    """Values shown as their label: statuses and states, roles, the things NotFound.of names."""
    from attent.agents.models import Role
    from attent.coach.models import ProposalState
    from attent.promises.models import PromiseState
    from attent.recovery.models import GestureState
    from attent.signals.types import KINDS

    plain = [m.value for enum in (CaseStatus, PromiseState, GestureState) for m in enum]
    contexts = {
        "role": [r.value for r in Role],
        "proposal": [s.value for s in ProposalState],
        "value_kind": list(KINDS),
        "thing": sorted(_things()),
    }
    missing = [m for m in plain if m not in dutch or not dutch[m].string]
    missing += [f"{c}|{m}" for c, ms in contexts.items() for m in ms if not dutch.get(m, context=c)]
    assert not missing, f"No Dutch label for: {missing}"


def _things() -> Iterator[str]:
    for tree in _python_trees():
        for node in ast.walk(tree):
            is_of = (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "of"
            )
            if (
                is_of
                and _name(node.func.value) == "NotFound"
                and node.args
                and (text := _literal(node.args[0]))
            ):
                yield text


def test_gettext_says_labels_amounts_and_both_languages_values():
    from attent.core.i18n import Label

    assert (
        gettext(
            "nl",
            "This needs the role {role}; you are {current}.",
            role=Label("lead", "role"),
            current=Label("agent", "role"),
        )
        == "Hiervoor is de rol teamleider nodig; je bent medewerker."
    )
    assert gettext(
        "en",
        "A case that is {status} cannot become {to}; it can become: {allowed}.",
        status=Label("resolved"),
        to=Label("waiting_on_third_party"),
        allowed=[Label("open"), Label("closed")],
    ) == ("A case that is resolved cannot become waiting on third party; it can become: open, closed.")
    assert gettext(
        "nl",
        "{name} is a surprise for an occasion ({occasion}); a lead approves surprise moments. "
        "Request approval.",
        name={"nl": "Bloemen", "en": "Flowers"},
        occasion=Label("birthday"),
    ).startswith("Bloemen is een verrassing voor een gelegenheid (verjaardag)")
    assert plural("nl", "{n} attempt left", "{n} attempts left", 1) == "nog 1 poging"
    assert plural("nl", "{n} attempt left", "{n} attempts left", 3) == "nog 3 pogingen"
    assert plural("en", "{n} attempt left", "{n} attempts left", 3) == "3 attempts left"


def test_the_catalogs_parse_without_a_broken_entry():
    """A merge that leaves a msgid without its msgstr makes Babel warn on standard output at start-up (and
    the entry untranslated): every entry must be whole."""
    from pathlib import Path

    from babel.messages.pofile import PoFileError, read_po

    locales = Path(__file__).resolve().parents[2] / "src" / "attent" / "locales"
    for po in sorted(locales.glob("*/LC_MESSAGES/messages.po")):
        try:
            with po.open("rb") as f:
                read_po(f, abort_invalid=True)
        except PoFileError as error:
            raise AssertionError(f"{po}: {error}") from error
