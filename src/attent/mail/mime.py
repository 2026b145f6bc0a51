"""The MIME tree of a message sorted into what a person wrote (text) and files (attachments), within limits.

Of multipart/alternative only one version is read: the plain text when it has any, else the richest
(HTML, converted to text). A multipart/related root is the body and the rest are its inline files
(`cid:` images). A forwarded message (message/rfc822) stays one file. Files over the per-file limit are
refused without being decoded; archives are never opened.
"""

import base64
import binascii
from dataclasses import dataclass
from email import policy
from email.message import Message

from attent.mail.attachments import (
    Attachment,
    Refusal,
    classify_file,
    fallback_name,
    sanitise_filename,
    sniff,
)
from attent.mail.charsets import decode_text
from attent.mail.headers import decode_words, first_raw, normalise_id
from attent.mail.text import html_to_text, normalise, unflow

MAX_PARTS = 500
MAX_DEPTH = 40
MAX_ATTACHMENTS = 100
MAX_TEXT_BYTES = 1_000_000  # of text/plain read as text, over all its parts
MAX_HTML_BYTES = 500_000  # of HTML converted to text, over all its parts (a few hundred ms at most)


@dataclass(frozen=True)
class Problem:
    """Something wrong with a message that an admin may need to see: a stable code and a sentence."""

    code: str
    detail: str


@dataclass
class Sorted:
    """What walking the MIME tree collects."""

    texts: list[tuple[str, Message]]
    leaves: list[Message]
    problems: list[Problem]
    parts: int = 0


def mb(size: int) -> str:
    """A size for a sentence: 12.3 MB."""
    return f"{size / 1_000_000:.1f} MB"


def _is_body_text(part: Message) -> bool:
    """A text part that is the message itself, not a file: no attachment disposition and no file name."""
    if part.get_content_type() not in ("text/plain", "text/html"):
        return False
    return (
        part.get_content_disposition() != "attachment"
        and not part.get_param("name")
        and not part.get_filename()
    )


def _has_text(part: Message) -> bool:
    payload = part.get_payload()
    return isinstance(payload, str) and bool(payload.strip())


def _choose_alternative(children: list[Message]) -> Message | None:
    """Of multipart/alternative, the plain text when it has any, else the richest (last) version."""
    for child in children:
        if child.get_content_type() == "text/plain" and _is_body_text(child) and _has_text(child):
            return child
    return children[-1] if children else None


def sort_parts(part: Message, into: Sorted, *, depth: int, body: bool) -> None:
    """Sort the MIME tree into body text and files; only the chosen alternative's text is read."""
    into.parts += 1
    if into.parts > MAX_PARTS or depth > MAX_DEPTH:
        if into.parts == MAX_PARTS + 1 or depth == MAX_DEPTH + 1:
            into.problems.append(
                Problem("too_many_parts", "The message has too many parts; the rest was not read.")
            )
        return
    kind = part.get_content_type()
    if kind in ("message/delivery-status", "message/global-delivery-status"):
        return  # read by classify.read_bounce; its fields are no text for a person
    if kind.startswith("message/") and kind not in ("message/rfc822", "message/global"):
        into.leaves.append(part)
        return
    if kind in ("message/rfc822", "message/global"):
        into.leaves.append(part)  # a forwarded message stays one file; its attachments are not ours
        return
    if part.is_multipart():
        children = [child for child in part.get_payload() if isinstance(child, Message)]
        if kind == "multipart/alternative":
            chosen = _choose_alternative(children)
            for child in children:
                sort_parts(child, into, depth=depth + 1, body=body and child is chosen)
        elif kind == "multipart/related" and children:
            sort_parts(children[0], into, depth=depth + 1, body=body)
            for child in children[1:]:
                sort_parts(child, into, depth=depth + 1, body=False)
        else:
            for child in children:
                sort_parts(child, into, depth=depth + 1, body=body)
        return
    if _is_body_text(part):
        if body:
            into.texts.append((kind, part))
        elif kind == "text/plain" and part.get_content_disposition() == "inline":
            into.leaves.append(part)
        return
    into.leaves.append(part)


def _decoded(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def full_text(into: Sorted) -> tuple[str, bool]:
    """The body parts as one plain text, HTML converted; whether any of it came from HTML.

    Budgets bound the work whatever the message holds: MAX_TEXT_BYTES of text parts and MAX_HTML_BYTES
    of HTML parts are read, in order; what is past them stays in the raw message only.
    """
    pieces: list[str] = []
    from_html = False
    budget = {"text/plain": MAX_TEXT_BYTES, "text/html": MAX_HTML_BYTES}
    truncated = False
    for kind, part in into.texts:
        data = _decoded(part)
        if len(data) > budget[kind]:
            data, truncated = data[: budget[kind]], True
        budget[kind] -= len(data)
        text, overruled = decode_text(data, part.get_content_charset())
        if overruled:
            into.problems.append(
                Problem(
                    "charset",
                    "A text part's declared character set was wrong or unknown; it was read as UTF-8 or "
                    "Windows-1252.",
                )
            )
        if kind == "text/html":
            text, from_html = html_to_text(text), True
        elif str(part.get_param("format") or "").lower() == "flowed":
            text = unflow(text, delsp=str(part.get_param("delsp") or "").lower() == "yes")
        pieces.append(text)
    if truncated:
        into.problems.append(
            Problem("text_truncated", "The text is very long; only its start is kept as text.")
        )
    return normalise("\n\n".join(p for p in pieces if p.strip())), from_html


def _encoded_estimate(part: Message) -> tuple[int, bytes] | None:
    """For a base64 part: its decoded size without decoding it, and its first bytes for sniffing."""
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    payload = part.get_payload()
    if encoding != "base64" or not isinstance(payload, str):
        return None
    compact = len(payload) - sum(payload.count(c) for c in "\r\n\t ")
    head = "".join(payload[:16_384].split())
    try:
        sample = base64.b64decode(head[: len(head) // 4 * 4])
    except (binascii.Error, ValueError):
        sample = b""
    return compact * 3 // 4, sample


def _file_bytes(part: Message) -> bytes:
    if part.get_content_type() in ("message/rfc822", "message/global"):
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return inner[0].as_bytes(policy=policy.compat32)
    return _decoded(part)


def attachments(into: Sorted, max_attachment: int) -> tuple[Attachment, ...]:
    """Each file part as an Attachment; one over `max_attachment` (or past MAX_ATTACHMENTS) is refused.

    Decoded files never add up to more than the raw message, which `parse` has already held to its
    limit, so the per-file limit is the one that can bite.
    """
    files: list[Attachment] = []
    for index, part in enumerate(into.leaves, start=1):
        declared = part.get_content_type()
        cid = normalise_id(first_raw(part, "content-id"))
        inline = part.get_content_disposition() == "inline" or (
            part.get_content_disposition() is None and cid is not None
        )
        try:
            raw_name = decode_words(part.get_filename() or str(part.get_param("name") or ""), 400)
        except (ValueError, LookupError, TypeError):
            raw_name = ""
        refusal: Refusal | None = None
        estimate = _encoded_estimate(part)
        if len(files) >= MAX_ATTACHMENTS:
            content, size, sample = b"", estimate[0] if estimate else 0, b""
            refusal = Refusal("too_many", f"A message keeps at most {MAX_ATTACHMENTS} attachments.")
        elif estimate is not None and estimate[0] > max_attachment + 4:
            content, size, sample = b"", estimate[0], estimate[1]
        else:
            content = _file_bytes(part)
            size, sample = len(content), content
        if refusal is None and size > max_attachment:
            refusal = Refusal("too_large", f"The file is {mb(size)}; the limit is {mb(max_attachment)}.")
        sniffed = sniff(sample)
        guessed, _ = classify_file("", declared, sample, sniffed)
        name = sanitise_filename(raw_name, fallback_name(index, guessed, inline=inline))
        real_type, flags = classify_file(name, declared, sample, sniffed)
        if refusal is not None:
            content = b""
        files.append(
            Attachment(
                filename=name,
                content_type=real_type,
                declared_type=declared,
                size=size,
                content=content,
                content_id=cid[1:-1] if cid else None,
                inline=inline,
                flags=flags,
                refused=refusal,
            )
        )
    return tuple(files)


def defects(message: Message) -> list[Problem]:
    """The MIME defects the parser noticed (a missing boundary, bad base64, a header without a colon)."""
    names: list[str] = []
    for part in message.walk():
        for defect in getattr(part, "defects", []):
            name = type(defect).__name__
            if name not in names:
                names.append(name)
        if len(names) >= 10:
            break
    return [Problem("malformed", f"The message is not well-formed MIME ({name}).") for name in names]
