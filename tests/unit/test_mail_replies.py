"""Cutting quoted history and signatures: the Dutch and English shapes the library misses, and what
must never be cut."""

import time

import pytest

from attent.mail.attachments import classify_file, sanitise_filename
from attent.mail.replies import new_text
from attent.mail.text import html_to_text, unflow

QUOTE = "\n\n> Beste Marieke,\n> Uw pakket is onderweg.\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Gmail and Thunderbird in Dutch, also with the attribution wrapped over two lines
        ("Graag.\n\nOp ma 23 nov 2026 om 09:12 schreef Kopje <support@kopjekoffie.nl>:" + QUOTE, "Graag."),
        (
            "Graag.\n\nOp ma 23 nov 2026 om 09:12 schreef Kopje Koffie <\nsupport@kopjekoffie.nl>:" + QUOTE,
            "Graag.",
        ),
        ("Graag.\n\nOp 23-11-2026 om 09:12 schreef Kopje Koffie:" + QUOTE, "Graag."),
        ("Graag.\n\nKopje Koffie schreef op 23-11-2026 09:12:" + QUOTE, "Graag."),
        # Apple Mail in Dutch
        (
            "Graag.\n\nOp 23 nov. 2026 om 09:12 heeft Kopje <s@k.nl> het volgende geschreven:" + QUOTE,
            "Graag.",
        ),
        # English
        ("Sure.\n\nOn Mon, 23 Nov 2026 at 09:12, Kopje <support@kopjekoffie.nl> wrote:" + QUOTE, "Sure."),
        ("Sure.\n\nOn 23 Nov 2026, at 09:12, Kopje <support@kopjekoffie.nl> wrote:" + QUOTE, "Sure."),
        # Outlook
        (
            "Graag.\n\n-----Oorspronkelijk bericht-----\nVan: Kopje\nVerzonden: maandag\nAan: M\n\nTekst",
            "Graag.",
        ),
        ("Sure.\n\n-----Original Message-----\nFrom: Kopje\nSent: Monday\nTo: M\n\nText", "Sure."),
        (
            "Graag.\n\n________________________________\nVan: Kopje <s@k.nl>\nVerzonden: maandag 23 november"
            "\nAan: M\nOnderwerp: RE: x\n\nTekst",
            "Graag.",
        ),
        (
            "Sure.\n\nFrom: Kopje <s@k.nl>\nSent: Monday, November 23, 2026 9:12 AM\nTo: M\n"
            "Subject: x\n\nText",
            "Sure.",
        ),
        (
            "Graag.\n\nVan: Kopje <s@k.nl>\nDatum: maandag 23 november 2026 09:12\nAan: M\nOnderwerp: x\n\nT",
            "Graag.",
        ),
        # forwarding, with a note
        (
            "Zie onder.\n\n---------- Doorgestuurd bericht ---------\nVan: Shop\nDate: vr\n\nBestelling",
            "Zie onder.",
        ),
        ("See below.\n\nBegin forwarded message:\n\nFrom: Shop\n\nOrder", "See below."),
        # phones
        ("Nee.\n\nVerzonden vanaf mijn iPhone", "Nee."),
        ("Nee.\n\nVerstuurd vanaf mijn iPhone", "Nee."),
        ("Nee.\n\nVerzonden met mijn Galaxy", "Nee."),
        ("No.\n\nSent from my iPhone", "No."),
        ("No.\n\nGet Outlook for Android", "No."),
        # signatures
        ("Graag.\n\nMet vriendelijke groet,\n\nMarieke Visser\n06-12345678", "Graag."),
        ("Graag.\n\nMvg,\nMarieke", "Graag."),
        ("Graag.\n\nGroetjes,\nMarieke", "Graag."),
        ("Sure.\n\nKind regards,\nJames Carter\nCarter & Co.", "Sure."),
        ("Sure.\n\nThanks,\nJames", "Sure."),
        ("Sure.\n\n-- \nJames Carter\n+44 20 7946 0000", "Sure."),
        # a bare quote block at the end, without an attribution line
        ("Ja graag.\n\n> Wilt u een nieuwe?\n> Groet, Kopje", "Ja graag."),
    ],
)
def test_quoted_history_and_signature_are_cut(text, expected):
    assert new_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # the library would cut everything after "Thanks," or "Met vriendelijke groet"
        "Hi,\n\nThanks, but the package still has not arrived.\nOrder 1042.",
        "Hallo,\n\nMet vriendelijke groet van mijn moeder: ze is blij met de koffie.\n"
        "Maar de molen doet het niet.",
        # and every line after a hyphen
        "Ik bestelde:\n- twee mokken\n- een molen\n\nAlleen de mokken kwamen.",
        # a customer quoting their own earlier message is no reply header: it has no time
        "Op 12 mei schreef ik jullie al:\nwaar blijft mijn pakket?\nNu nog steeds niets.",
        # a closing followed by a long paragraph is no signature
        "Groeten,\nik wil nog iets zeggen over de levering, want die ging helemaal mis en de bezorger was"
        " onbeleefd tegen mijn buurvrouw toen hij het pakket daar afgaf zonder te vragen of dat mocht.",
    ],
)
def test_what_the_customer_wrote_is_never_cut(text):
    assert new_text(text) == text


def test_a_message_that_is_only_a_forward_shows_whole():
    text = (
        "---------- Forwarded message ---------\nFrom: Shop <a@shop.example>\nSubject: Order\n\nYour order."
    )
    assert new_text(text) == text


def test_flowed_text_is_joined_and_quotes_keep_their_depth():
    flowed = "Een lange zin die \ndoorloopt.\n> Een citaat dat \n> doorloopt.\n-- \nNaam"
    assert (
        unflow(flowed, delsp=False) == "Een lange zin die doorloopt.\n> Een citaat dat doorloopt.\n-- \nNaam"
    )
    assert unflow("Wo \nrd", delsp=True) == "Word"


def test_html_keeps_text_and_drops_everything_a_reader_never_sees():
    html = (
        "<html><head><title>Titel</title><style>p{}</style></head><body><!-- opmerking -->"
        '<p>Hallo <b>daar</b></p><script>alert(1)</script><div style="display:none">verborgen</div>'
        '<noscript>ns</noscript><iframe src="x">frame</iframe><img src="https://t.example/p.gif">'
        "<ul><li>een</li><li>twee</li></ul></body></html>"
    )
    assert html_to_text(html) == "Hallo daar\n\n  * een\n  * twee"
    assert html_to_text("") == "" and html_to_text("<<<>>>") == "<<<>>>"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("factuur.pdf", "factuur.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\Desktop\\brief.docx", "brief.docx"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # a right-to-left override hides ".exe"
        ('a<b>c:"d"|e?f*.txt', "a_b_c__d__e_f_.txt"),
        ("CON.txt", "_CON.txt"),
        ("  .verborgen  ", "verborgen"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
        ("naam\x00met\x07controle.pdf", "naammetcontrole.pdf"),
        ("", "fallback.bin"),
        (None, "fallback.bin"),
        ("...", "fallback.bin"),
    ],
)
def test_file_names_are_made_safe(name, expected):
    assert sanitise_filename(name, "fallback.bin") == expected


def test_file_type_comes_from_the_bytes():
    pe = b"MZ\x90\x00" + bytes(200)
    assert classify_file("setup.exe", "application/octet-stream", pe) == (
        "application/x-msdownload",
        ("executable",),
    )
    assert classify_file("foto.jpg", "image/jpeg", b"%PDF-1.4\n") == ("application/pdf", ("type_mismatch",))
    assert classify_file("notities.txt", "text/plain", "Één regel".encode()) == ("text/plain", ())
    assert classify_file("run.sh", "text/plain", b"#!/bin/sh\nrm -rf /\n")[1] == ("executable",)
    assert classify_file("x.pdf.js", "text/plain", b"alert(1)")[1] == ("executable", "double_extension")
    assert classify_file("page.png", "image/png", b"<!DOCTYPE html><script>")[0] == "text/html"


@pytest.mark.parametrize(
    "text",
    [
        "Hallo\n" + ("Op maandag 12 om 12:00 " * 8 + "\n") * 1000,  # reply-header-like lines that never end
        "Hallo\n" + ("On Monday " * 29 + "\n") * 400,  # the library's "On … wrote:" backtracks on these
        "x" + " " * 200_000 + "y",  # a trailing-space regex would be quadratic here
        "Groeten,\n" * 20_000,  # closings everywhere
        "Hallo\n" + "From: x\n" * 20_000,
        "-" * 200_000,
    ],
    ids=["op-lines", "on-lines", "spaces", "closings", "from-lines", "dashes"],
)
def test_pathological_text_is_read_in_bounded_time(text):
    started = time.perf_counter()
    new_text(text)
    assert time.perf_counter() - started < 5
