"""The OpenAPI document of InvokeEndpointAsync, as of any API revision.

``spec/openapi.json`` is generated for the current revision (``spec.generate``);
older revisions are derived from its annotations alone: members whose
``x-revision`` is later are removed, members with ``x-required-before`` later
than the revision become required, and ``x-exactly-one-of`` groups introduced
later are dropped.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from spec import revisions

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")
OPERATION_PATH = "/endpoints/{EndpointName}/async-invocations"
Json = dict[str, Any]


@lru_cache(maxsize=1)
def _committed() -> Json:
    return json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))


def load_openapi(revision: str = revisions.CURRENT) -> Json:
    """The document as of ``revision`` (a fresh copy; ``current``/``latest`` accepted)."""
    revision = revisions.normalize(revision)
    document = copy.deepcopy(_committed())
    return as_of(document, revision)


def operation(document: Json) -> Json:
    """The InvokeEndpointAsync operation object of a document."""
    return document["paths"][OPERATION_PATH]["post"]


def _present(node: Json, revision: str) -> bool:
    return revisions.includes(revision, node.get("x-revision", revisions.REVISIONS[0]))


def as_of(document: Json, revision: str) -> Json:
    """Restrict a current-revision document (in place) to what ``revision`` defines."""
    revision = revisions.normalize(revision)
    document["info"]["x-revision"] = revision
    document["info"]["description"] = document["info"]["description"].replace(
        f"as of API revision {revisions.CURRENT}", f"as of API revision {revision}", 1
    )
    op = operation(document)
    kept = []
    for parameter in op["parameters"]:
        if not _present(parameter, revision):
            continue
        required_before = parameter.get("x-required-before")
        if required_before and not revisions.includes(revision, required_before):
            parameter["required"] = True
        kept.append(parameter)
    op["parameters"] = kept
    if "requestBody" in op and not _present(op["requestBody"], revision):
        del op["requestBody"]
    groups = [g for g in op.get("x-exactly-one-of", []) if _present(g, revision)]
    if groups:
        op["x-exactly-one-of"] = groups
    else:
        op.pop("x-exactly-one-of", None)
        op["description"] = op["description"].split(" A request carries exactly one of")[0]
    for response in op["responses"].values():
        headers = response.get("headers", {})
        for name in [n for n, h in headers.items() if not _present(h, revision)]:
            del headers[name]
    return document
