"""Who is in the demo: the workspace, its signing secret and the scripted people."""

__all__ = [
    "ANA",
    "BEN",
    "CHI",
    "DEE",
    "NAMES",
    "ORG_ZONE",
    "PEOPLE",
    "SECRET",
    "TEAM",
    "ZONES",
]

SECRET = "warroom-demo-signing-secret"
TEAM = "T0WARROOM"
PEOPLE = {
    "UANA000001": "ana (on call)",
    "UBEN000002": "ben",
    "UCHI000003": "chi",
    "UDEE000004": "dee",
}
ANA, BEN, CHI, DEE = PEOPLE
NAMES = {ANA: "Ana Lopez", BEN: "Ben Okafor", CHI: "Chi Nguyen", DEE: "Dee Walsh"}
"""Their display names in Slack: what the postmortem shows."""
ZONES = {ANA: "Europe/Madrid", BEN: "America/New_York", CHI: "Asia/Singapore", DEE: "Europe/London"}
ORG_ZONE = "Europe/Madrid"
"""The organisation's zone (the policy's `timezone`): where the on-call is, and what the
transcript, its fallbacks and the postmortem use."""
