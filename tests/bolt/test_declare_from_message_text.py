"""The declare form's title and impact, read from the message it was opened from."""

from __future__ import annotations

from warroom.bolt.listeners.declare import impact_from_message, title_from_message


def test_the_title_is_the_first_line_said_readable_and_unformatted() -> None:
    text = "\n\n&gt; *Checkout* is _down_ for <@U1|alice> in <#C1|ops> ~again~ `500`\nmore"
    assert title_from_message(text) == "Checkout is down for @alice in #ops again 500"


def test_links_read_as_their_label_and_snake_case_keeps_its_underscores() -> None:
    text = "<https://status.example|status page> says payment_api is red"
    assert (
        title_from_message(text) == "status page (https://status.example) says payment_api is red"
    )


def test_the_title_is_cut_to_its_limit_with_an_ellipsis() -> None:
    title = title_from_message("word " * 100)
    assert len(title) <= 120 and title.endswith("…")


def test_the_impact_is_the_whole_message_readable_and_cut() -> None:
    assert impact_from_message("a <!channel>\nb &amp; c") == "a @channel\nb & c"
    assert len(impact_from_message("x" * 5000)) <= 2000


def test_an_empty_message_prefills_nothing() -> None:
    assert title_from_message("") == "" == impact_from_message("  ")
    assert title_from_message("***\n```") == ""
