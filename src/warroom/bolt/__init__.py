"""The way in from Slack: the Bolt app, its listeners (parse, call one service, render,
send), delivery claims and authorization. The way out (gateway, Block Kit) is
`warroom.slack`."""
