"""Handles named in others' posts become [NAME]; the author field and ordinary words stay."""

import json

from ingest.pipeline import IngestOptions, file_hash, load_source


def _ingested(tmp_path, posts: list[dict]):
    """The source a forum export of these posts becomes, through the real pipeline."""
    path = tmp_path / "forum.json"
    path.write_text(json.dumps({"posts": posts}), encoding="utf-8")
    return load_source(path, "forum.json", file_hash(path), IngestOptions(kind="contribution"))


def test_a_reply_naming_someone_by_their_handle_names_no_one(tmp_path):
    posts = [
        {"id": "p1", "thread": "Rooms", "author": "maple_and_moss", "date": "2026-03-02",
         "text": "In a room I can't hide, and some weeks that is what I need."},
        {"id": "p2", "thread": "Rooms", "parent": "p1", "author": "Gwen T", "date": "2026-03-03",
         "text": "I see what you mean maple but I can't leave the house most evenings."},
        {"id": "p3", "thread": "Rooms", "parent": "p1", "author": "nightowl_glasgow",
         "date": "2026-03-03", "text": "@maple_and_moss that corridor thing, that's exactly it."},
        {"id": "p4", "thread": "Rooms", "parent": "p3", "author": "Gwen T", "date": "2026-03-04",
         "text": "We bring maple syrup cake to the group, nightowl_glasgow knows."},
    ]  # fmt: skip
    source = _ingested(tmp_path, posts)
    texts = [e.text for e in source.extracts]
    assert texts[1] == "I see what you mean [NAME] but I can't leave the house most evenings."
    assert texts[2] == "[NAME] that corridor thing, that's exactly it."
    # "maple" in a reply to someone else is a word; a handle written out is a name anywhere.
    assert texts[3] == "We bring maple syrup cake to the group, [NAME] knows."
    assert [e.person for e in source.extracts][0] == "maple_and_moss"  # the author field stays
    assert source.redactions["NAME"] >= 3


def test_a_one_word_handle_is_a_name_unless_it_is_an_english_word(tmp_path):
    posts = [
        {"id": "p1", "thread": "Directory", "author": "willowbank", "date": "2026-03-02",
         "text": "I'm willowbank on here, after the street where I got well again."},
        {"id": "p2", "thread": "Apps", "author": "jojo_h", "date": "2026-03-03",
         "text": "I'm backing willowbank's directory instead of the app."},
        {"id": "p3", "thread": "Apps", "author": "sunflower", "date": "2026-03-03",
         "text": "We grow a sunflower by the door of the group."},
        {"id": "p4", "thread": "Apps", "parent": "p3", "author": "jojo_h", "date": "2026-03-04",
         "text": "A sunflower by the door is a lovely welcome."},
    ]  # fmt: skip
    source = _ingested(tmp_path, posts)
    texts = [e.text for e in source.extracts]
    assert texts[0] == "I'm [NAME] on here, after the street where I got well again."
    assert texts[1] == "I'm backing [NAME]'s directory instead of the app."
    # A handle that is an ordinary word stays a word, even in a reply to its author.
    assert texts[2:] == [posts[2]["text"], posts[3]["text"]]


def test_a_thread_author_posting_under_their_own_name_is_not_named_in_its_replies(tmp_path):
    posts = [
        {"id": "p1", "thread": "GPs", "author": "Ade O", "date": "2026-03-02",
         "text": "Not once did anyone at the surgery mention a carers group."},
        {"id": "p2", "thread": "GPs", "parent": "p1", "author": "ravi_socialprescriber",
         "date": "2026-03-03", "text": "Sadly normal Ade. The GPs don't think to refer people."},
        {"id": "p3", "thread": "Lemonade", "author": "jojo_h", "date": "2026-03-03",
         "text": "Ade was the name of a fizzy drink we sold at the group's stall."},
        {"id": "p4", "thread": "GPs", "parent": "p2", "author": "Ade O", "date": "2026-03-04",
         "text": "A lemonade and a chat would have done more than the leaflet."},
    ]  # fmt: skip
    source = _ingested(tmp_path, posts)
    texts = [e.text for e in source.extracts]
    assert texts[1] == "Sadly normal [NAME]. The GPs don't think to refer people."
    # Only in the threads where its owner posts, and only the word as written, capitalised.
    assert texts[2] == posts[2]["text"]
    assert texts[3] == posts[3]["text"]
    assert [e.person for e in source.extracts][0] == "Ade O"  # the author field stays
