"""`kit` gives the JSON slack_sdk's models give, piece by piece."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from warroom.slack.blocks import kit


def test_text_and_options() -> None:
    assert kit.plain("Take IC") == PlainTextObject(text="Take IC", emoji=True).to_dict()
    assert kit.mrkdwn_text("*x*") == MarkdownTextObject(text="*x*").to_dict()
    assert kit.option("SEV1", "SEV1 · Critical") == (
        Option(value="SEV1", text=PlainTextObject(text="SEV1 · Critical")).to_dict()
    )
    described = Option(
        value="p", text=PlainTextObject(text="Private"), description=PlainTextObject(text="why")
    )
    assert kit.option("p", "Private", "why") == described.to_dict()


def test_blocks() -> None:
    button = ButtonElement(action_id="a", text="Go", value="7", style="primary")
    assert kit.button("a", "Go", value="7", style="primary") == button.to_dict()
    assert (
        kit.button("a", "Go", value="7")
        == ButtonElement(action_id="a", text="Go", value="7").to_dict()
    )
    assert (
        kit.header("🚨 INC-1", block_id="h") == HeaderBlock(block_id="h", text="🚨 INC-1").to_dict()
    )
    assert kit.divider() == DividerBlock().to_dict()
    assert kit.context("note") == ContextBlock(elements=[MarkdownTextObject(text="note")]).to_dict()
    full = SectionBlock(
        block_id="s",
        text=MarkdownTextObject(text="t"),
        fields=[MarkdownTextObject(text="f1"), MarkdownTextObject(text="f2")],
        accessory=ButtonElement(action_id="a", text="Go", value="7"),
    )
    assert (
        kit.section(
            "t", block_id="s", fields=["f1", "f2"], accessory=kit.button("a", "Go", value="7")
        )
        == full.to_dict()
    )
    assert (
        kit.section(fields=["f"]) == SectionBlock(fields=[MarkdownTextObject(text="f")]).to_dict()
    )


def test_selects_actions_and_inputs() -> None:
    options = [Option(value=v, text=PlainTextObject(text=v)) for v in ("a", "b")]
    select = StaticSelectElement(
        action_id="s", placeholder="Pick", options=options, initial_option=options[1]
    )
    shown = [kit.option(v, v) for v in ("a", "b")]
    assert kit.static_select("s", "Pick", shown, shown[1]) == select.to_dict()
    assert kit.static_select("s", "Pick", shown) == (
        StaticSelectElement(action_id="s", placeholder="Pick", options=options).to_dict()
    )
    block = ActionsBlock(
        block_id="c", elements=[ButtonElement(action_id="a", text="Go", value="1")]
    )
    assert kit.actions([kit.button("a", "Go", value="1")], block_id="c") == block.to_dict()
    element = PlainTextInputElement(action_id="value", multiline=True, max_length=5)
    model = InputBlock(block_id="i", label="Impact", hint="h", optional=True, element=element)
    shaped = {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 5}
    assert kit.input_block("i", "Impact", shaped, hint="h", optional=True) == model.to_dict()
    boxes = CheckboxesElement(action_id="value", options=options)
    assert kit.input_block("j", "V", boxes.to_dict()) == (
        InputBlock(block_id="j", label="V", element=boxes).to_dict()
    )
