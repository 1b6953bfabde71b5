"""Request headers InvokeEndpointAsync does not support: what the platform must strip.

The model: "Amazon SageMaker AI strips all POST headers except those supported
by the API" (``InvokeEndpointAsync`` documentation). Generated names are random
tokens and look-alikes of the supported ``X-Amzn-SageMaker-*`` names (a letter
dropped or added, a hyphen moved, a suffix, headers of the synchronous
InvokeEndpoint). Never generated: a case variant of a supported name (HTTP names
are case-insensitive, so it *is* the supported header), underscore variants (many
servers fold ``_`` into ``-``), and transport or signing headers (Host,
Authorization, Content-*, X-Amz-*, X-Amzn-* other than X-Amzn-SageMaker-*, ...),
which the client or a proxy may legitimately set or consume.
Values are visible ASCII and carry a random token, so a test can search for them.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

from spec.contract import contract
from strategies.errors import invalid
from strategies.text import ALNUM

SAGEMAKER_PREFIX = "X-Amzn-SageMaker-"
# Headers of the synchronous InvokeEndpoint and other SageMaker APIs, not of this one.
OTHER_SAGEMAKER = (
    "X-Amzn-SageMaker-Target-Model",
    "X-Amzn-SageMaker-Target-Variant",
    "X-Amzn-SageMaker-Target-Container-Hostname",
    "X-Amzn-SageMaker-Enable-Explanations",
    "X-Amzn-SageMaker-Inference-Component",
    "X-Amzn-SageMaker-Session-Id",
    "X-Amzn-SageMaker-Invoked-Production-Variant",
    "X-Amzn-SageMaker-Output-Location",
)
TRANSPORT = frozenset(
    name.lower()
    for name in (
        "Host",
        "Authorization",
        "Content-Length",
        "Content-Type",
        "Content-Encoding",
        "Content-MD5",
        "Transfer-Encoding",
        "Connection",
        "Keep-Alive",
        "Expect",
        "User-Agent",
        "Accept",
        "Accept-Encoding",
        "Accept-Charset",
        "Accept-Language",
        "Date",
        "TE",
        "Trailer",
        "Upgrade",
        "Via",
        "Forwarded",
        "Proxy-Authorization",
        "Proxy-Connection",
        "Cookie",
        "Range",
        "Referer",
        "Origin",
        "Cache-Control",
        "Pragma",
        "Max-Forwards",
        "If-Match",
        "If-None-Match",
        "If-Modified-Since",
        "If-Unmodified-Since",
        "If-Range",
    )
)
EXCLUDED_PREFIXES = ("x-amz-", "x-amzn-", "x-forwarded-", "proxy-", "content-", "amz-sdk-")
TOKEN_CHARS = ALNUM + "-"


def supported_headers() -> frozenset[str]:
    """Lower-cased names of every header the model supports (at any revision)."""
    return frozenset(name.lower() for name in contract().header_names)


def is_unsupported(name: str) -> bool:
    """True for a header name this module may generate."""
    lowered = name.lower()
    if lowered in supported_headers() or lowered in TRANSPORT or "_" in lowered:
        return False
    if lowered.startswith(SAGEMAKER_PREFIX.lower()):
        return True
    return not lowered.startswith(EXCLUDED_PREFIXES)


def look_alikes() -> tuple[str, ...]:
    """Near misses of the supported SageMaker header names, in their canonical case."""
    found: set[str] = set(OTHER_SAGEMAKER)
    for wire in contract().header_names:
        suffix = wire[len(SAGEMAKER_PREFIX) :]
        variants = {
            suffix[:-1] if suffix.endswith("s") else suffix + "s",
            suffix + "-Extra",
            suffix + "-2",
            suffix.replace("-", ""),
            "-".join(_split_camel(suffix)),
        }
        found.update(SAGEMAKER_PREFIX + v for v in variants if v)
        found.add("X-SageMaker-" + suffix)
        found.add("X-Amzn-SageMakers-" + suffix)
    return tuple(sorted(n for n in found if is_unsupported(n)))


def _split_camel(text: str) -> list[str]:
    parts: list[str] = []
    for char in text:
        if char.isupper() and parts and parts[-1][-1:].islower():
            parts.append(char)
        elif char == "-":
            parts.append("")
        elif parts:
            parts[-1] += char
        else:
            parts.append(char)
    return [p for p in parts if p]


def header_names() -> st.SearchStrategy[str]:
    """Unsupported header names: look-alikes and random tokens."""
    word = st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)
    random_name = st.lists(word, min_size=1, max_size=4).map(lambda ws: "X-" + "-".join(ws))
    plain = st.text(string.ascii_letters, min_size=2, max_size=24)
    return st.one_of(st.sampled_from(look_alikes()), random_name, plain).filter(is_unsupported)


def header_values() -> st.SearchStrategy[str]:
    """Visible-ASCII values holding a 16-character random token (searchable)."""
    token = st.text(ALNUM, min_size=16, max_size=16)
    extra = st.text("".join(chr(c) for c in range(0x21, 0x7F)), max_size=24)
    return st.tuples(token, extra).map(lambda t: f"iea-{t[0]}{t[1]}")


def unsupported_headers(
    *, min_size: int = 1, max_size: int = 4
) -> st.SearchStrategy[dict[str, str]]:
    """Dicts of 1..4 headers the API does not support; names distinct ignoring case."""
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        raise invalid("min_size", min_size, "must be an int >= 1")
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < min_size:
        raise invalid("max_size", max_size, f"must be an int >= min_size={min_size}")
    pairs = st.lists(
        st.tuples(header_names(), header_values()),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda pair: pair[0].lower(),
    )
    return pairs.map(dict)
