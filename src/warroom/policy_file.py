"""Reading the policy file: the one piece of I/O behind `warroom.domain.policy`."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from warroom.domain.policy import Policy, PolicyError, parse_policy

__all__ = ["load_policy"]


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
