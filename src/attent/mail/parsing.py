"""One raw e-mail to a `ParsedMail`: pure (no I/O, no clock) and total (never raises on bad input).

What comes out is what a service team needs and nothing that is unsafe to keep: the sender, the
threading ids, the subject, the new text (quotes and signatures cut) beside the full text, text
instead of HTML, attachments with clean names and their real types, the kind of sender (person,
auto-reply, list, bulk, bounce) and, for a message that is broken or too large, `problems` saying so,
with the raw bytes kept for a person to look at.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser

from attent.mail import mime, replies
from attent.mail.attachments import Attachment
from attent.mail.classify import Bounce, MailKind, classify
from attent.mail.headers import (
    Address,
    HeaderIndex,
    decode_words,
    generated_id,
    id_list,
    normalise_id,
    parse_addresses,
    parse_date,
)
from attent.mail.mime import Problem, mb

# `[#K-1042]` in a subject: the case reference our replies carry. A parameter of `parse`, since an
# organisation may number its cases differently; a named group `reference` picks the part to return.
DEFAULT_CASE_REFERENCE = re.compile(r"\[#(?P<reference>[A-Za-z]{1,8}-\d{1,12})\]")
MAX_RECIPIENTS = 100  # kept per header; `recipient_count` says how many there were
MAX_HEADER_BYTES = 1_000_000
MAX_DELIMITERS = 2_000  # lines starting with "--" (possible MIME boundaries) before the body is not read
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class ParsedMail:
    """A message as Attent keeps it. Message ids have their angle brackets, as Attent's outgoing ones."""

    raw: bytes
    message_id: str
    message_id_generated: bool
    in_reply_to: str | None
    references: tuple[str, ...]
    from_name: str
    from_address: str | None
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    recipient_count: int
    subject: str
    date: datetime | None
    new_text: str
    full_text: str
    text_from_html: bool
    attachments: tuple[Attachment, ...]
    case_reference: str | None
    kind: MailKind
    kind_reasons: tuple[str, ...]
    bounce: Bounce | None
    problems: tuple[Problem, ...]

    @property
    def size(self) -> int:
        """The raw message's size in bytes."""
        return len(self.raw)

    @property
    def acknowledge(self) -> bool:
        """Whether a person wrote this and can be answered: only then does an acknowledgement go out."""
        return self.kind is MailKind.PERSON and self.from_address is not None

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The ids this message answers, nearest first: In-Reply-To, then References newest to oldest."""
        ordered = ([self.in_reply_to] if self.in_reply_to else []) + list(reversed(self.references))
        return tuple(dict.fromkeys(ordered))


def parse(
    raw: bytes,
    *,
    max_attachment_bytes: int,
    max_message_bytes: int,
    case_reference: re.Pattern[str] | str = DEFAULT_CASE_REFERENCE,
) -> ParsedMail:
    """Parse one raw message; whatever is wrong with it is in `problems`, never raised."""
    pattern = re.compile(case_reference) if isinstance(case_reference, str) else case_reference
    try:
        return _parse(raw, max_attachment_bytes, max_message_bytes, pattern)
    except Exception as error:  # a total function: the mailbox must go on whatever arrives
        return _unreadable(raw, error)


def _parse(raw: bytes, max_attachment: int, max_message: int, pattern: re.Pattern[str]) -> ParsedMail:
    problems: list[Problem] = []
    parser = BytesParser(policy=policy.compat32)
    headers_only = True
    if len(raw) > max_message:
        problems.append(
            Problem(
                "too_large",
                f"The message is {mb(len(raw))}; the limit is {mb(max_message)}. Only its headers were read.",
            )
        )
    elif raw.count(b"\n--") > MAX_DELIMITERS:
        # The standard parser takes seconds on tens of thousands of parts (and recurses on nesting):
        # counting the lines that could be boundaries is a cheap guard before it.
        problems.append(
            Problem("too_many_parts", "The message has too many parts to read; only its headers were read.")
        )
    else:
        headers_only = False
    message = (
        parser.parsebytes(_header_block(raw), headersonly=True) if headers_only else parser.parsebytes(raw)
    )
    headers = HeaderIndex(message)
    message_id = normalise_id(headers.first("message-id"))
    senders, _ = parse_addresses(headers.all("from"), keep=1)
    if not senders:
        problems.append(Problem("no_sender", "The message has no readable From address."))
    to, to_count = parse_addresses(headers.all("to"), keep=MAX_RECIPIENTS)
    cc, cc_count = parse_addresses(headers.all("cc"), keep=MAX_RECIPIENTS)
    reply_to, _ = parse_addresses(headers.all("reply-to"), keep=5)
    date_header = headers.first("date")
    date = parse_date(date_header)
    if date_header and date is None:
        problems.append(Problem("bad_date", "The Date header could not be read."))
    subject = decode_words(headers.first("subject"))
    kind, reasons, bounce = classify(message, headers)
    parts = mime.Sorted([], [], problems)
    if not headers_only:
        mime.sort_parts(message, parts, depth=0, body=True)
    full_text, from_html = mime.full_text(parts)
    attachments = mime.attachments(parts, max_attachment)
    if not headers_only:  # only the header was read: the body's structure is not ours to judge
        problems.extend(mime.defects(message))
    reference = pattern.search(subject)
    return ParsedMail(
        raw=raw,
        message_id=message_id or generated_id(headers, raw),
        message_id_generated=message_id is None,
        in_reply_to=(id_list(headers.first("in-reply-to")) or (None,))[0],
        references=id_list(" ".join(headers.all("references"))),
        from_name=senders[0].name if senders else "",
        from_address=senders[0].address if senders else None,
        reply_to=reply_to,
        to=to,
        cc=cc,
        recipient_count=to_count + cc_count,
        subject=subject,
        date=date,
        new_text=replies.new_text(full_text),
        full_text=full_text,
        text_from_html=from_html,
        attachments=attachments,
        case_reference=(reference.groupdict().get("reference") or reference.group(0)) if reference else None,
        kind=kind,
        kind_reasons=reasons,
        bounce=bounce,
        problems=tuple(_unique(problems)[:MAX_PROBLEMS]),
    )


def _unreadable(raw: bytes, error: Exception) -> ParsedMail:
    """What is left of a message the parser gave up on: its bytes, a stable id, and why."""
    problem = Problem(
        "unreadable", f"The message could not be read ({type(error).__name__}); it is kept as it came."
    )
    return ParsedMail(
        raw=raw,
        message_id=f"<{hashlib.sha256(raw).hexdigest()[:40]}@generated.attent>",
        message_id_generated=True,
        in_reply_to=None,
        references=(),
        from_name="",
        from_address=None,
        reply_to=(),
        to=(),
        cc=(),
        recipient_count=0,
        subject="",
        date=None,
        new_text="",
        full_text="",
        text_from_html=False,
        attachments=(),
        case_reference=None,
        kind=MailKind.PERSON,
        kind_reasons=(),
        bounce=None,
        problems=(problem,),
    )


def _header_block(raw: bytes) -> bytes:
    """The header block of a message (up to the first empty line), at most MAX_HEADER_BYTES."""
    head = raw[:MAX_HEADER_BYTES]
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    return head[: min(ends)] + b"\r\n\r\n" if ends else head


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
