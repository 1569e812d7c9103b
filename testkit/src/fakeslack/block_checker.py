"""One pass over a Block Kit payload, collecting what Slack would reject in it.

`fakeslack.limits` runs it; each problem is shaped like Slack's own
`response_metadata.messages` entries (without the leading ``[ERROR] ``).
"""

from __future__ import annotations

from typing import Any

from warroom.demo.slack.checks import Surface

__all__ = ["BlockChecker", "at"]

_SELECTS = {
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
}
_MULTI_SELECTS = {f"multi_{s}" for s in _SELECTS}
_PICKERS = {"datepicker", "timepicker", "datetimepicker"}
_INTERACTIVE = (
    {"button", "checkboxes", "overflow", "radio_buttons", "workflow_button"}
    | _SELECTS
    | _MULTI_SELECTS
    | _PICKERS
)
_ACTIONS_ELEMENTS = _INTERACTIVE | {"rich_text_input"}
_ACCESSORY_ELEMENTS = _INTERACTIVE | {"image"}
_INPUT_ELEMENTS = (
    {
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
        "file_input",
        "checkboxes",
        "radio_buttons",
    }
    | _SELECTS
    | _MULTI_SELECTS
    | _PICKERS
)
_BLOCK_TYPES = {
    "section",
    "divider",
    "header",
    "context",
    "actions",
    "input",
    "image",
    "file",
    "rich_text",
    "video",
    "markdown",
}


def at(message: str, pointer: str) -> str:
    return f"{message} [json-pointer:{pointer}]"


class BlockChecker:
    def __init__(self, surface: Surface) -> None:
        self.surface = surface
        self.problems: list[str] = []
        self.block_ids: set[str] = set()

    def add(self, message: str, pointer: str) -> None:
        self.problems.append(at(message, pointer))

    # -- primitives ---------------------------------------------------------

    def string(self, obj: dict[str, Any], key: str, ptr: str, max_len: int) -> None:
        value = obj.get(key)
        if value is None:
            return
        if not isinstance(value, str):
            self.add("must be a string", f"{ptr}/{key}")
        elif len(value) > max_len:
            self.add(f"must be less than {max_len + 1} characters", f"{ptr}/{key}")

    def text(
        self,
        obj: Any,
        ptr: str,
        *,
        max_len: int,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        if obj is None:
            if required:
                self.add("must provide an object", ptr)
            return
        if not isinstance(obj, dict):
            self.add("must provide an object", ptr)
            return
        kind = obj.get("type")
        if kind not in ("plain_text", "mrkdwn"):
            self.add("must be either plain_text or mrkdwn", f"{ptr}/type")
        elif plain_only and kind != "plain_text":
            self.add("must be plain_text", f"{ptr}/type")
        value = obj.get("text")
        if not isinstance(value, str) or value == "":
            self.add("must be more than 0 characters", f"{ptr}/text")
        elif len(value) > max_len:
            self.add(f"must be less than {max_len + 1} characters", f"{ptr}/text")

    def items(self, obj: dict[str, Any], key: str, ptr: str, max_items: int) -> list[Any]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add("must provide an array", f"{ptr}/{key}")
            return []
        if len(value) > max_items:
            self.add(f"no more than {max_items} items allowed", f"{ptr}/{key}")
        return value

    def confirm(self, obj: Any, ptr: str) -> None:
        if obj is None:
            return
        if not isinstance(obj, dict):
            self.add("must provide an object", ptr)
            return
        self.text(obj.get("title"), f"{ptr}/title", max_len=100, plain_only=True)
        self.text(obj.get("text"), f"{ptr}/text", max_len=300)
        self.text(obj.get("confirm"), f"{ptr}/confirm", max_len=30, plain_only=True)
        self.text(obj.get("deny"), f"{ptr}/deny", max_len=30, plain_only=True)

    def option(self, obj: Any, ptr: str, *, plain_only: bool) -> None:
        if not isinstance(obj, dict):
            self.add("must provide an object", ptr)
            return
        self.text(obj.get("text"), f"{ptr}/text", max_len=75, plain_only=plain_only)
        value = obj.get("value")
        if not isinstance(value, str) or value == "":
            self.add("must be more than 0 characters", f"{ptr}/value")
        else:
            self.string(obj, "value", ptr, 150)
        self.text(
            obj.get("description"),
            f"{ptr}/description",
            max_len=75,
            plain_only=plain_only,
            required=False,
        )
        self.string(obj, "url", ptr, 3000)

    def options(self, el: dict[str, Any], ptr: str, max_items: int, *, plain_only: bool) -> None:
        for i, opt in enumerate(self.items(el, "options", ptr, max_items)):
            self.option(opt, f"{ptr}/options/{i}", plain_only=plain_only)
        # A preselected option is an option object too, held to the same limits.
        if "initial_option" in el:
            self.option(el["initial_option"], f"{ptr}/initial_option", plain_only=plain_only)
        for i, opt in enumerate(self.items(el, "initial_options", ptr, max_items)):
            self.option(opt, f"{ptr}/initial_options/{i}", plain_only=plain_only)
        for i, group in enumerate(self.items(el, "option_groups", ptr, 100)):
            gptr = f"{ptr}/option_groups/{i}"
            if not isinstance(group, dict):
                self.add("must provide an object", gptr)
                continue
            self.text(group.get("label"), f"{gptr}/label", max_len=75, plain_only=True)
            for j, opt in enumerate(self.items(group, "options", gptr, 100)):
                self.option(opt, f"{gptr}/options/{j}", plain_only=True)

    # -- elements -----------------------------------------------------------

    def element(self, el: Any, ptr: str, allowed: set[str]) -> str | None:
        if not isinstance(el, dict):
            self.add("must provide an object", ptr)
            return None
        kind = el.get("type")
        if not isinstance(kind, str):
            self.add("missing required field: type", ptr)
            return None
        if kind not in allowed:
            self.add(f"unsupported type: {kind}", f"{ptr}/type")
            return kind
        self.string(el, "action_id", ptr, 255)
        self.confirm(el.get("confirm"), f"{ptr}/confirm")
        if "placeholder" in el:
            self.text(el["placeholder"], f"{ptr}/placeholder", max_len=150, plain_only=True)
        if kind in ("button", "workflow_button"):
            self.text(el.get("text"), f"{ptr}/text", max_len=75, plain_only=True)
            self.string(el, "value", ptr, 2000)
            self.string(el, "url", ptr, 3000)
            self.string(el, "accessibility_label", ptr, 75)
            style = el.get("style")
            if style is not None and style not in ("primary", "danger"):
                self.add("must be one of primary, danger", f"{ptr}/style")
        elif kind in ("static_select", "multi_static_select"):
            if "options" not in el and "option_groups" not in el:
                self.add("must provide options or option_groups", ptr)
            self.options(el, ptr, 100, plain_only=True)
        elif kind == "overflow":
            self.options(el, ptr, 5, plain_only=True)
        elif kind in ("radio_buttons", "checkboxes"):
            self.options(el, ptr, 10, plain_only=False)
        elif kind == "plain_text_input":
            for key in ("max_length", "min_length"):
                value = el.get(key)
                if value is not None and (not isinstance(value, int) or not 0 <= value <= 3000):
                    self.add("must be between 0 and 3000", f"{ptr}/{key}")
            self.string(el, "initial_value", ptr, 3000)
        elif kind == "image":
            self.image(el, ptr)
        return kind

    def image(self, el: dict[str, Any], ptr: str) -> None:
        if "image_url" not in el and "slack_file" not in el:
            self.add("must provide image_url or slack_file", ptr)
        self.string(el, "image_url", ptr, 3000)
        alt = el.get("alt_text")
        if not isinstance(alt, str) or alt == "":
            self.add("must be more than 0 characters", f"{ptr}/alt_text")
        else:
            self.string(el, "alt_text", ptr, 2000)

    # -- blocks -------------------------------------------------------------

    def block(self, block: Any, ptr: str) -> None:
        if not isinstance(block, dict):
            self.add("must provide an object", ptr)
            return
        kind = block.get("type")
        if not isinstance(kind, str):
            self.add("missing required field: type", ptr)
            return
        if kind not in _BLOCK_TYPES:
            self.add(f"unsupported type: {kind}", f"{ptr}/type")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            self.string(block, "block_id", ptr, 255)
            if isinstance(block_id, str):
                if block_id in self.block_ids:
                    self.add(f"duplicate block_id: {block_id}", f"{ptr}/block_id")
                self.block_ids.add(block_id)
        getattr(self, f"block_{kind}")(block, ptr)

    def block_section(self, block: dict[str, Any], ptr: str) -> None:
        if "text" not in block and "fields" not in block:
            self.add("must provide text or fields", ptr)
        if "text" in block:
            self.text(block["text"], f"{ptr}/text", max_len=3000)
        for i, field in enumerate(self.items(block, "fields", ptr, 10)):
            self.text(field, f"{ptr}/fields/{i}", max_len=2000)
        if "accessory" in block:
            self.element(block["accessory"], f"{ptr}/accessory", _ACCESSORY_ELEMENTS)

    def block_divider(self, block: dict[str, Any], ptr: str) -> None:
        return None

    def block_header(self, block: dict[str, Any], ptr: str) -> None:
        self.text(block.get("text"), f"{ptr}/text", max_len=150, plain_only=True)

    def block_context(self, block: dict[str, Any], ptr: str) -> None:
        elements = self.items(block, "elements", ptr, 10)
        if not elements:
            self.add("must provide at least 1 item", f"{ptr}/elements")
        for i, el in enumerate(elements):
            eptr = f"{ptr}/elements/{i}"
            if isinstance(el, dict) and el.get("type") == "image":
                self.image(el, eptr)
            else:
                # Any text object holds 3,000 characters; Warroom itself budgets 2,000 here.
                self.text(el, eptr, max_len=3000)

    def block_actions(self, block: dict[str, Any], ptr: str) -> None:
        elements = self.items(block, "elements", ptr, 25)
        if not elements:
            self.add("must provide at least 1 item", f"{ptr}/elements")
        seen: set[str] = set()
        for i, el in enumerate(elements):
            self.element(el, f"{ptr}/elements/{i}", _ACTIONS_ELEMENTS)
            action_id = el.get("action_id") if isinstance(el, dict) else None
            if isinstance(action_id, str):
                if action_id in seen:
                    self.add(f"duplicate action_id: {action_id}", f"{ptr}/elements/{i}/action_id")
                seen.add(action_id)

    def block_input(self, block: dict[str, Any], ptr: str) -> None:
        if self.surface == "message":
            self.add("input blocks are only supported in modals and home tabs", f"{ptr}/type")
        self.text(block.get("label"), f"{ptr}/label", max_len=2000, plain_only=True)
        if "hint" in block:
            self.text(block["hint"], f"{ptr}/hint", max_len=2000, plain_only=True)
        if "element" not in block:
            self.add("missing required field: element", ptr)
        else:
            self.element(block["element"], f"{ptr}/element", _INPUT_ELEMENTS)

    def block_image(self, block: dict[str, Any], ptr: str) -> None:
        self.image(block, ptr)
        if "title" in block:
            self.text(block["title"], f"{ptr}/title", max_len=2000, plain_only=True)

    def block_file(self, block: dict[str, Any], ptr: str) -> None:
        for key in ("external_id", "source"):
            if not isinstance(block.get(key), str):
                self.add(f"missing required field: {key}", ptr)

    def block_rich_text(self, block: dict[str, Any], ptr: str) -> None:
        if not isinstance(block.get("elements"), list):
            self.add("missing required field: elements", ptr)

    def block_video(self, block: dict[str, Any], ptr: str) -> None:
        for key in ("video_url", "thumbnail_url", "alt_text"):
            if not isinstance(block.get(key), str):
                self.add(f"missing required field: {key}", ptr)
        self.text(block.get("title"), f"{ptr}/title", max_len=200, plain_only=True)

    def block_markdown(self, block: dict[str, Any], ptr: str) -> None:
        value = block.get("text")
        if not isinstance(value, str) or value == "":
            self.add("must be more than 0 characters", f"{ptr}/text")
        else:
            self.string(block, "text", ptr, 12000)
