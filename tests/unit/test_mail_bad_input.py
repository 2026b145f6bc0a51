"""Hostile and broken mail: each is read safely or refused with a reason, in bounded time, never raised."""

import hashlib
import re
import time
from email.message import EmailMessage

import pytest

from attent.mail.classify import MailKind
from attent.mail.parsing import parse
from tests.mail_samples import MB, big_attachment, huge_headers, many_recipients, zip_bomb

LIMITS = {"max_attachment_bytes": 10 * MB, "max_message_bytes": 25 * MB}


def simple(headers: str, body: str = "Hallo.\r\n") -> bytes:
    return (headers.strip().replace("\n", "\r\n") + "\r\n\r\n" + body).encode("utf-8")


def test_ten_megabyte_attachment_is_refused_over_the_limit_with_its_size():
    raw, content = big_attachment()
    mail = parse(raw, max_attachment_bytes=10 * MB, max_message_bytes=25 * MB)
    [scan] = mail.attachments
    assert scan.refused is not None and scan.refused.code == "too_large"
    assert scan.refused.detail == "The file is 10.5 MB; the limit is 10.0 MB."
    assert (
        scan.content == b"" and abs(scan.size - len(content)) <= 3
    )  # estimated from the base64, not decoded
    assert scan.filename == "scan-10mb.pdf" and scan.content_type == "application/pdf"
    assert mail.new_text == "Zie de bijlage." and mail.problems == ()


def test_ten_megabyte_attachment_is_kept_whole_under_the_limit():
    raw, content = big_attachment()
    started = time.perf_counter()
    mail = parse(raw, max_attachment_bytes=20 * MB, max_message_bytes=25 * MB)
    assert time.perf_counter() - started < 5
    [scan] = mail.attachments
    assert scan.refused is None and scan.size == len(content) == 10 * 1024 * 1024
    assert hashlib.sha256(scan.content).digest() == hashlib.sha256(content).digest()


def test_past_a_hundred_attachments_the_rest_are_refused():
    message = EmailMessage()
    message["From"] = "a@example.nl"
    message.set_content("Veel bijlagen.")
    for i in range(120):
        message.add_attachment(f"regel {i}".encode(), maintype="text", subtype="plain", filename=f"{i}.txt")
    mail = parse(message.as_bytes(), **LIMITS)
    assert len(mail.attachments) == 120
    assert all(a.refused is None for a in mail.attachments[:100])
    assert {a.refused.code for a in mail.attachments[100:] if a.refused} == {"too_many"}
    assert mail.attachments[0].content == b"regel 0" and mail.attachments[100].content == b""


def test_message_over_the_size_limit_keeps_its_headers_and_says_so():
    raw, _ = big_attachment()
    mail = parse(raw, max_attachment_bytes=20 * MB, max_message_bytes=5 * MB)
    assert [p.code for p in mail.problems] == ["too_large"]
    assert mail.problems[0].detail == (
        f"The message is {len(raw) / MB:.1f} MB; the limit is 5.0 MB. Only its headers were read."
    )
    assert mail.from_address == "marieke.visser@example.nl" and mail.subject == "Bijlage scan-10mb.pdf"
    assert mail.attachments == () and mail.new_text == "" and mail.raw == raw


def test_zip_bomb_is_kept_as_its_compressed_self_and_never_opened():
    raw = zip_bomb(expanded=100 * MB)
    started = time.perf_counter()
    mail = parse(raw, **LIMITS)
    assert time.perf_counter() - started < 5
    [archive] = mail.attachments
    assert archive.content_type == "application/zip" and archive.refused is None
    assert archive.size == len(archive.content) < 1 * MB  # 100 MB of zeros, never expanded


def test_ten_thousand_recipients_are_counted_and_capped_quickly():
    raw = many_recipients(10_000)
    started = time.perf_counter()
    mail = parse(raw, **LIMITS)
    assert time.perf_counter() - started < 5
    assert mail.recipient_count == 10_002
    assert len(mail.to) == 100 and mail.to[0].name == "Klant 0" and mail.to[0].address == "klant0@example.com"
    assert [a.address for a in mail.cc] == ["a@example.com", "b@example.com"]
    assert mail.new_text == "Hallo allemaal."


def test_huge_headers_are_capped_and_read_in_bounded_time():
    raw = huge_headers()
    started = time.perf_counter()
    mail = parse(raw, **LIMITS)
    assert time.perf_counter() - started < 5
    assert len(mail.subject) == 4000 and mail.subject.startswith("Waar blijft mijn bestelling ??")
    assert len(mail.references) == 100
    assert mail.references[0] == "<ref0@example.com>" and mail.references[-1] == "<ref4999@example.com>"
    assert mail.in_reply_to == "<ref4999@example.com>"
    assert mail.new_text == "Nog steeds niets ontvangen."


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage \x00" * 100,
        b"From: \r\n\r\n",
        b"Subject: =?utf-8?B?=?=\r\nFrom: =?x?Q?=?= <@>\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n",
        b"Content-Type: text/plain; charset=zlib_codec\r\n\r\nx\x9c\x03\x00\x00\x00\x00\x01",
        b"Content-Type: message/rfc822\r\n\r\nnot really a message",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n--b--\r\n",
    ],
)
def test_garbage_never_raises_and_keeps_the_raw_bytes(raw):
    mail = parse(raw, **LIMITS)
    assert mail.raw == raw
    assert mail.message_id.startswith("<") and mail.message_id.endswith("@generated.attent>")


@pytest.mark.parametrize("depth", [60, 3_000, 50_000])
def test_deeply_nested_parts_stop_at_a_limit_with_a_reason(depth):
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    raw = ("From: a@example.nl\r\n" + opening + "Content-Type: text/plain\r\n\r\ndiep\r\n").encode()
    started = time.perf_counter()
    mail = parse(raw, **LIMITS)
    assert time.perf_counter() - started < 5
    assert [p.code for p in mail.problems if p.code != "malformed"] == ["too_many_parts"]
    assert mail.raw == raw and mail.from_address == "a@example.nl"


def test_tens_of_thousands_of_parts_are_not_read_and_cost_little():
    parts = "".join("--b\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n" for _ in range(50_000))
    raw = ("From: a@example.nl\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + parts).encode()
    started = time.perf_counter()
    mail = parse(raw, **LIMITS)
    assert time.perf_counter() - started < 5
    assert [p.code for p in mail.problems] == ["too_many_parts"] and mail.attachments == ()


def test_five_hundred_parts_are_read_and_the_rest_reported():
    parts = "".join(f"--b\r\nContent-Type: application/octet-stream\r\n\r\n{i}\r\n" for i in range(600))
    head = "From: a@example.nl\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    mail = parse((head + parts + "--b--\r\n").encode(), **LIMITS)
    assert [p.code for p in mail.problems] == ["too_many_parts"]
    assert len(mail.attachments) == 499  # the 500th part read is the multipart itself


def test_a_header_line_without_colon_is_reported_and_the_text_kept():
    raw = b"From: a@example.nl\r\nSubject: kapot\r\nDit is geen header\r\n\r\nHallo.\r\n"
    mail = parse(raw, **LIMITS)
    assert "malformed" in {p.code for p in mail.problems}
    assert "Hallo." in mail.full_text and mail.subject == "kapot"


def test_declared_utf8_that_is_windows_1252_is_read_right_and_reported():
    raw = b"From: a@example.nl\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCaf\xe9 \x80 5\r\n"
    mail = parse(raw, **LIMITS)
    assert mail.new_text == "Café € 5"
    assert [p.code for p in mail.problems] == ["charset"]


def test_declared_latin1_that_is_utf8_is_read_as_utf8():
    raw = simple("From: a@example.nl\nContent-Type: text/plain; charset=iso-8859-1") + "Één café".encode()
    assert parse(raw, **LIMITS).new_text == "Hallo.\r\nÉén café".replace("\r\n", "\n")


def test_unknown_charset_falls_back_without_losing_the_text():
    raw = simple("From: a@example.nl\nContent-Type: text/plain; charset=x-mac-klingon") + "Één".encode()
    mail = parse(raw, **LIMITS)
    assert mail.new_text.endswith("Één") and [p.code for p in mail.problems] == ["charset"]


def test_missing_message_id_is_generated_the_same_for_the_same_message_however_delivered():
    lf = (
        b"From: a@example.nl\nTo: b@example.nl\nSubject: geen id\n"
        b"Date: Mon, 30 Nov 2026 10:00:00 +0100\n\nHallo.\n"
    )
    crlf = lf.replace(b"\n", b"\r\n")
    relayed = b"Received: from relay.example by mx.example; Mon, 30 Nov 2026 10:00:01 +0100\r\n" + crlf
    ids = {parse(raw, **LIMITS).message_id for raw in (lf, crlf, relayed)}
    assert len(ids) == 1 and parse(lf, **LIMITS).message_id_generated
    other = parse(lf.replace(b"Hallo.", b"Hoi."), **LIMITS).message_id
    assert other not in ids


def test_case_reference_pattern_is_a_parameter():
    raw = simple("From: a@example.nl\nSubject: Re: [Ticket 7781] lekkage")
    assert parse(raw, **LIMITS).case_reference is None
    custom = re.compile(r"\[Ticket (?P<reference>\d+)\]")
    assert parse(raw, **LIMITS, case_reference=custom).case_reference == "7781"
    assert parse(raw, **LIMITS, case_reference=r"Ticket \d+").case_reference == "Ticket 7781"


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ("Auto-Submitted: auto-generated", MailKind.AUTO_REPLY),
        ("Auto-Submitted: no", MailKind.PERSON),
        ("X-Autoreply: yes", MailKind.AUTO_REPLY),
        ("X-Autorespond: Out of office", MailKind.AUTO_REPLY),
        ("X-Auto-Response-Suppress: OOF, AutoReply", MailKind.AUTO_REPLY),
        ("X-Auto-Response-Suppress: RN, NRN", MailKind.PERSON),
        ("Precedence: auto_reply", MailKind.AUTO_REPLY),
        ("X-Loop: helpdesk@shop.example", MailKind.AUTO_REPLY),
        ("Return-Path: <>", MailKind.AUTO_REPLY),
        ("Precedence: bulk", MailKind.BULK),
        ("Precedence: junk", MailKind.BULK),
        ("List-Unsubscribe: <mailto:uit@example.com>", MailKind.BULK),
        ("Precedence: list", MailKind.LIST),
        ("List-Id: <kopjes.lists.example.org>", MailKind.LIST),
        ("X-Mailer: Outlook", MailKind.PERSON),
    ],
)
def test_sender_kind_from_headers(headers, kind):
    raw = simple(f"From: Klant <klant@example.nl>\n{headers}\nSubject: x")
    assert parse(raw, **LIMITS).kind is kind


@pytest.mark.parametrize(
    "sender", ["noreply@shop.example", "MAILER-DAEMON@mx.example", "owner-list@example.org"]
)
def test_automatic_sender_addresses_are_never_acknowledged(sender):
    mail = parse(simple(f"From: {sender}\nSubject: x"), **LIMITS)
    assert mail.kind is MailKind.AUTO_REPLY and not mail.acknowledge


def test_read_receipt_is_an_auto_reply():
    raw = simple(
        "From: klant@example.nl\n"
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=b",
        "--b\r\nContent-Type: text/plain\r\n\r\nGelezen.\r\n--b--\r\n",
    )
    assert parse(raw, **LIMITS).kind is MailKind.AUTO_REPLY


def test_bounce_without_dsn_uses_x_failed_recipients():
    raw = simple(
        "From: Mail Delivery System <Mailer-Daemon@mx.example>\nX-Failed-Recipients: weg@example.nl\n"
        "Subject: Mail delivery failed",
        "A message that you sent could not be delivered.\r\n",
    )
    mail = parse(raw, **LIMITS)
    assert mail.kind is MailKind.BOUNCE and mail.bounce is not None
    assert [r.address for r in mail.bounce.recipients] == ["weg@example.nl"] and mail.bounce.failed


def test_delay_report_is_a_bounce_that_did_not_fail():
    raw = simple(
        "From: MAILER-DAEMON@mx.example\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b",
        "--b\r\nContent-Type: text/plain\r\n\r\nStill trying.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; later@example.nl\r\nAction: delayed\r\nStatus: 4.4.7\r\n\r\n--b--\r\n",
    )
    mail = parse(raw, **LIMITS)
    assert mail.kind is MailKind.BOUNCE and mail.bounce is not None
    assert not mail.bounce.failed and mail.bounce.recipients[0].status == "4.4.7"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/html", "<p>woord</p>" * 300_000), ("text/plain", "Een regel tekst.\r\n" * 300_000)],
    ids=["html", "plain"],
)
def test_a_huge_body_is_read_up_to_a_budget_in_bounded_time(content_type, body):
    raw = simple(f"From: a@example.nl\nContent-Type: {content_type}; charset=utf-8", body)
    started = time.perf_counter()
    mail = parse(raw, **LIMITS)
    assert time.perf_counter() - started < 5
    assert [p.code for p in mail.problems] == ["text_truncated"]
    assert 100_000 < len(mail.full_text) <= 1_000_000 and mail.raw == raw


def test_a_big_html_newsletter_is_read_without_layout_but_complete():
    rows = "".join(f"<tr><td>Artikel {i}</td><td>€ {i},00</td></tr>" for i in range(3000))
    raw = simple("From: a@example.nl\nContent-Type: text/html; charset=utf-8", f"<table>{rows}</table>")
    mail = parse(raw, **LIMITS)
    assert "Artikel 2999" in mail.full_text and "€ 2999,00" in mail.full_text and mail.problems == ()


def test_whatever_breaks_inside_the_parser_the_message_is_kept_with_the_reason(monkeypatch):
    from attent.mail import mime

    def broken(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(mime, "sort_parts", broken)
    raw = simple("From: a@example.nl\nSubject: x")
    first, second = parse(raw, **LIMITS), parse(raw, **LIMITS)
    assert [p.code for p in first.problems] == ["unreadable"] and "RecursionError" in first.problems[0].detail
    assert first.raw == raw and first.message_id == second.message_id  # stored once if fetched twice
    assert not first.acknowledge
