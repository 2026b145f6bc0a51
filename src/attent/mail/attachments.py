"""Attachments as a service team may safely see them: a clean file name, the type the bytes really are.

The declared Content-Type and the file name are the sender's claims; the type comes from the bytes
(magic numbers, via `filetype`), and a name that hides an executable (`invoice.pdf.exe`, or a "PDF"
whose bytes are a Windows program) is flagged. Archives are never opened, so a zip bomb is only ever
its own compressed size.
"""

import re
import unicodedata
from dataclasses import dataclass

import filetype

from attent.mail.text import HIDDEN_CHARACTERS

SNIFF_BYTES = 8192
MAX_NAME_CHARS = 150
EXECUTABLE_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-executable",
        "application/x-mach-binary",
        "application/x-sharedlib",
        "application/x-dosexec",
        "application/x-shellscript",
        "application/x-google-chrome-extension",
        "application/java-archive",
    }
)
# Extensions Windows, macOS or a desktop runs or mounts by name; flagged whatever the bytes are.
_RISKY = """exe com scr pif bat cmd msi msp msc cpl dll sys js jse vbs vbe wsf wsh ws hta ps1 psm1 psd1 lnk
jar reg scf inf url iso img vhd vhdx appx msix appref-ms sh command app apk dmg pkg deb rpm"""
RISKY_EXTENSIONS = frozenset(_RISKY.split())
_DOCUMENTS = """pdf doc docx xls xlsx ppt pptx odt ods odp rtf txt csv jpg jpeg png gif bmp tif tiff heic webp
zip rar 7z mp3 mp4 mov wav html htm eml"""
DOCUMENT_EXTENSIONS = frozenset(_DOCUMENTS.split())
EXTENSION_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "tiff": "tif", "htm": "html", "mpeg": "mpg"}
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)]
)
_UNSAFE = re.compile(r'[<>:"|?*\\/\x00-\x1f\x7f]')
# Containers whose magic number is the container's: a .docx is a zip, an old .doc an OLE file.
CONTAINED = {
    "application/zip": frozenset(
        {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.presentation",
            "application/epub+zip",
        }
    ),
    "application/x-ole-storage": frozenset(
        {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"}
    ),
}
_SPACES = re.compile(r"\s+")
_EXTENSION_FOR = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "message/rfc822": ".eml",
    "application/zip": ".zip",
}


@dataclass(frozen=True)
class Refusal:
    """Why an attachment was not kept: a stable code and a sentence."""

    code: str
    detail: str


@dataclass(frozen=True)
class Attachment:
    """One file from a message; `content` is empty when it was refused (`refused` says why)."""

    filename: str
    content_type: str  # from the bytes where they say; else the declared type, if the bytes fit it
    declared_type: str
    size: int
    content: bytes
    content_id: str | None = None  # for `cid:` references from the HTML, without the angle brackets
    inline: bool = False
    flags: tuple[str, ...] = ()  # executable, double_extension, type_mismatch
    refused: Refusal | None = None

    @property
    def dangerous(self) -> bool:
        """Whether an agent should be warned before opening it."""
        return bool({"executable", "double_extension", "type_mismatch"} & set(self.flags))


def sanitise_filename(name: str | None, fallback: str) -> str:
    """A file name safe to show and to offer for download: no path, no control or direction characters,
    nothing Windows refuses, at most MAX_NAME_CHARS; `fallback` when nothing is left."""
    text = unicodedata.normalize("NFC", name or "").translate(HIDDEN_CHARACTERS)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    text = re.split(r"[\\/]", text)[-1]
    text = _SPACES.sub(" ", _UNSAFE.sub("_", text)).strip(" .")
    if not text:
        return fallback
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    if stem.split(".")[0].strip().lower() in WINDOWS_RESERVED:
        stem = "_" + stem
    extension = extension[:20]
    room = MAX_NAME_CHARS - (len(extension) + 1 if extension else 0)
    return f"{stem[:room].rstrip(' .')}.{extension}" if extension else stem[:MAX_NAME_CHARS]


def sniff(content: bytes) -> str | None:
    """The type the bytes say they are, or None when they carry no signature we know."""
    head = content[:SNIFF_BYTES]
    kind = filetype.guess(head) if head else None
    if kind is not None:
        return str(kind.mime)
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        return "application/x-mach-binary"
    if head.startswith(b"#!"):
        return "application/x-shellscript"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-ole-storage"  # old Office files, and Windows installers (.msi)
    start = head.lstrip()[:512].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if start.startswith(b"<svg") or (start.startswith(b"<?xml") and b"<svg" in head.lower()):
        return "image/svg+xml"
    return None


def _looks_like_text(content: bytes) -> bool:
    head = content[:SNIFF_BYTES]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 4  # a character cut at the end of the sample
    return True


def _extensions(filename: str) -> list[str]:
    parts = filename.lower().split(".")[1:]
    return [EXTENSION_ALIASES.get(p.strip(), p.strip()) for p in parts]


def classify_file(
    filename: str, declared_type: str, content: bytes, sniffed: str | None = ""
) -> tuple[str, tuple[str, ...]]:
    """The real content type of a file, and the flags a service team should see about it.

    `sniffed` is `sniff(content)` when the caller has it already (it is the costly part); "" when not."""
    sniffed = sniff(content) if sniffed == "" else sniffed
    if sniffed:
        content_type = sniffed
    elif declared_type.startswith(("text/", "message/")) and _looks_like_text(content):
        content_type = declared_type
    elif content and _looks_like_text(content):
        content_type = "text/plain"
    else:
        content_type = "application/octet-stream"
    extensions = _extensions(filename)
    last = extensions[-1] if extensions else ""
    flags: list[str] = []
    if content_type in EXECUTABLE_TYPES or last in RISKY_EXTENSIONS:
        flags.append("executable")
    if len(extensions) >= 2 and last in RISKY_EXTENSIONS and extensions[-2] in DOCUMENT_EXTENSIONS:
        flags.append("double_extension")
    expected = filetype.get_type(ext=last) if last else None
    if expected is not None and expected.mime in CONTAINED.get(content_type, ()):
        content_type = str(expected.mime)
    if expected is not None and expected.mime != content_type:
        flags.append("type_mismatch")
    elif sniffed in EXECUTABLE_TYPES and last not in RISKY_EXTENSIONS:
        flags.append("type_mismatch")  # a program under a harmless or unknown name
    return content_type, tuple(flags)


def fallback_name(index: int, content_type: str, *, inline: bool) -> str:
    """A name for a file that came without one: `image-2.png`, `attachment-3.pdf`, `message-1.eml`."""
    stem = "message" if content_type == "message/rfc822" else "image" if inline else "attachment"
    default = ".txt" if content_type.startswith("text/") else ".bin"
    return f"{stem}-{index}{_EXTENSION_FOR.get(content_type, default)}"
