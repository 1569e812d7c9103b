"""Block Kit builders: pure functions from domain objects to Slack payloads.

Built through `slack_sdk.models`, whose `to_dict()` enforces Slack's field
limits, so an overlong payload fails in a test instead of in front of a
responder. User text is cut to the limit of the place it is shown with
`limits.clip` (after escaping), so what people type never fails a post.
No builder reads the database or calls Slack.
"""
