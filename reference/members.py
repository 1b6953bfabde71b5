"""The request members of InvokeEndpointAsync and their constraints, read from botocore.

The reference is a target, not part of the suite, so it takes its constraints
where any clone would: the AWS service model botocore ships. The model writes
patterns in Java regex syntax; `python_pattern` translates the few constructs it
uses, and every pattern is matched against the whole value (Java `matches()`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import botocore.session

SERVICE = "sagemaker-runtime"
OPERATION = "InvokeEndpointAsync"

# Java character classes the model uses, as Python classes.
_JAVA_CLASSES = {r"\p{ASCII}": r"\x00-\x7F", r"\p{Print}": r"\x20-\x7E"}


def python_pattern(java: str) -> str:
    out = java
    for java_class, python_class in _JAVA_CLASSES.items():
        # Inside brackets the class is spliced in; outside it becomes a bracket.
        out = out.replace(f"[{java_class}]", f"[{python_class}]")
        out = out.replace(java_class, f"[{python_class}]")
    out = out.replace(r"\z", r"\Z")
    # `[a-zA-Z0-9-_\.]`: a hyphen after a range is literal in Java; make it explicit
    # so Python does not warn about a possible set difference.
    return out.replace("0-9-_", r"0-9\-_")


@dataclass(frozen=True)
class Member:
    """One input member: where it travels and what it must satisfy."""

    name: str
    location: str  # "uri", "header" or "payload"
    wire_name: str
    type_name: str  # "string", "integer" or "blob"
    min: int | None
    max: int | None
    pattern: re.Pattern[str] | None
    sensitive: bool
    required: bool

    def matches(self, value: str) -> bool:
        return self.pattern is None or self.pattern.fullmatch(value) is not None


@cache
def input_members() -> dict[str, Member]:
    model = botocore.session.get_session().get_service_model(SERVICE)
    shape = model.operation_model(OPERATION).input_shape
    payload = shape.serialization.get("payload")
    members: dict[str, Member] = {}
    for name, member in shape.members.items():
        meta = member.metadata
        location = "payload" if name == payload else member.serialization.get("location", "body")
        pattern = meta.get("pattern")
        members[name] = Member(
            name=name,
            location=location,
            wire_name=member.serialization.get("name", name),
            type_name=member.type_name,
            min=meta.get("min"),
            max=meta.get("max"),
            pattern=re.compile(python_pattern(pattern)) if pattern else None,
            sensitive=bool(meta.get("sensitive")),
            required=name in shape.required_members,
        )
    return members


def header_members() -> dict[str, Member]:
    """Header members keyed by lower-cased header name."""
    return {m.wire_name.lower(): m for m in input_members().values() if m.location == "header"}
