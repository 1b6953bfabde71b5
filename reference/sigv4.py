"""Server-side verification of AWS Signature Version 4 (header form).

Mirrors what botocore's `SigV4Auth` signs, so a request boto3 signed verifies
byte for byte: the canonical URI is the received (already percent-encoded) path,
dot segments removed, percent-encoded once more; query pairs are sorted raw;
header values are trimmed with inner white space collapsed (botocore's rule;
`aws_documented_value` is the published one, spaces only); the payload hash is
always computed from the body actually received, never taken from the client,
so a body changed after signing fails.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from reference.errors import (
    INVALID_SIGNATURE,
    MISSING_TOKEN,
    UNRECOGNIZED_CLIENT,
    ServiceError,
    auth_error,
)

ALGORITHM = "AWS4-HMAC-SHA256"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SKEW = timedelta(minutes=15)

_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+"
    r"Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed_headers>[^,\s]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})\s*$"
)


@dataclass(frozen=True)
class SignedRequest:
    """What verification needs of an HTTP request, as received."""

    method: str
    raw_path: str  # percent-encoded, may include "?query"
    headers: Mapping[str, str]  # case-insensitive mapping (multidict proxy)
    body: bytes
    all_header_values: Mapping[str, list[str]] | None = None  # lower-cased name -> values


@dataclass(frozen=True)
class Authorization:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> Authorization:
    match = _AUTH_RE.match(value.strip())
    if match is None:
        raise auth_error(INVALID_SIGNATURE, "Authorization header is not a SigV4 header.")
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise auth_error(INVALID_SIGNATURE, "Credential is not a valid SigV4 scope.")
    return Authorization(
        access_key=parts[0],
        date=parts[1],
        region=parts[2],
        service=parts[3],
        signed_headers=tuple(match["signed_headers"].split(";")),
        signature=match["signature"],
    )


def remove_dot_segments(path: str) -> str:
    if not path:
        return "/"
    output: list[str] = []
    for segment in path.split("/"):
        if segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
            continue
        output.append(segment)
    joined = "/".join(output)
    if path.startswith("/") and not joined.startswith("/"):
        joined = "/" + joined
    if path.endswith("/") and not joined.endswith("/"):
        joined += "/"
    return joined


def canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = [pair.partition("=")[::2] for pair in query.split("&")]
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


CanonicalValue = Callable[[str], str]


def collapse_white_space(value: str) -> str:
    """botocore's canonical header value: trimmed, every run of white space (tabs too) one space."""
    return " ".join(value.split())


_SPACES = re.compile(" {2,}")


def aws_documented_value(value: str) -> str:
    """AWS's published SigV4 rule, literally: trim spaces, collapse sequential spaces only."""
    return _SPACES.sub(" ", value.strip(" "))


def canonical_request(
    request: SignedRequest,
    signed_headers: tuple[str, ...],
    canonical_value: CanonicalValue = collapse_white_space,
) -> str:
    path, _, query = request.raw_path.partition("?")
    lines = [
        request.method.upper(),
        quote(remove_dot_segments(path), safe="/~"),
        canonical_query(query),
    ]
    for name in signed_headers:
        values = _values(request, name)
        lines.append(f"{name}:{','.join(canonical_value(v) for v in values)}")
    lines.append("")
    lines.append(";".join(signed_headers))
    lines.append(hashlib.sha256(request.body).hexdigest())
    return "\n".join(lines)


def _values(request: SignedRequest, name: str) -> list[str]:
    if request.all_header_values is not None:
        values = request.all_header_values.get(name, [])
    else:
        value = request.headers.get(name)
        values = [] if value is None else [value]
    return values


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature(
    secret: str,
    auth: Authorization,
    amz_date: str,
    request: SignedRequest,
    canonical_value: CanonicalValue = collapse_white_space,
) -> str:
    scope = f"{auth.date}/{auth.region}/{auth.service}/aws4_request"
    # aiohttp decodes header bytes as UTF-8 with surrogate escapes; encoding the same
    # way gives back the exact bytes that were on the wire, which is what was signed.
    canonical = canonical_request(request, auth.signed_headers, canonical_value).encode(
        "utf-8", "surrogateescape"
    )
    digest = hashlib.sha256(canonical).hexdigest()
    string_to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"
    key = signing_key(secret, auth.date, auth.region, auth.service)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def verify(
    request: SignedRequest,
    *,
    keys: Mapping[str, str],
    region: str,
    service: str = "sagemaker",
    now: datetime | None = None,
    max_skew: timedelta = MAX_SKEW,
    canonical_value: CanonicalValue = collapse_white_space,
) -> str:
    """Return the access key that signed `request`, or raise a 403 `ServiceError`."""
    header = request.headers.get("Authorization")
    if not header:
        raise auth_error(MISSING_TOKEN, "Missing Authentication Token")
    auth = parse_authorization(header)
    secret = keys.get(auth.access_key)
    if secret is None:
        raise auth_error(
            UNRECOGNIZED_CLIENT, "The security token included in the request is invalid."
        )
    _check_scope(auth, region, service)
    amz_date = _check_date(request, auth, now or datetime.now(UTC), max_skew)
    expected = signature(secret, auth, amz_date, request, canonical_value)
    if not hmac.compare_digest(expected, auth.signature):
        raise auth_error(
            INVALID_SIGNATURE,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
        )
    return auth.access_key


def _check_scope(auth: Authorization, region: str, service: str) -> None:
    if auth.region != region:
        raise auth_error(
            INVALID_SIGNATURE,
            f"Credential should be scoped to a valid region, not '{auth.region}'.",
        )
    if auth.service != service:
        raise auth_error(
            INVALID_SIGNATURE,
            f"Credential should be scoped to correct service: '{service}'.",
        )
    if "host" not in auth.signed_headers:
        raise auth_error(INVALID_SIGNATURE, "'Host' must be a signed header.")


def _check_date(
    request: SignedRequest, auth: Authorization, now: datetime, max_skew: timedelta
) -> str:
    amz_date = request.headers.get("X-Amz-Date")
    if not amz_date or "x-amz-date" not in auth.signed_headers:
        raise auth_error(INVALID_SIGNATURE, "X-Amz-Date must be present and signed.")
    try:
        signed_at = datetime.strptime(amz_date, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise auth_error(INVALID_SIGNATURE, f"X-Amz-Date '{amz_date}' is malformed.") from None
    if auth.date != amz_date[:8]:
        raise auth_error(INVALID_SIGNATURE, "Credential date does not match X-Amz-Date.")
    stamp = now.strftime(AMZ_DATE_FORMAT)
    if signed_at < now - max_skew:
        earliest = (now - max_skew).strftime(AMZ_DATE_FORMAT)
        raise auth_error(
            INVALID_SIGNATURE,
            f"Signature expired: {amz_date} is now earlier than {earliest} ({stamp} - 15 min.)",
        )
    if signed_at > now + max_skew:
        latest = (now + max_skew).strftime(AMZ_DATE_FORMAT)
        raise auth_error(
            INVALID_SIGNATURE,
            f"Signature not yet current: {amz_date} is still later than {latest} "
            f"({stamp} + 15 min.)",
        )
    return amz_date


__all__ = ["MAX_SKEW", "ServiceError", "SignedRequest", "verify"]
