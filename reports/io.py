"""Reading a results document from disk: parse, validate against the schema, redact again."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from reports.redact import environment_secrets, redact
from reports.results import Results
from reports.schema import InvalidResults, validate_results


def read_results(path: str | Path, *, secrets: Iterable[str] = ()) -> Results:
    """The ``Results`` in ``path``; ``InvalidResults`` (a ``ValueError``) says what is wrong.

    The document is redacted once more on the way in (belt and braces: it may come
    from another machine, or an older suite).
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidResults(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidResults(f"{path}: not a JSON document ({exc})") from None
    try:
        validate_results(document)
    except InvalidResults as exc:
        raise InvalidResults(f"{path}: {exc}") from None
    document = redact(document, secrets=[*secrets, *environment_secrets()])
    return Results.from_dict(document)
