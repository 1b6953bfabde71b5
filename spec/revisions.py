"""The API revisions of InvokeEndpointAsync, oldest first.

The service model only ever grew; an implementation may lag behind it, so a
target declares the revision it implements and is judged only on what that
revision defines. Sources: the API change notices (FACTS.md, "API revisions").
"""

from __future__ import annotations

from types import MappingProxyType

REVISIONS: tuple[str, ...] = ("2021-08", "2023-01", "2023-04", "2026-02", "2026")
"""Every known revision, oldest first."""

CURRENT: str = REVISIONS[-1]
"""The newest revision: the one botocore's model describes."""

ALIASES: MappingProxyType[str, str] = MappingProxyType({"current": CURRENT, "latest": CURRENT})

DESCRIPTIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "2021-08": "the operation: EndpointName, ContentType, Accept, CustomAttributes, "
        "InferenceId, InputLocation (required), RequestTTLSeconds; "
        "response InferenceId and OutputLocation (API change notice 2021-08-18)",
        "2023-01": "InvocationTimeoutSeconds (AWS API change log)",
        "2023-04": "FailureLocation: failures stored in S3 (AWS API change log)",
        "2026-02": "S3OutputPathExtension and Filename (AWS API change log)",
        "2026": "inline Body; exactly one of Body and InputLocation (botocore >= 1.44)",
    }
)

# The revision that introduced each request and response member of the model. A member
# missing here is one AWS added after this table was written: it is taken as CURRENT.
MEMBER_REVISIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "EndpointName": "2021-08",
        "ContentType": "2021-08",
        "Accept": "2021-08",
        "CustomAttributes": "2021-08",
        "InferenceId": "2021-08",
        "InputLocation": "2021-08",
        "RequestTTLSeconds": "2021-08",
        "OutputLocation": "2021-08",
        "InvocationTimeoutSeconds": "2023-01",
        "FailureLocation": "2023-04",
        "S3OutputPathExtension": "2026-02",
        "Filename": "2026-02",
        "Body": "2026",
    }
)

# Members that were required before the given revision and optional from it on.
REQUIRED_BEFORE: MappingProxyType[str, str] = MappingProxyType({"InputLocation": "2026"})

# Groups of members of which a request carries exactly one, from the given revision on.
EXACTLY_ONE_OF: tuple[tuple[tuple[str, ...], str], ...] = ((("Body", "InputLocation"), "2026"),)


class UnknownRevision(ValueError):
    """A revision name that is neither in REVISIONS nor an alias."""


def normalize(name: str) -> str:
    """Return the canonical revision for ``name`` (``current``/``latest`` map to CURRENT)."""
    key = str(name).strip()
    key = ALIASES.get(key.lower(), key)
    if key not in REVISIONS:
        known = ", ".join((*REVISIONS, *ALIASES))
        raise UnknownRevision(f"unknown API revision {name!r}; known: {known}")
    return key


def index(name: str) -> int:
    """Position of a revision in REVISIONS (0 = oldest)."""
    return REVISIONS.index(normalize(name))


def includes(target_revision: str, introduced: str) -> bool:
    """True when a target implementing ``target_revision`` has what ``introduced`` added."""
    return index(introduced) <= index(target_revision)


def member_revision(member: str) -> str:
    """The revision that introduced a model member (CURRENT for a member not yet listed)."""
    return MEMBER_REVISIONS.get(member, CURRENT)
