"""Judge an HTTP request on the wire against the OpenAPI document (jsonschema).

The schema side of the spec, independent of ``spec.contract``: the request is
taken apart as a server sees it (path segment, header strings, body bytes) and
each part is validated with jsonschema against the parameter schemas of the
document of a revision. Header integers are parsed as a rest-json server would;
patterns use ECMA-262 semantics (``$`` is the end of input).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import jsonschema
from jsonschema.exceptions import ValidationError

from spec import revisions
from spec.openapi import load_openapi, operation
from spec.patterns import ecma_search

KIND_BY_KEYWORD = {
    "maxLength": "max_length",
    "minLength": "min_length",
    "pattern": "pattern",
    "minimum": "minimum",
    "maximum": "maximum",
    "type": "type",
}
INTEGER = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class WireError:
    """One way a wire request breaks the document."""

    member: str
    kind: str
    wire_name: str
    message: str


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)


def _schema_errors(member: str, wire: str, schema: dict, value: Any) -> list[WireError]:
    return [
        WireError(member, KIND_BY_KEYWORD.get(e.validator, str(e.validator)), wire, e.message)
        for e in _Validator(schema).iter_errors(value)
    ]


def validate_wire_request(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes = b"",
    revision: str = revisions.CURRENT,
) -> tuple[WireError, ...]:
    """Every way the request breaks the document of ``revision`` (empty when valid).

    ``path`` is the URL path as sent (percent-encoded); ``headers`` as sent.
    Headers the document does not name are not judged here.
    """
    document = load_openapi(revision)
    op = operation(document)
    template = next(iter(document["paths"]))
    errors: list[WireError] = []
    if method.upper() != op["x-http-method"]:
        errors.append(WireError("", "method", "", f"method {method} is not {op['x-http-method']}"))
    path_re = re.escape(template).replace(r"\{EndpointName\}", "(?P<EndpointName>[^/]*)")
    found = re.fullmatch(path_re, path)
    lowered = {name.lower(): value for name, value in headers.items()}
    present: set[str] = set()
    for parameter in op["parameters"]:
        member, wire, schema = parameter["x-member"], parameter["name"], parameter["schema"]
        if parameter["in"] == "path":
            if found is None:
                errors.append(WireError(member, "path", wire, f"{path!r} is not {template}"))
                continue
            value: Any = unquote(found.group(wire))
        elif wire.lower() in lowered:
            value = lowered[wire.lower()]
            if schema.get("type") == "integer" and INTEGER.fullmatch(value):
                value = int(value)
        else:
            if parameter.get("required"):
                errors.append(WireError(member, "missing_required", wire, f"{wire} is absent"))
            continue
        present.add(member)
        errors.extend(_schema_errors(member, wire, schema, value))
    request_body = op.get("requestBody")
    if body:
        if request_body is None:
            errors.append(WireError("Body", "unknown_member", "", "this revision has no body"))
        else:
            present.add(request_body["x-member"])
            schema = next(iter(request_body["content"].values()))["schema"]
            errors.extend(
                _schema_errors(request_body["x-member"], "", schema, body.decode("latin-1"))
            )
    for group in op.get("x-exactly-one-of", []):
        given = [name for name in group["members"] if name in present]
        if not given:
            errors.append(
                WireError(group["members"][-1], "missing_required", "", "none of the group given")
            )
        elif len(given) > 1:
            errors.append(WireError(group["members"][0], "exclusive", "", f"{given} exclusive"))
    return tuple(errors)
