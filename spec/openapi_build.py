"""The OpenAPI 3.1 document of InvokeEndpointAsync, built from a botocore service model dict.

``build_document(model, version)`` is pure: no botocore import, no file. The hand-kept
facts the model does not state (documented defaults, the authentication errors every
AWS rest-json service returns) are the tables below and in ``spec.revisions``.
``spec.generate`` feeds it the installed botocore's model and writes or compares.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from spec import revisions
from spec.patterns import translate

SERVICE = "sagemaker-runtime"
OPERATION = "InvokeEndpointAsync"
VERSION_KEY = "x-botocore-version"

# Defaults the model states only in prose ("The default is 6 hours, or 21,600 seconds").
DOCUMENTED_DEFAULTS: Mapping[str, int] = {
    "RequestTTLSeconds": 21600,
    "InvocationTimeoutSeconds": 900,
}

# Errors every AWS rest-json service may answer before the operation runs (status, types).
AUTH_ERRORS: tuple[int, tuple[str, ...]] = (
    403,
    (
        "MissingAuthenticationTokenException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "IncompleteSignatureException",
        "AccessDeniedException",
        "ExpiredTokenException",
    ),
)
ERROR_TYPE_HEADER = "X-Amzn-ErrorType"
Json = dict[str, Any]


def build_document(model: Json, version: str) -> Json:
    """The document for ``model``, recording ``version`` as the botocore it came from."""
    return _Generator(model).document(version)


def plain_text(documentation: str) -> str:
    """The model's HTML documentation as one line of plain text."""
    text = re.sub(r"</?(?:p|br|li|ul|ol|note|important)\b[^>]*>", " ", documentation or "")
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


class _Generator:
    def __init__(self, model: Json) -> None:
        self.model = model
        self.shapes: Json = model["shapes"]
        self.operation: Json = model["operations"][OPERATION]

    def document(self, version: str) -> Json:
        metadata = self.model.get("metadata", {})
        return {
            "openapi": "3.1.0",
            "info": {
                "title": f"{metadata.get('serviceFullName', SERVICE)} — {OPERATION}",
                "version": metadata.get("apiVersion", ""),
                "description": (
                    f"{OPERATION} as of API revision {revisions.CURRENT}, generated from "
                    f"botocore's {SERVICE} model by `python -m spec.generate`; do not edit. "
                    "Patterns are translated from the model's Java syntax (x-java-pattern) "
                    "and match the whole value. Each member carries x-revision, the API "
                    "revision that introduced it."
                ),
                VERSION_KEY: version,
                "x-revision": revisions.CURRENT,
                "x-revisions": list(revisions.REVISIONS),
            },
            "servers": [
                {
                    "url": "https://runtime.sagemaker.{region}.amazonaws.com",
                    "variables": {"region": {"default": "us-east-1"}},
                }
            ],
            "security": [{"sigv4": []}],
            "paths": {self.operation["http"]["requestUri"]: {"post": self.operation_object()}},
            "components": self.components(metadata),
        }

    def operation_object(self) -> Json:
        input_shape = self.shapes[self.operation["input"]["shape"]]
        required = set(input_shape.get("required", []))
        payload = input_shape.get("payload")
        parameters: list[Json] = []
        body: Json | None = None
        for name, member in input_shape["members"].items():
            if name == payload:
                body = self.request_body(name, member)
            else:
                parameters.append(self.parameter(name, member, name in required))
        operation: Json = {
            "operationId": OPERATION,
            "summary": "Queue an inference request; the result is written to S3 later.",
            "description": plain_text(self.operation.get("documentation", "")),
            "x-http-method": self.operation["http"]["method"],
            "parameters": parameters,
        }
        if body is not None:
            operation["requestBody"] = body
        groups = self.exactly_one_of(input_shape)
        if groups:
            operation["x-exactly-one-of"] = groups
            operation["description"] += " " + " ".join(
                f"A request carries exactly one of {' and '.join(g['members'])} "
                f"(from revision {g['x-revision']})."
                for g in groups
            )
        operation["responses"] = self.responses()
        return operation

    def exactly_one_of(self, input_shape: Json) -> list[Json]:
        groups = []
        for members, introduced in revisions.EXACTLY_ONE_OF:
            if all(m in input_shape["members"] for m in members):
                groups.append({"members": list(members), "x-revision": introduced})
        return groups

    def annotations(self, name: str, member: Json, shape: Json) -> Json:
        notes: Json = {
            "x-member": name,
            "x-shape": member["shape"],
            "x-revision": revisions.member_revision(name),
        }
        if name in revisions.REQUIRED_BEFORE:
            notes["x-required-before"] = revisions.REQUIRED_BEFORE[name]
        if shape.get("sensitive"):
            notes["x-sensitive"] = True
        if "pattern" in shape:
            notes["x-java-pattern"] = shape["pattern"]
        return notes

    def schema(self, name: str, shape: Json) -> Json:
        kind = shape["type"]
        schema: Json
        if kind == "string":
            schema = {"type": "string"}
            if "min" in shape:
                schema["minLength"] = shape["min"]
            if "max" in shape:
                schema["maxLength"] = shape["max"]
            if "pattern" in shape:
                schema["pattern"] = translate(shape["pattern"]).ecma
        elif kind in ("integer", "long"):
            schema = {"type": "integer", "format": "int32" if kind == "integer" else "int64"}
            if "min" in shape:
                schema["minimum"] = shape["min"]
            if "max" in shape:
                schema["maximum"] = shape["max"]
            if name in DOCUMENTED_DEFAULTS:
                schema["default"] = DOCUMENTED_DEFAULTS[name]
        elif kind == "blob":
            schema = {"type": "string", "format": "binary"}
            if "max" in shape:
                schema["maxLength"] = shape["max"]
        elif kind == "boolean":
            schema = {"type": "boolean"}
        else:
            raise ValueError(f"model member {name} has type {kind!r}, which the generator lacks")
        return schema

    def parameter(self, name: str, member: Json, required: bool) -> Json:
        shape = self.shapes[member["shape"]]
        location = {"uri": "path", "header": "header", "querystring": "query"}.get(
            member.get("location", "")
        )
        if location is None:
            raise ValueError(f"model member {name} has no HTTP location the generator knows")
        parameter: Json = {
            "name": member.get("locationName", name),
            "in": location,
            "required": required or location == "path",
            "description": plain_text(member.get("documentation", "")),
            "schema": self.schema(name, shape),
        }
        parameter.update(self.annotations(name, member, shape))
        return parameter

    def request_body(self, name: str, member: Json) -> Json:
        shape = self.shapes[member["shape"]]
        body: Json = {
            "required": False,
            "description": plain_text(member.get("documentation", ""))
            + " The media type of the payload is the one named by X-Amzn-SageMaker-Content-Type;"
            " the HTTP Content-Type header carries no meaning here.",
            "content": {"application/octet-stream": {"schema": self.schema(name, shape)}},
        }
        if "max" in shape:
            body["x-max-bytes"] = shape["max"]
        body.update(self.annotations(name, member, shape))
        return body

    def responses(self) -> Json:
        output = self.shapes[self.operation["output"]["shape"]]
        headers: Json = {}
        for name, member in output["members"].items():
            if member.get("location") != "header":
                continue
            shape = self.shapes[member["shape"]]
            header: Json = {
                "description": plain_text(member.get("documentation", "")),
                "required": name == "OutputLocation",
                "schema": self.schema(name, shape),
            }
            header.update(self.annotations(name, member, shape))
            headers[member["locationName"]] = header
        responses: Json = {
            str(self.operation["http"].get("responseCode", 200)): {
                "description": "The request is queued. The body names the request; the "
                "headers name where its output (or failure) will be written.",
                "headers": headers,
                "content": {
                    "application/json": {
                        "schema": {
                            "$ref": f"#/components/schemas/{self.operation['output']['shape']}"
                        }
                    }
                },
            }
        }
        by_status: dict[int, list[str]] = {}
        for error in self.operation.get("errors", []):
            status = self.shapes[error["shape"]].get("error", {}).get("httpStatusCode", 400)
            by_status.setdefault(status, []).append(error["shape"])
        by_status.setdefault(AUTH_ERRORS[0], []).extend(AUTH_ERRORS[1])
        for status in sorted(by_status):
            names = by_status[status]
            key = names[0] if len(names) == 1 else f"Error{status}"
            responses[str(status)] = {"$ref": f"#/components/responses/{key}"}
        return responses

    def components(self, metadata: Json) -> Json:
        output_name = self.operation["output"]["shape"]
        output = self.shapes[output_name]
        body_members = {
            name: member for name, member in output["members"].items() if "location" not in member
        }
        output_schema: Json = {
            "type": "object",
            "description": "The body of the 202 response. InferenceId is always present: "
            "it echoes the caller's or is generated.",
            "properties": {
                name: {
                    **self.schema(name, self.shapes[member["shape"]]),
                    "description": plain_text(member.get("documentation", "")),
                    "x-member": name,
                    "x-revision": revisions.member_revision(name),
                }
                for name, member in body_members.items()
            },
            "required": sorted(n for n in body_members if n == "InferenceId"),
        }
        message_max = {}
        responses: Json = {}
        by_status: dict[int, list[tuple[str, str]]] = {}
        for error in self.operation.get("errors", []):
            shape = self.shapes[error["shape"]]
            message_shape = shape.get("members", {}).get("Message", {}).get("shape")
            if message_shape and "max" in self.shapes[message_shape]:
                message_max = {"maxLength": self.shapes[message_shape]["max"]}
            status = shape.get("error", {}).get("httpStatusCode", 400)
            by_status.setdefault(status, []).append(
                (error["shape"], plain_text(shape.get("documentation", "")))
            )
        for name in AUTH_ERRORS[1]:
            by_status.setdefault(AUTH_ERRORS[0], []).append(
                (name, "SigV4 authentication failed (common to every AWS rest-json service).")
            )
        for status, entries in sorted(by_status.items()):
            names = [name for name, _ in entries]
            key = names[0] if len(names) == 1 else f"Error{status}"
            responses[key] = {
                "description": " ".join(f"{name}: {text}" for name, text in entries),
                "headers": {
                    ERROR_TYPE_HEADER: {"$ref": f"#/components/headers/{ERROR_TYPE_HEADER}"}
                },
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                "x-error-types": names,
            }
        return {
            "schemas": {
                output_name: output_schema,
                "Error": {
                    "type": "object",
                    "description": "The rest-json error body. Clients read the error type from "
                    "X-Amzn-ErrorType, else __type or code, keeping what follows '#' and "
                    "precedes ':'.",
                    "properties": {
                        "message": {"type": "string", **message_max},
                        "Message": {"type": "string", **message_max},
                        "__type": {"type": "string"},
                        "code": {"type": "string"},
                    },
                    "anyOf": [{"required": ["message"]}, {"required": ["Message"]}],
                },
            },
            "responses": responses,
            "headers": {
                ERROR_TYPE_HEADER: {
                    "description": "The error type, e.g. ValidationError.",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1},
                }
            },
            "securitySchemes": {
                "sigv4": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "AWS Signature Version 4, signing name "
                    f"{metadata.get('signingName', 'sagemaker')}.",
                    "x-amazon-apigateway-authtype": "awsSigv4",
                    "x-signing-name": metadata.get("signingName", "sagemaker"),
                    "x-signature-version": metadata.get("signatureVersion", "v4"),
                }
            },
        }
