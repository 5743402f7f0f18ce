"""Every page of the app renders on the demo Lab without an exception."""

import pytest

PAGES = ["overview", "explore", "map", "timeline", "ideas", "tensions", "sources", "themes",
         "contributions", "essays", "find_people", "exchange", "exchange_staff", "statements",
         "my_words"]  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(open_page, page):
    at = open_page(page)
    assert not at.exception, at.exception
    assert at.title and at.title[0].value
