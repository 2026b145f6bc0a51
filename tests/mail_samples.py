"""The e-mail fixtures (tests/fixtures/mail/*.eml, written for Attent) and the shapes too big to commit,
generated: a 10 MB attachment, huge headers, 10,000 recipients, a zip bomb."""

import base64
import functools
import io
import os
import zipfile
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
MB = 1_000_000


def load(name: str) -> bytes:
    """One fixture's raw bytes, exactly as on disk."""
    return (FIXTURES / f"{name}.eml").read_bytes()


def fixture_names() -> list[str]:
    """Every fixture, by name."""
    return sorted(path.stem for path in FIXTURES.glob("*.eml"))


def _message(subject: str, text: str = "Zie de bijlage.") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Marieke Visser <marieke.visser@example.nl>"
    message["To"] = "support@kopjekoffie.nl"
    message["Subject"] = subject
    message["Date"] = "Mon, 30 Nov 2026 10:00:00 +0100"
    message["Message-ID"] = f"<{subject.lower().replace(' ', '-')}@example.nl>"
    message.set_content(text)
    return message


def with_attachment(content: bytes, filename: str, maintype: str, subtype: str) -> bytes:
    """A short message carrying one file."""
    message = _message(f"Bijlage {filename}")
    message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=SMTP)


@functools.cache
def big_attachment(size: int = 10 * 1024 * 1024) -> tuple[bytes, bytes]:
    """A message with a `size`-byte PDF-looking attachment (10 MiB by default); returns (raw, file)."""
    content = b"%PDF-1.7\n" + os.urandom(size - 9)
    encoded = base64.encodebytes(content).replace(b"\n", b"\r\n")
    head = (
        b"From: Marieke Visser <marieke.visser@example.nl>\r\nTo: support@kopjekoffie.nl\r\n"
        b"Subject: Bijlage scan-10mb.pdf\r\nMessage-ID: <scan-10mb@example.nl>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="grens"\r\n\r\n--grens\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nZie de bijlage.\r\n--grens\r\n"
        b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="scan-10mb.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
    )
    return head + encoded + b"--grens--\r\n", content


@functools.cache
def zip_bomb(expanded: int = 100 * MB) -> bytes:
    """A small zip that would expand to `expanded` bytes of zeros, attached to a message."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("nullen.bin", "w", force_zip64=True) as member,
    ):
        chunk = bytes(MB)
        for _ in range(expanded // MB):
            member.write(chunk)
    return with_attachment(buffer.getvalue(), "fotos.zip", "application", "zip")


def many_recipients(count: int = 10_000) -> bytes:
    """A message to `count` recipients in one To header (and a few in Cc)."""
    to = ",\r\n ".join(f'"Klant {i}" <klant{i}@example.com>' for i in range(count))
    return (
        "From: Nieuwsbrief <nieuws@example.com>\r\n"
        f"To: {to}\r\n"
        "Cc: a@example.com, b@example.com\r\n"
        "Subject: Aan iedereen\r\n"
        "Message-ID: <veel-ontvangers@example.com>\r\n"
        "\r\n"
        "Hallo allemaal.\r\n"
    ).encode()


def huge_headers(received: int = 5_000, references: int = 5_000, subject_chars: int = 200_000) -> bytes:
    """A message with thousands of Received lines, a References header of thousands of ids, and a
    subject of 200,000 characters."""
    lines = [
        f"Received: from relay{i}.example by relay{i + 1}.example; Mon, 30 Nov 2026 10:00:00 +0100"
        for i in range(received)
    ]
    refs = "\r\n ".join(f"<ref{i}@example.com>" for i in range(references))
    subject = "Waar blijft mijn bestelling " + "?" * subject_chars
    head = "\r\n".join(
        [
            *lines,
            "From: Marieke Visser <marieke.visser@example.nl>",
            "To: support@kopjekoffie.nl",
            f"Subject: {subject}",
            f"References: {refs}",
            "In-Reply-To: <ref4999@example.com>",
            "Message-ID: <grote-kop@example.nl>",
        ]
    )
    return (head + "\r\n\r\nNog steeds niets ontvangen.\r\n").encode()
