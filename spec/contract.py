"""The request and response members of InvokeEndpointAsync as data, as of a revision.

Read from the OpenAPI document (``spec.openapi``), so there is one source of truth.
``Contract.check(params)`` judges boto3-style parameters against the model's
constraints with AWS's semantics: lengths in Java ``String.length()`` units
(UTF-16 code units; bytes for the blob Body), patterns matching the whole value,
and exactly one of Body/InputLocation where the revision says so. It is what the
strategies label their invalid requests by and what a validating server can use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

from spec import revisions
from spec.catalogue import load_catalogue
from spec.openapi import load_openapi, operation
from spec.patterns import compiled, translate

Location = Literal["path", "header", "body"]
MemberType = Literal["string", "integer", "blob"]
KINDS: tuple[str, ...] = (
    "max_length",
    "min_length",
    "pattern",
    "minimum",
    "maximum",
    "missing_required",
    "exclusive",
    "type",
)


def _constraint_behaviours() -> Mapping[tuple[str, str], str]:
    table = {}
    for behaviour in load_catalogue():
        for constraint in behaviour.constraints:
            member, kind = constraint.split(".")
            table[(member, kind)] = behaviour.id
    return MappingProxyType(table)


# (member, kind of violation) -> the catalogue behaviour a target breaks by accepting it:
# derived from the catalogue's `constraints` (one table, spec/behaviours.toml), in its order.
BEHAVIOURS: Mapping[tuple[str, str], str] = _constraint_behaviours()

# Violations only non-ASCII or white space can express (the pattern of ContentType, Accept and
# CustomAttributes is \p{ASCII}*; InferenceId's \p{Print} is broken in transmittable text only
# by a non-ASCII character or an inner TAB). A server may read header octets as ISO-8859-1
# (RFC 9110 obs-text) or canonicalize white space as AWS's SigV4 description says (spaces only,
# where botocore collapses tabs too) and so fail the signature before it validates: for these
# the MUST is "rejected and never queued" with either answer, and 400 ValidationError is the
# SHOULD this maps each MUST to (FACTS.md: non-ASCII and white space in headers): each MUST's
# `preferred_answer` in the catalogue.
HEADER_OCTET_RULE: Mapping[str, str] = MappingProxyType(
    {b.id: b.preferred_answer for b in load_catalogue() if b.preferred_answer}
)
# Error types of a 403 that fails the signature (AWS JSON services; S3-style for other stacks).
SIGNATURE_ERROR_TYPES: tuple[str, ...] = ("InvalidSignatureException", "SignatureDoesNotMatch")
HEADER_OCTET_RULE_TEXT = (
    "rejected with 400 ValidationError, or with 403 naming a signature error "
    f"({' or '.join(SIGNATURE_ERROR_TYPES)}): only non-ASCII or white space breaks this "
    "constraint, and a server that reads header octets as ISO-8859-1 or canonicalizes only "
    "spaces in SigV4 fails the signature before it validates; never queued either way"
)


@dataclass(frozen=True)
class Violation:
    """One broken constraint: which member, what kind (see KINDS), the behaviour ID."""

    member: str
    kind: str
    behaviour: str | None
    detail: str

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.member, self.kind, self.behaviour)


@dataclass(frozen=True)
class Member:
    """A request member: where it goes on the wire and what the model constrains."""

    name: str
    location: Location
    wire_name: str
    type: MemberType
    revision: str
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None  # Python, whole-value (use with re.search)
    ecma_pattern: str | None = None
    java_pattern: str | None = None
    sensitive: bool = False
    default: int | None = None

    def matches(self, value: str) -> bool:
        """True when ``value`` satisfies this member's pattern (or it has none)."""
        return self.pattern is None or compiled(self.pattern).search(value) is not None


@dataclass(frozen=True)
class ResponseMember:
    name: str
    location: Literal["header", "body"]
    wire_name: str
    revision: str
    required: bool


@dataclass(frozen=True)
class Contract:
    """InvokeEndpointAsync as of one revision."""

    revision: str
    method: str
    path_template: str
    success_status: int
    members: tuple[Member, ...]
    response_members: tuple[ResponseMember, ...]
    exactly_one_of: tuple[tuple[str, ...], ...] = ()
    error_statuses: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    def member(self, name: str) -> Member:
        for member in self.members:
            if member.name == name:
                return member
        known = ", ".join(m.name for m in self.members)
        raise KeyError(f"no request member {name!r} at revision {self.revision}; known: {known}")

    def has(self, name: str) -> bool:
        return any(m.name == name for m in self.members)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members)

    @property
    def header_names(self) -> tuple[str, ...]:
        """Wire names of the supported request headers, as the model spells them."""
        return tuple(m.wire_name for m in self.members if m.location == "header")

    def check(self, params: Mapping[str, Any]) -> tuple[Violation, ...]:
        """Every constraint ``params`` (boto3 keyword arguments) breaks, at most one per member.

        Per member the first failing check is reported, in the order type,
        min_length, max_length, pattern, minimum, maximum. A parameter this
        revision does not define is reported with kind ``unknown_member``. An empty
        Body is treated as absent: on the wire the two cannot be told apart.
        """
        found: list[Violation] = []
        for name, value in params.items():
            if value is None:
                continue
            if not self.has(name):
                found.append(
                    Violation(name, "unknown_member", None, f"not a member at {self.revision}")
                )
                continue
            violation = _check_member(self.member(name), value)
            if violation is not None:
                found.append(violation)
        present = {n for n, v in params.items() if v is not None and not (n == "Body" and v == b"")}
        grouped = {name for group in self.exactly_one_of for name in group}
        for member in self.members:
            if member.required and member.name not in present and member.name not in grouped:
                found.append(_violation(member.name, "missing_required", "required member absent"))
        for group in self.exactly_one_of:
            given = [name for name in group if name in present]
            if not given:
                found.append(
                    _violation(
                        group[-1], "missing_required", f"none of {' and '.join(group)} present"
                    )
                )
            elif len(given) > 1:
                found.append(
                    _violation(group[0], "exclusive", f"{' and '.join(given)} are exclusive")
                )
        return tuple(found)


def _violation(member: str, kind: str, detail: str) -> Violation:
    return Violation(member, kind, BEHAVIOURS.get((member, kind)), detail)


def java_length(value: str) -> int:
    """``String.length()`` in Java: UTF-16 code units."""
    return len(value.encode("utf-16-le")) // 2


def _check_member(member: Member, value: Any) -> Violation | None:
    name = member.name
    if member.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return _violation(name, "type", f"{value!r} is not an integer")
        if member.minimum is not None and value < member.minimum:
            return _violation(name, "minimum", f"{value} < {member.minimum}")
        if member.maximum is not None and value > member.maximum:
            return _violation(name, "maximum", f"{value} > {member.maximum}")
        return None
    if member.type == "blob":
        if isinstance(value, str):
            value = value.encode("utf-8")
        if not isinstance(value, bytes | bytearray):
            return _violation(name, "type", f"{type(value).__name__} is not bytes")
        size = len(value)
        unit = "bytes"
    else:
        if not isinstance(value, str):
            return _violation(name, "type", f"{value!r} is not a string")
        size = java_length(value)
        unit = "characters"
    if member.min_length is not None and size < member.min_length:
        return _violation(name, "min_length", f"{size} {unit} < {member.min_length}")
    if member.max_length is not None and size > member.max_length:
        return _violation(name, "max_length", f"{size} {unit} > {member.max_length}")
    if isinstance(value, str) and not member.matches(value):
        return _violation(name, "pattern", f"does not match {member.java_pattern}")
    return None


def _member(name: str, location: Location, wire: str, schema: dict, node: dict) -> Member:
    kind: MemberType
    if schema.get("format") == "binary":
        kind = "blob"
    elif schema.get("type") == "integer":
        kind = "integer"
    else:
        kind = "string"
    java = node.get("x-java-pattern")
    return Member(
        name=name,
        location=location,
        wire_name=wire,
        type=kind,
        revision=node.get("x-revision", revisions.REVISIONS[0]),
        required=bool(node.get("required", False)),
        min_length=schema.get("minLength"),
        max_length=node.get("x-max-bytes", schema.get("maxLength")),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        pattern=translate(java).python if java else None,
        ecma_pattern=schema.get("pattern"),
        java_pattern=java,
        sensitive=bool(node.get("x-sensitive", False)),
        default=schema.get("default"),
    )


@lru_cache(maxsize=len(revisions.REVISIONS))
def _contract(revision: str) -> Contract:
    document = load_openapi(revision)
    op = operation(document)
    members = [
        _member(p["x-member"], "path" if p["in"] == "path" else "header", p["name"], p["schema"], p)
        for p in op["parameters"]
    ]
    if "requestBody" in op:
        body = op["requestBody"]
        schema = next(iter(body["content"].values()))["schema"]
        members.append(_member(body["x-member"], "body", "", schema, body))
    success = next(code for code in op["responses"] if code.startswith("2"))
    response_members = [
        ResponseMember(h["x-member"], "header", wire, h["x-revision"], bool(h.get("required")))
        for wire, h in op["responses"][success]["headers"].items()
    ]
    output_ref = op["responses"][success]["content"]["application/json"]["schema"]["$ref"]
    output = document["components"]["schemas"][output_ref.rsplit("/", 1)[-1]]
    response_members.extend(
        ResponseMember(name, "body", name, prop["x-revision"], name in output.get("required", []))
        for name, prop in output["properties"].items()
    )
    errors: dict[int, tuple[str, ...]] = {}
    for code, response in op["responses"].items():
        if "$ref" in response:
            component = document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
            errors[int(code)] = tuple(component["x-error-types"])
    return Contract(
        revision=revision,
        method=op["x-http-method"],
        path_template=next(iter(document["paths"])),
        success_status=int(success),
        members=tuple(members),
        response_members=tuple(response_members),
        exactly_one_of=tuple(tuple(g["members"]) for g in op.get("x-exactly-one-of", [])),
        error_statuses=errors,
    )


def contract(revision: str = revisions.CURRENT) -> Contract:
    """The contract as of ``revision`` (``current``/``latest`` accepted)."""
    return _contract(revisions.normalize(revision))
