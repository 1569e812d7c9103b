"""The incident policy: severities, update cadences, statuses and roles.

A team keeps its policy as a TOML file under review (the shipped default is
`warroom/default_policy.toml`). `parse_policy` turns the text into frozen domain
objects, or raises one `PolicyError` listing every problem found, one line
each, with the line number and the fix. Nothing here touches Slack, a database
or the clock; `load_policy` reads one file and that is all the I/O there is.

This module is the public face; the machinery behind it is private:
`_policy_model` (the frozen objects), `_policy_source` (line numbers and names
in the TOML text), `_policy_checks` (collecting problems, reading typed values)
and `_policy_read` (the rules for each section of the file).
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

from warroom.domain._policy_checks import Check
from warroom.domain._policy_model import (
    COMMANDER,
    LIFECYCLE,
    MAX_ROLES,
    MAX_SEVERITIES,
    BusinessHours,
    Policy,
    RoleDef,
    SeverityLevel,
    StatusDef,
)
from warroom.domain._policy_read import read_policy
from warroom.domain._policy_source import Locator, syntax_problem

__all__ = [
    "COMMANDER",
    "LIFECYCLE",
    "MAX_ROLES",
    "MAX_SEVERITIES",
    "BusinessHours",
    "Policy",
    "PolicyError",
    "RoleDef",
    "SeverityLevel",
    "StatusDef",
    "load_policy",
    "parse_policy",
]


class PolicyError(ValueError):
    """The policy file has problems; `problems` has one line per problem, with its fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def load_policy(path: Path | None = None) -> Policy:
    """Read and check the policy at `path`, or the shipped default when it is None."""
    if path is None:
        text = files("warroom").joinpath("default_policy.toml").read_text(encoding="utf-8")
        return parse_policy(text, source="warroom/default_policy.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError([f"{path}: cannot be read ({exc.strerror}); check the path"]) from None
    except UnicodeDecodeError:
        raise PolicyError([f"{path}: is not UTF-8 text; save it as UTF-8"]) from None
    return parse_policy(text, source=str(path))


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
