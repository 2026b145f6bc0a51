"""Search's words, stems, query reading and marks, without a database."""

from attent.core.textsearch import fold, query_words, terms
from attent.search.highlight import Needle, marked, snippet, spans
from attent.search.query import read_query


def test_fold_keeps_one_character_per_character():
    for text in ("Café Ölçü", "İstanbul", "straße", "ﬁets", "😀 émoji"):
        assert len(fold(text)) == len(text)
    assert fold("CAFÉ Pérez") == "cafe perez"


def test_terms_hold_each_word_with_its_dutch_and_english_stems():
    assert terms("Bestellingen café") == "bestellingen bestel cafe"
    assert terms(None) == "" and terms("") == ""
    assert terms("orders") == "orders or order"  # the Dutch stemmer reads "orders" as Dutch


def test_a_query_is_words_only_never_syntax():
    q = read_query('"bestelling" AND NEAR(pakket*) %_\\ 😀 -kapot')
    assert q.words == ["bestelling", "and", "near", "pakket", "kapot"]
    assert q.fts5(prefix=False).count('"') % 2 == 0
    assert '"near"' in q.fts5(prefix=False) and "NEAR(" not in q.fts5(prefix=False)
    assert q.prefix_tsquery == "bestelling:* & and:* & near:* & pakket:* & kapot:*"
    assert q.fragment is not None and "\\%\\_\\\\" in q.fragment
    assert read_query("x" * 2000).text  # the limit itself is fine
    assert len(read_query("woord " * 100).words) == 1  # each word once
    assert len(read_query(" ".join(f"w{i}" for i in range(40))).words) == 12


def test_phone_numbers_in_any_notation_become_the_national_number():
    for notation in ("06-12345678", "+31 6 12345678", "0031612345678", "(06) 123 456 78"):
        q = read_query(notation)
        assert (q.phone, q.whole_phone) == ("612345678", True), notation
    assert read_query("12345").phone is None
    assert read_query("bestelling 88213").phone is None


def test_marks_are_built_from_escaped_text():
    needle = Needle.of("bestellingen")
    text = "<b>Bestelling</b> & 'co'"
    assert str(marked(text, spans(text, needle))) == (
        "&lt;b&gt;<mark>Bestelling</mark>&lt;/b&gt; &amp; &#39;co&#39;"
    )


def test_a_fragment_is_marked_where_it_occurs_and_accents_do_not_matter():
    assert spans("Order WS-2026-77341 ready", Needle.of("77341")) == [(14, 19)]
    assert spans("Het café", Needle.of("cafe")) == [(4, 8)]


def test_a_long_text_is_cut_around_its_first_match():
    text = "a " * 200 + "pakket" + " b" * 200
    cut, matches = snippet(text, spans(text, Needle.of("pakket")))
    assert len(cut) <= 162 and [cut[s:e] for s, e in matches] == ["pakket"]
    assert query_words("") == []
