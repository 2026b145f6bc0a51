"""The edge's scans: brackets outside strings, NUL escapes, form fields; and YAML's bounded loader."""

import pytest
import yaml

from attent.core import yamlload
from attent.core.edge import MAX_DEPTH, encoded_nul, json_nul, json_too_deep, multipart_nul


def test_depth_counts_brackets_outside_strings_only():
    assert not json_too_deep(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    assert json_too_deep(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    assert json_too_deep(b'{"a":' * 65 + b"1" + b"}" * 65)
    text = b'{"text": "' + b"[{" * 500 + b'"}'
    assert not json_too_deep(text)
    quoted = b'["\\"[[[[", ' + b"[]," * 300 + b"1]"  # an escaped quote does not end the string
    assert not json_too_deep(quoted)
    assert not json_too_deep(b"[]" * 100_000)  # many, but side by side


def test_a_nul_escape_is_told_from_an_escaped_backslash():
    assert json_nul(b'{"a": "x\\u0000"}') == ("body", "a")
    assert json_nul(b'{"a": "x\\\\u0000"}') is None  # backslash, then the text u0000
    assert json_nul(b'{"a": ["ok", "x\\\\\\u0000"]}') == ("body", "a", 1)
    assert json_nul(b'{"a\\u0000": 1}') == ("body",)  # a key: the object that holds it
    assert json_nul(b'{"a": "\x00"}') == ("body",)  # raw: not JSON at all
    assert json_nul(b'{"a": "plain"}') is None


def test_query_strings_and_urlencoded_forms_name_the_field():
    assert encoded_nul(b"a=1&type=x%00y", "query") == ("query", "type")
    assert encoded_nul(b"a=%2500", "query") is None  # the text "%00"
    assert encoded_nul(b"a=%%00", "query") == ("query", "a")
    assert encoded_nul(b"n%00ame=1", "body") == ("body",)
    assert encoded_nul(b"a=\x00", "body") == ("body", "a")


def _multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += b"--XyZ\r\nContent-Disposition: " + disposition.encode() + b"\r\n\r\n" + data + b"\r\n"
    return out + b"--XyZ--\r\n"


def test_multipart_fields_are_checked_and_files_are_not():
    assert multipart_nul(_multipart(("text", None, b"a\x00b")), b"XyZ") == ("body", "text")
    assert multipart_nul(_multipart(("photo", "x.jpg", b"\xff\x00\x00")), b"XyZ") is None
    both = _multipart(("photo", "x.jpg", b"\x00"), ("note", None, b"fine"), ("csrf", None, b"\x00"))
    assert multipart_nul(both, b"XyZ") == ("body", "csrf")
    assert multipart_nul(b"garbage \x00 without parts", b"XyZ") is None  # the route's to refuse


@pytest.mark.parametrize(
    "document",
    [
        "[" * 100_000 + "]" * 100_000,
        "- " * 100_000 + "x",
        "".join(" " * i + "k:\n" for i in range(100)) + " " * 100 + "v",
        "a: &a " + "[" * 40 + "1" + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30,
        "&a [*a]",  # an alias inside the node it names: endlessly deep
    ],
    ids=["flow", "block", "indented", "aliases", "recursive"],
)
def test_yaml_too_deep_is_refused_while_composing(document):
    with pytest.raises(yamlload.TooDeep) as refused:
        yamlload.safe_load(document)
    assert isinstance(refused.value, yaml.YAMLError) and refused.value.code == "too_deep"


def test_yaml_nul_escapes_are_refused_in_values_and_keys():
    for document in ('a: "x\\0"', 'a: "x\\x00"', '"\\u0000": 1', 'a: [1, {b: "\\0"}]'):
        with pytest.raises(yamlload.NulCharacter):
            yamlload.safe_load(document)


def test_ordinary_yaml_loads_as_safe_load_does():
    document = "a: &x [1, {b: two}]\nc: *x\nd: " + "[" * 20 + "deep" + "]" * 20
    assert yamlload.safe_load(document) == yaml.safe_load(document)
    with pytest.raises(yaml.YAMLError):
        yamlload.safe_load("!!python/object:os.system x")
