"""The incident policy: severities, update cadences, statuses, roles and alert routes.

A team keeps its policy as a TOML file under review (the shipped default is
`warroom/default_policy.toml`). `parse_policy` turns the text into frozen domain
objects, or raises one `PolicyError` listing every problem found, one line
each, with the line number and the fix. Nothing here touches Slack, a database,
the clock or a file: `warroom.policy_file` reads the file.

This module is the public face; the machinery behind it is private:
`_policy_model` (the frozen objects), `_policy_source` (line numbers and names
in the TOML text), `_policy_checks` (collecting problems, reading typed values),
`_policy_read` (the rules for each section of the file) and, for the larger
sections, `_policy_permissions`, `_policy_alert_routes` and `_policy_status_page`.
"""

from __future__ import annotations

import tomllib

from warroom.domain._policy_checks import Check
from warroom.domain._policy_model import (
    ALERT_ACTIONS,
    AT_CADENCE,
    COMMANDER,
    LIFECYCLE,
    MAX_ALERT_ROUTES,
    MAX_ROLES,
    MAX_SEVERITIES,
    AlertAction,
    AlertRoute,
    BusinessHours,
    DigestPolicy,
    Policy,
    RoleDef,
    SeverityLevel,
    StatusDef,
    StatusPagePolicy,
)
from warroom.domain._policy_read import read_policy
from warroom.domain._policy_source import Locator, syntax_problem

__all__ = [
    "ALERT_ACTIONS",
    "AT_CADENCE",
    "COMMANDER",
    "LIFECYCLE",
    "MAX_ALERT_ROUTES",
    "MAX_ROLES",
    "MAX_SEVERITIES",
    "AlertAction",
    "AlertRoute",
    "BusinessHours",
    "DigestPolicy",
    "Policy",
    "PolicyError",
    "RoleDef",
    "SeverityLevel",
    "StatusDef",
    "StatusPagePolicy",
    "parse_policy",
]


class PolicyError(ValueError):
    """The policy file has problems; `problems` has one line per problem, with its fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def parse_policy(text: str, *, source: str = "<policy>") -> Policy:
    """Check `text` (TOML) as a whole and build the Policy, or raise PolicyError."""
    locate = Locator(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([syntax_problem(str(exc), text, source, locate)]) from None
    check = Check(source, locate)
    policy = read_policy(check, data)
    if check.problems:
        raise PolicyError(check.problems)
    return policy
