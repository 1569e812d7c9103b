"""`warroom demo`: one whole incident, start to postmortem, with no Slack account.

Everything real runs: the ASGI app over HTTP on 127.0.0.1, the Bolt listeners,
the services, the scheduler and a SQLite store. Only Slack is stood in for, by
`warroom.demo.slack`, and the people are scripted: they type commands, fill in
modals, press buttons and chat exactly as Slack would deliver it. The clock is
moved by hand so the reminders fall due without waiting. What each person
would have seen is printed as a transcript.
"""

from warroom.demo.run import run_demo

__all__ = ["run_demo"]
