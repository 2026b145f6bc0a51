"""What a service team sees of each real-world message shape: the sender, the new text, the kind."""

from email import message_from_bytes
from email.policy import default

import pytest

from attent.mail.classify import MailKind
from attent.mail.parsing import ParsedMail, parse
from tests.mail_samples import load

LIMITS = {"max_attachment_bytes": 10_000_000, "max_message_bytes": 25_000_000}


def parsed(name: str) -> ParsedMail:
    return parse(load(name), **LIMITS)


REPLIES = [
    (
        "outlook_reply_nl",
        "marieke.visser@example.nl",
        "Hallo,\n\nHet pakket is nog steeds niet bezorgd. Kunnen jullie het opnieuw versturen?\n"
        "Ordernummer 10428.",
        "Uw bestelling is onderweg en wordt vandaag bezorgd.",
    ),
    (
        "outlook_reply_en",
        "james.carter@example.com",
        "Hi,\n\nThanks, but the grinder still makes a rattling noise after the repair.\n"
        "Could you send a replacement instead?",
        "Your grinder has been repaired and is on its way back to you.",
    ),
    (
        "outlook_classic_nl",
        "j.bakker@bakkerij-bakker.example",
        "Goedemorgen,\n\nAkkoord met de offerte. Wilt u de machine na 1 december leveren? "
        "Voor die datum is de zaak gesloten.",
        "Bijgaand de offerte voor de Barista Pro.",
    ),
    (
        "gmail_reply_nl",
        "marieke.visser@example.nl",
        "Hoi,\n\nHelaas, de doos is vandaag ook niet gekomen. Ik ben morgen de hele dag thuis, "
        "dus dan kan het écht.",
        "> Uw bestelling is onderweg en wordt vandaag bezorgd.",
    ),
    (
        "gmail_reply_en",
        "james.carter@example.com",
        "Yes, please send it to my work address instead:\nKeizersgracht 123, Amsterdam.\n\nJames",
        "> Shall we use the address we have on file?",
    ),
    (
        "apple_mail_reply_nl",
        "marieke.visser@example.nl",
        "Dag Fatima,\n\nDank voor het snelle antwoord. Dinsdag na 14:00 ben ik thuis, "
        "dan kan de bezorger langskomen.\n\nMarieke",
        "> Wat vervelend! We sturen een nieuw pakket. Wanneer bent u thuis?",
    ),
    (
        "apple_mail_reply_en",
        "james.carter@example.com",
        "The new grinder arrived this morning and it works perfectly.\nYou can close this one.",
        "> Your new grinder was sent today with PostNL, tracking code 3SKPK0001234567.",
    ),
    (
        "iphone_reply_nl",
        "marieke.visser@example.nl",
        "Nee, nog niks ontvangen. Kan ik het ook ophalen in de winkel in Utrecht?",
        "> Heeft de bezorger u vandaag bereikt?",
    ),
    (
        "android_reply_en",
        "james.carter@example.com",
        "Great, I'll be home all day tomorrow. Could the driver ring twice? The bell is broken.",
        "The courier will deliver your grinder tomorrow between 09:00 and 17:00.",
    ),
]


@pytest.mark.parametrize(("name", "sender", "new", "quoted"), REPLIES, ids=[r[0] for r in REPLIES])
def test_reply_shows_only_the_new_text_and_keeps_the_whole(name, sender, new, quoted):
    mail = parsed(name)
    assert mail.new_text == new
    assert quoted in mail.full_text  # the quoted history stays viewable
    assert mail.from_address == sender
    assert mail.kind is MailKind.PERSON and mail.acknowledge
    assert mail.case_reference in ("K-1042", "K-1043", "K-1044")
    assert mail.in_reply_to is not None and mail.in_reply_to.endswith("@attent>")
    assert mail.thread_ids[0] == mail.in_reply_to
    assert mail.problems == ()


def test_reply_headers_give_the_thread_and_the_sender():
    mail = parsed("gmail_reply_en")
    assert mail.from_name == "James Carter"
    assert mail.subject == "Re: [#K-1043] Your repair"
    assert mail.message_id == "<CAJ9pL2wX4kN7bR1tY6uI3oP8aS5dF0gH2jK4lZ7xC9vB1nM3qW@mail.gmail.example>"
    assert mail.references == (
        "<01936f40-1d2e-7a0b-8c33-9e8d7c6b5a02@attent>",
        "<000001db3d5e$4a2b1c00$de7f5400$@example.com>",
        "<01936f71-22aa-7c3d-8e44-1f2a3b4c5d06@attent>",
    )
    assert mail.thread_ids == (
        "<01936f71-22aa-7c3d-8e44-1f2a3b4c5d06@attent>",
        "<000001db3d5e$4a2b1c00$de7f5400$@example.com>",
        "<01936f40-1d2e-7a0b-8c33-9e8d7c6b5a02@attent>",
    )
    assert mail.date is not None and mail.date.isoformat() == "2026-11-23T12:20:31+00:00"
    assert [a.address for a in mail.to] == ["support@kopjekoffie.nl"]


def test_outlook_display_name_with_a_comma_is_one_sender():
    mail = parsed("outlook_reply_en")
    assert (mail.from_name, mail.from_address) == ("Carter, James", "james.carter@example.com")


def test_html_only_mail_becomes_readable_text():
    mail = parsed("html_only")
    assert mail.text_from_html
    assert mail.new_text == (
        "Goedemiddag,\n\nIk heb twee pakken bonen besteld maar kreeg er één:\n\n"
        "* Ethiopië Sidamo, 1 kg\n* Colombia Huila, 1 kg (ontbreekt)\n\nKunt u de ontbrekende nog sturen?"
    )
    assert "<" not in mail.full_text and "margin" not in mail.full_text
    assert mail.from_name == "Jan de Boer" and mail.kind is MailKind.PERSON


def test_multipart_alternative_reads_the_plain_version():
    mail = parsed("multipart_alternative")
    assert not mail.text_from_html
    assert mail.new_text == (
        "Hello,\n\nMy order 10431 arrived today, but one of the two espresso mugs was\n"
        "broken in the box. Photos are available if you need them.\n\nSophie Jansen"
    )
    assert "HTML editor" not in mail.full_text  # only in the HTML version
    assert mail.attachments == ()


def test_html_with_scripts_and_tracking_pixel_keeps_only_what_a_reader_sees():
    mail = parsed("html_script_pixel")
    assert (
        mail.new_text
        == "Hallo,\n\nIk wil mijn koffieabonnement graag pauzeren tot januari.\n\nKan dat?\n\nLotte"
    )
    for hidden in (
        "alert",
        "document.cookie",
        "tracker",
        "evil",
        "geheim",
        "Voorbeeldtekst",
        "iframe-fallback",
    ):
        assert hidden not in mail.full_text
    assert mail.attachments == ()  # a remote image is never fetched nor kept


def test_forwarded_message_shows_the_note_and_keeps_what_was_forwarded():
    mail = parsed("forwarded_nl")
    assert mail.new_text == "Zie hieronder: ik heb de molen wel betaald, maar hij zat niet in de doos."
    assert "1 x Handmolen Comandante C40       € 249,00" in mail.full_text
    assert mail.case_reference is None and mail.in_reply_to is None


def test_message_forwarded_as_attachment_stays_one_file():
    mail = parsed("forwarded_attachment")
    assert mail.new_text.startswith("Hierbij de leveringsbon van de vervoerder, als bijlage.")
    [forwarded] = mail.attachments
    assert forwarded.filename == "Leveringsbon 4471.eml"
    assert forwarded.content_type == "message/rfc822" and forwarded.flags == ()
    inner = message_from_bytes(forwarded.content, policy=default)
    assert inner["Subject"] == "Leveringsbon 4471"
    assert "bon-4471.pdf" not in [a.filename for a in mail.attachments]


def test_inline_image_is_kept_as_an_attachment_with_its_content_id():
    mail = parsed("inline_image")
    assert mail.new_text == "Zo ziet de mok eruit, het oor is eraf:\n\n[foto.png]\n\nMarieke"
    [photo] = mail.attachments
    assert (photo.filename, photo.content_type, photo.inline) == ("foto.png", "image/png", True)
    assert photo.content_id == "7D8E9F0A-1B2C-3D4E-5F6A-7B8C9D0E1F2A@example.nl"
    assert photo.content.startswith(b"\x89PNG\r\n\x1a\n") and photo.size == len(photo.content) == 73


def test_windows_1252_body_reads_euro_sign_and_curly_quotes():
    mail = parsed("windows1252")
    assert mail.new_text == (
        "Goedemiddag,\n\nIk heb € 25,00 betaald voor de “Barista Deluxe” cursus, maar die is geannuleerd.\n"
        "Wanneer krijg ik het geld terug? ‘Binnen 5 werkdagen’ is al voorbij."  # noqa: RUF001
    )
    assert "Café ’t Hoekje" in mail.full_text  # noqa: RUF001
    assert mail.problems == ()


def test_iso_8859_1_body_and_subject_read_as_written():
    mail = parsed("iso88591")
    assert mail.subject == "Crème brûlée bonen"
    assert mail.from_name == "Renée de Vries"  # raw Latin-1 bytes in the header
    assert mail.new_text == (
        "Beste klantenservice,\n\nDe crème brûlée-bonen zijn uitverkocht. Wanneer komen ze terug? "
        "Ik wil er graag voor €50 bestellen (½ kilo per week).\n\nRenée"
    )


def test_rfc2047_subject_names_and_file_name_are_decoded():
    mail = parsed("rfc2047")
    assert mail.subject == "Vraag over bestelling 10440 – één pak ontbreekt"  # noqa: RUF001
    assert (mail.from_name, mail.from_address) == ("Renée de Vriës", "renee.devries@example.nl")
    assert [(a.name, a.address) for a in mail.to] == [
        ("Klantenservice, Kopje Koffie", "support@kopjekoffie.nl")
    ]
    assert [(a.name, a.address) for a in mail.cc] == [("Éléonore Öztürk", "eleonore@example.de")]
    assert mail.recipient_count == 2
    [receipt] = mail.attachments
    assert receipt.filename == "Pakbon 10440 – Renée.pdf"  # noqa: RUF001
    assert receipt.content_type == "application/pdf"


def test_out_of_office_reply_is_an_auto_reply():
    mail = parsed("auto_reply")
    assert mail.kind is MailKind.AUTO_REPLY and not mail.acknowledge
    assert "Auto-Submitted: auto-replied" in mail.kind_reasons
    assert mail.from_address == "j.bakker@bakkerij-bakker.example"
    assert mail.case_reference == "K-1044"  # it still belongs on its case
    assert mail.new_text.startswith("Ik ben afwezig tot en met maandag 30 november.")


def test_bounce_names_our_message_the_recipient_and_the_reason():
    mail = parsed("bounce_dsn")
    assert mail.kind is MailKind.BOUNCE and not mail.acknowledge
    assert mail.bounce is not None and mail.bounce.failed
    assert mail.bounce.original_message_id == "<01937f10-2a3b-7c4d-8e5f-6a7b8c9d0e12@attent>"
    failure = mail.bounce.first_failure
    assert failure is not None
    assert (failure.address, failure.action, failure.status) == ("m.visser@example.nl", "failed", "5.1.1")
    assert failure.diagnostic == (
        "smtp; 550 5.1.1 <m.visser@example.nl>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )


def test_mailing_list_message_is_list_mail_without_its_footer():
    mail = parsed("mailing_list")
    assert mail.kind is MailKind.LIST and not mail.acknowledge
    assert "List-Id: koffieliefhebbers <koffieliefhebbers.lists.example.org>" in mail.kind_reasons
    assert mail.new_text == (
        "Hallo allemaal,\n\nIk zoek een handmolen voor filterkoffie. Heeft iemand ervaring met de\n"
        "Comandante tegenover de 1Zpresso?\n\nThomas"
    )


def test_malformed_message_is_read_as_far_as_it_goes_and_says_what_is_wrong():
    raw = load("malformed")
    mail = parse(raw, **LIMITS)
    assert mail.raw == raw
    codes = {p.code for p in mail.problems}
    assert {"malformed", "bad_date", "charset"} <= codes
    assert mail.message_id_generated and mail.message_id.endswith("@generated.attent>")
    assert mail.from_address == "anna.smit@example.nl"  # salvaged from a broken From header
    assert mail.date is None
    assert mail.subject == "=?utf-8?B?broken-word Bezorging gemist"  # the undecodable word stays as sent
    assert mail.new_text.startswith(
        "Hallo, de bezorger heeft een kaartje achtergelaten maar ik was gewoon thuis. "
        "Kunnen jullie het vandaag nog brengen? Café = open tot 18:00."
    )
    [scan] = mail.attachments
    assert scan.filename == "scan.jpg" and "type_mismatch" in scan.flags  # not a JPEG whatever it says


def test_invoice_pdf_exe_is_flagged_by_what_the_bytes_are():
    mail = parsed("invoice_pdf_exe")
    files = {a.filename: a for a in mail.attachments}
    assert set(files) == {"invoice.pdf.exe", "factuur-2026-1188.pdf", "voorwaarden.pdf"}
    exe = files["invoice.pdf.exe"]
    assert exe.declared_type == "application/pdf" and exe.content_type == "application/x-msdownload"
    assert {"executable", "double_extension"} <= set(exe.flags) and exe.dangerous
    disguised = files["factuur-2026-1188.pdf"]  # a program under a harmless name
    assert disguised.content_type == "application/x-msdownload"
    assert {"executable", "type_mismatch"} <= set(disguised.flags)
    genuine = files["voorwaarden.pdf"]  # the path in its name is gone, its type comes from the bytes
    assert (genuine.content_type, genuine.flags, genuine.dangerous) == ("application/pdf", (), False)


def test_every_fixture_parses_without_problems_but_the_malformed_one():
    from tests.mail_samples import fixture_names

    for name in fixture_names():
        mail = parsed(name)
        assert mail.message_id.startswith("<") and mail.message_id.endswith(">"), name
        assert mail.from_address, name
        if name != "malformed":
            assert mail.problems == (), (name, mail.problems)
