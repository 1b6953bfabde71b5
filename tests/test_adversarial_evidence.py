"""Redaction and abbreviation over adversarial evidence: linear, bounded, no raw bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.abbreviate import abbreviate_document
from reports.redact import REDACTED, redact

SECRET = "adversarial-secret-value-9f2"
PIECES = st.sampled_from(
    ['custom_attributes="', "CustomAttributes: ", "x-amz-security-token=", '\\"', "'", '"',
     "\\", "\x00", "\r\n", " ", "a", "AKIA", "Bearer ", "-u '"]
)


@settings(max_examples=30, deadline=None)
@given(pieces=st.lists(PIECES, max_size=200), repeat=st.integers(1, 2000))
def test_adversarial_evidence_is_redacted_and_abbreviated_in_linear_time(
    pieces: list[str], repeat: int
) -> None:
    text = "".join(pieces) * repeat
    planted = f"{text}\nX-Amzn-SageMaker-Custom-Attributes: {SECRET}\n{text}"
    document = abbreviate_document(redact({"e": planted, "h": {"CustomAttributes": SECRET}}))
    assert SECRET not in str(document)
    assert REDACTED in document["h"]["CustomAttributes"]
    assert "\x00" not in str(document)


def test_the_backtracking_case_of_issue_14_finishes() -> None:
    # Backtracking took hours at 50 backslashes; the scan reads a million once.
    redacted = redact({"e": 'custom_attributes="' + "\\" * 1_000_000})
    assert redacted["e"].startswith(f'custom_attributes="{REDACTED}')
