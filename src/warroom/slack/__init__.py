"""The way out to Slack: the Web API client and gateway (every call, its errors and
retries), Block Kit builders (domain in, payload out) and mrkdwn escaping. The way in
(the Bolt app and its listeners) is `warroom.bolt`."""
