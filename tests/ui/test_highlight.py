"""Search matches in bold without letting a person's words become markup: the Markdown the
app sends, rendered by a CommonMark parser, shows every mark a person typed literally."""

from __future__ import annotations

from markdown_it import MarkdownIt

from lab_app.ui.highlight import query_words, quote_markdown, shortened

RENDER = MarkdownIt("commonmark").render


def test_matches_are_bold_and_typed_markup_stays_text():
    text = "Peer support <b>bold</b> **saved** me, [click](http://evil.example) _now_ groups"
    html = RENDER(quote_markdown(text, query_words("saved by peer groups")))
    assert "<strong>Peer</strong>" in html and "<strong>groups</strong>" in html
    assert "**<strong>saved</strong>**" in html  # the typed asterisks shown as typed
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>" not in html
    assert "[click](http://evil.example)" in html and "<a " not in html
    assert "_now_" in html and "<em>" not in html
    assert "<strong>by</strong>" not in html and "support" in html  # "by" is not a search word


def test_marker_characters_in_the_text_cannot_open_bold():
    text = "a \ue000sneaky\ue001 word and support"
    html = RENDER(quote_markdown(text, query_words("support")))
    assert html.count("<strong>") == 1 and "<strong>support</strong>" in html


def test_stems_and_plurals_match_but_short_words_match_whole():
    assert query_words("The groups, what support?") == ["support", "group"]
    html = RENDER(quote_markdown("grouped group supporters sup", ["group", "sup"]))
    assert "<strong>grouped</strong> <strong>group</strong>" in html
    assert "supporters" in html and "<strong>supporters</strong>" not in html
    assert "<strong>sup</strong>" in html


def test_long_quotes_are_cut_at_a_word():
    text = "word " * 200
    short = shortened(text, 50)
    assert short.endswith(" …") and len(short) <= 52 and text.startswith(short[:-2])
    assert shortened("short", 50) == "short"
