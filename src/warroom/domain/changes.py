"""What may change on an open incident, and how people name roles and values.

Pure rules: which statuses can be set from the controls (resolving and closing
have their own flow), how `/incident role ic` finds the Incident Commander,
and which severity change is an escalation to the top.
"""

from __future__ import annotations

from warroom.domain.policy import Policy, RoleDef, SeverityLevel, StatusDef

__all__ = [
    "InvalidChoice",
    "is_raise_to_top",
    "resolve_role",
    "resolve_settable_status",
    "resolve_severity",
]


class InvalidChoice(ValueError):
    """A value that is not one of `valid`; the message lists them for the user."""

    def __init__(self, kind: str, given: str, valid: list[str]) -> None:
        shown = given.strip() or "nothing"
        super().__init__(f"`{shown}` is not a {kind}. Use one of: {', '.join(valid)}.")
        self.kind = kind
        self.given = given
        self.valid = valid


def _names(role: RoleDef) -> set[str]:
    first_word = role.key.split("_")[0]
    return {
        role.key,
        role.short,
        role.name,
        role.key.replace("_", " "),
        role.key.replace("_", "-"),
        first_word,
    }


def resolve_role(policy: Policy, text: str) -> RoleDef:
    """`ic`, `IC`, `commander`, `Incident Commander`, `ops`, `ops_lead`, `comms`, ..."""
    wanted = " ".join(text.split()).casefold()
    for role in policy.roles:
        if wanted in {name.casefold() for name in _names(role)}:
            return role
    raise InvalidChoice("role", text, [r.short.lower() for r in policy.roles])


def resolve_severity(policy: Policy, text: str) -> SeverityLevel:
    try:
        return policy.severity(text)
    except KeyError:
        raise InvalidChoice("severity", text, list(policy.severity_keys())) from None


def resolve_settable_status(policy: Policy, text: str) -> StatusDef:
    wanted = text.strip().casefold()
    settable = policy.settable_statuses()
    for key in settable:
        status = policy.status(key)
        if wanted in {status.key.casefold(), status.label.casefold()}:
            return status
    raise InvalidChoice("status you can set here", text, list(settable))


def is_raise_to_top(policy: Policy, old: str, new: str) -> bool:
    """True when the incident moves into the most severe level from a lower one."""
    top = policy.severities[0].key
    return new == top and old != top
