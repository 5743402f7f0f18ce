"""Chunking keeps paragraphs and sentences whole, under the word limit, with exact offsets."""

from ingest.chunking import MAX_WORDS, pack, paragraph_units, sentence_spans, word_count


def _chunks(text):
    return [text[s.start : s.end] for s in pack(text, paragraph_units(text, 0, len(text), 1, 0))]


def test_short_paragraphs_join_and_a_heading_stays_with_its_paragraph():
    text = "Introduction\n\nPeer support helps people feel understood. It builds hope."
    chunks = _chunks(text)
    assert chunks == [text]


def test_long_paragraph_splits_at_sentence_ends_under_the_limit():
    sentences = [f"Sentence number {i} talks about peer support in the group." for i in range(80)]
    text = " ".join(sentences)
    chunks = _chunks(text)
    assert len(chunks) > 1
    assert all(word_count(chunk) <= MAX_WORDS for chunk in chunks)
    assert all(chunk.endswith(".") for chunk in chunks)
    assert " ".join(chunks) == text


def test_run_on_text_without_full_stops_still_splits():
    text = " ".join(f"word{i}" for i in range(700))
    chunks = _chunks(text)
    assert all(word_count(chunk) <= MAX_WORDS for chunk in chunks)
    assert sum(word_count(chunk) for chunk in chunks) == 700


def test_abbreviations_and_closing_quotes():
    text = 'She said "it helped." Then e.g. groups work. Dr. Patel agreed.'
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == ['She said "it helped."', "Then e.g. groups work.", "Dr. Patel agreed."]
