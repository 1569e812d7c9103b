"""Who is in the demo: the workspace, its signing secret and the scripted people."""

__all__ = ["ANA", "BEN", "CHI", "DEE", "PEOPLE", "SECRET", "TEAM"]

SECRET = "warroom-demo-signing-secret"
TEAM = "T0WARROOM"
PEOPLE = {
    "UANA000001": "ana (on call)",
    "UBEN000002": "ben",
    "UCHI000003": "chi",
    "UDEE000004": "dee",
}
ANA, BEN, CHI, DEE = PEOPLE
