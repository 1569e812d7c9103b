import pytest

from warroom.domain.changes import (
    InvalidChoice,
    is_raise_to_top,
    resolve_role,
    resolve_settable_status,
    resolve_severity,
)
from warroom.policy_file import load_policy

POLICY = load_policy()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ic", "commander"),
        ("IC", "commander"),
        ("commander", "commander"),
        ("Incident  Commander", "commander"),
        ("ops", "ops_lead"),
        ("ops_lead", "ops_lead"),
        ("Ops lead", "ops_lead"),
        ("comms", "comms_lead"),
        ("comms-lead", "comms_lead"),
        ("scribe", "scribe"),
    ],
)
def test_role_names_people_use(text: str, key: str) -> None:
    assert resolve_role(POLICY, text).key == key


def test_unknown_role_lists_valid_ones() -> None:
    with pytest.raises(InvalidChoice) as caught:
        resolve_role(POLICY, "boss")
    assert "`boss` is not a role" in str(caught.value) and "ic" in caught.value.valid


def test_severity_and_status() -> None:
    assert resolve_severity(POLICY, "sev1").key == "SEV1"
    with pytest.raises(InvalidChoice, match="SEV1, SEV2, SEV3, SEV4"):
        resolve_severity(POLICY, "SEV9")
    assert resolve_settable_status(POLICY, "Mitigated").key == "mitigated"
    for text in ("resolved", "closed", "done", ""):
        with pytest.raises(InvalidChoice, match="investigating, identified, mitigated"):
            resolve_settable_status(POLICY, text)


def test_raise_to_top() -> None:
    assert is_raise_to_top(POLICY, "SEV2", "SEV1")
    assert not is_raise_to_top(POLICY, "SEV1", "SEV1")
    assert not is_raise_to_top(POLICY, "SEV1", "SEV2")
