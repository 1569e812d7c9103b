from warroom.bolt.command_text import mentioned_users, parse_command_text, plain


def test_subcommand_is_case_insensitive_and_rest_is_kept_escaped() -> None:
    parsed = parse_command_text("  ROLE ic <@U123|alice>  ")
    assert parsed.subcommand == "role" and parsed.rest == "ic <@U123|alice>"
    assert parse_command_text("").subcommand == "" and parse_command_text(None).rest == ""


def test_plain_text_as_typed() -> None:
    assert plain("DB &amp; cache &lt;down&gt;") == "DB & cache <down>"
    assert plain("ask <@U1|alice> in <#C9|ops>") == "ask @alice in #ops"
    assert (
        plain("see <https://status.example.com|status page>")
        == "see status page (https://status.example.com)"
    )
    assert plain("see <https://x.example>") == "see https://x.example"
    assert plain("<!channel> down") == "@channel down"


def test_mentioned_users() -> None:
    assert mentioned_users("ic <@U1|alice> and <@W2> not @bob") == ["U1", "W2"]
