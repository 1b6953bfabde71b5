"""Valid values of InvokeEndpointAsync's request members, edges mixed in.

Each strategy follows the member of the AWS service model named in its
docstring (``botocore/data/sagemaker-runtime/2017-05-13/service-2.json``), read
through ``spec.contract``; if a generated value disagrees with the model, that
is a bug here. Values are also chosen to survive HTTP unchanged: a header value
never starts or ends with white space (HTTP trims it) and never holds a control
character (HTTP cannot carry it), and nothing is empty where empty would read as
absent. Bad arguments raise ``strategies.errors.InvalidArgument``.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

from spec.contract import Member, contract
from strategies.errors import check_size_range, invalid
from strategies.text import ALNUM, PRINTABLE, VISIBLE, lengths, sized_binary, sized_text

MEDIA_TYPES: tuple[str, ...] = (
    "application/json",
    "application/jsonlines",
    "text/csv",
    "text/plain; charset=utf-8",
    "application/x-npy",
    "application/x-recordio-protobuf",
    "image/jpeg",
    "audio/wav",
    "application/octet-stream",
)
S3_KEY_CHARS = ALNUM + "!_.*'()/-"  # the S3OutputPathExtension alphabet, also safe in keys
BUCKET_CHARS = string.ascii_lowercase + string.digits + "-"
FILENAME_CHARS = ALNUM + "-_"


def _model(name: str) -> Member:
    return contract().member(name)


def _bounds(name: str, min_size: int, max_size: int, *, lowest: int = 1) -> None:
    member = _model(name)
    check_size_range(
        min_size,
        max_size,
        lowest=max(lowest, member.min_length or 0),
        highest=member.max_length or max_size,
        member=f"InvokeEndpointAsyncInput.{name}",
    )


def header_text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Visible US-ASCII with inner spaces: what an HTTP header value carries verbatim."""
    return sized_text(lengths(min_size, max_size), alphabet=PRINTABLE, first=VISIBLE, last=VISIBLE)


def custom_attributes(*, min_size: int = 1, max_size: int = 1024) -> st.SearchStrategy[str]:
    """CustomAttributes values: visible US-ASCII (RFC 7230 field-vchar, inner spaces allowed).

    Follows ``InvokeEndpointAsyncInput.CustomAttributes`` (``\\p{ASCII}*``, at most
    1,024; "visible US-ASCII characters as specified in RFC 7230 3.2.6"). Lengths
    1, 2, max-1 and max are mixed in. Empty is left out: an empty header reads as absent.
    """
    _bounds("CustomAttributes", min_size, max_size)
    return header_text(min_size, max_size)


def media_types(*, max_size: int = 1024) -> st.SearchStrategy[str]:
    """ContentType / Accept values: common MIME types, or any visible-ASCII text.

    Follows ``InvokeEndpointAsyncInput.ContentType`` and ``.Accept`` (``\\p{ASCII}*``,
    at most 1,024). The model does not require a MIME syntax, so arbitrary text is
    generated too (lengths 1 and max mixed in).
    """
    _bounds("ContentType", 1, max_size)
    return st.one_of(st.sampled_from(MEDIA_TYPES), header_text(1, max_size))


def inference_ids(*, min_size: int = 1, max_size: int = 64) -> st.SearchStrategy[str]:
    """InferenceId values: a non-space first character, then printable ASCII.

    Follows ``InvokeEndpointAsyncInput.InferenceId`` (1–64, ``\\A\\S[\\p{Print}]*\\z``).
    The last character is not a space either (HTTP would trim it). Lengths 1, 2,
    63 and 64 are mixed in.
    """
    _bounds("InferenceId", min_size, max_size)
    return sized_text(lengths(min_size, max_size), alphabet=PRINTABLE, first=VISIBLE, last=VISIBLE)


def endpoint_names(*, min_size: int = 1, max_size: int = 63) -> st.SearchStrategy[str]:
    """EndpointName values: letters, digits and hyphens, starting and ending alphanumeric.

    Follows ``InvokeEndpointAsyncInput.EndpointName`` (at most 63,
    ``^[a-zA-Z0-9](-*[a-zA-Z0-9])*``). Lengths 1 and 63 are mixed in.
    """
    _bounds("EndpointName", min_size, max_size)
    return sized_text(lengths(min_size, max_size), alphabet=ALNUM + "-", first=ALNUM, last=ALNUM)


def bucket_names() -> st.SearchStrategy[str]:
    """S3 bucket names: 3–63 lower-case letters, digits and hyphens, alphanumeric ends."""
    alnum = string.ascii_lowercase + string.digits
    return sized_text(lengths(3, 63), alphabet=BUCKET_CHARS, first=alnum, last=alnum)


def input_locations(*, max_size: int = 1024) -> st.SearchStrategy[str]:
    """InputLocation values: ``s3://bucket/key`` or ``https://bucket.s3.amazonaws.com/key``.

    Follows ``InvokeEndpointAsyncInput.InputLocation`` (1–1,024,
    ``^(https|s3)://([^/]+)/?(.*)$``). Keys use S3's safe characters; the total
    length ``max_size`` is mixed in. These name no real object: pass your own to
    ``valid_requests(input_location=...)`` when the target must read it.
    """
    _bounds("InputLocation", 8, max_size, lowest=8)

    @st.composite
    def build(draw: st.DrawFn) -> str:
        bucket = draw(bucket_names())
        host = draw(
            st.sampled_from(
                (
                    f"s3://{bucket}",
                    f"https://{bucket}.s3.amazonaws.com",
                    f"https://{bucket}.s3.us-west-2.amazonaws.com",
                )
            )
        )
        prefix = host + "/"
        room = max_size - len(prefix)
        if room < 1:
            return f"s3://{bucket[: max(1, max_size - 7)]}/k"[:max_size]
        key = draw(sized_text(lengths(1, room), alphabet=S3_KEY_CHARS, first=ALNUM))
        return prefix + key

    return build()


def s3_output_path_extensions(*, min_size: int = 1, max_size: int = 512) -> st.SearchStrategy[str]:
    """S3OutputPathExtension values over ``[a-zA-Z0-9!_.*'()/-]``.

    Follows ``InvokeEndpointAsyncInput.S3OutputPathExtension`` (1–512,
    ``^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$``). Lengths 1, 2, 511 and 512 mixed in.
    """
    _bounds("S3OutputPathExtension", min_size, max_size)
    return sized_text(lengths(min_size, max_size), alphabet=S3_KEY_CHARS)


def filenames(*, min_size: int = 1, max_size: int = 32) -> st.SearchStrategy[str]:
    """Filename values: alphanumeric start, then ``[a-zA-Z0-9-_.]`` with at most one dot.

    Follows ``InvokeEndpointAsyncInput.Filename`` (1–32,
    ``^(?!.*\\..*\\.)[a-zA-Z0-9][a-zA-Z0-9-_\\.]*$``). Lengths 1, 2, 31, 32 mixed in.
    """
    _bounds("Filename", min_size, max_size)

    @st.composite
    def build(draw: st.DrawFn) -> str:
        name = draw(sized_text(lengths(min_size, max_size), alphabet=FILENAME_CHARS, first=ALNUM))
        if len(name) > 1 and draw(st.booleans()):
            at = draw(st.integers(1, len(name) - 1))
            name = name[:at] + "." + name[at + 1 :]
        return name

    return build()


def _edges(name: str) -> tuple[int, ...]:
    member = _model(name)
    lo, hi = member.minimum, member.maximum
    assert lo is not None and hi is not None
    return tuple(sorted({lo, lo + 1, hi - 1, hi} | ({member.default} if member.default else set())))


def _outside(name: str) -> tuple[int, int]:
    member = _model(name)
    assert member.minimum is not None and member.maximum is not None
    return member.minimum - 1, member.maximum + 1


def _integers(name: str) -> st.SearchStrategy[int]:
    edges = _edges(name)
    return st.one_of(st.sampled_from(edges), st.integers(edges[0], edges[-1]))


def ttl_seconds() -> st.SearchStrategy[int]:
    """RequestTTLSeconds values in 60..21,600; 60, 61, 21,599 and 21,600 mixed in.

    Follows ``InvokeEndpointAsyncInput.RequestTTLSeconds`` (min 60, max 21600).
    """
    return _integers("RequestTTLSeconds")


def ttl_edges() -> tuple[int, ...]:
    """The valid RequestTTLSeconds edges, ascending: 60 (the floor), 61, 21,599, 21,600.

    For designed scenarios that send each edge once (a slow scenario cannot draw):
    the floor is the TTL that expires soonest, and every edge must hold on an idle
    endpoint. Follows ``InvokeEndpointAsyncInput.RequestTTLSeconds``.
    """
    return _edges("RequestTTLSeconds")


def ttl_outside() -> tuple[int, int]:
    """The RequestTTLSeconds just outside the model's range: 59 and 21,601."""
    return _outside("RequestTTLSeconds")


def timeout_seconds() -> st.SearchStrategy[int]:
    """InvocationTimeoutSeconds values in 1..3,600; 1, 2, 900, 3,599 and 3,600 mixed in.

    Follows ``InvokeEndpointAsyncInput.InvocationTimeoutSeconds`` (min 1, max 3600).
    """
    return _integers("InvocationTimeoutSeconds")


def timeout_edges() -> tuple[int, ...]:
    """The valid InvocationTimeoutSeconds edges, ascending: 1, 2, 900 (default), 3,599, 3,600.

    Follows ``InvokeEndpointAsyncInput.InvocationTimeoutSeconds`` (min 1, max 3600).
    """
    return _edges("InvocationTimeoutSeconds")


def bodies(*, min_size: int = 1, max_size: int = 128_000) -> st.SearchStrategy[bytes]:
    """Inline Body payloads, 1..128,000 bytes; sizes 1, 2, 127,999 and 128,000 mixed in.

    Follows ``InvokeEndpointAsyncInput.Body`` (blob, max 128000). Empty is left
    out: an empty payload cannot be told from no payload on the wire.
    """
    _bounds("Body", min_size, max_size)
    return sized_binary(lengths(min_size, max_size))


def check_value(name: str, value: object, member: str) -> None:
    """Raise InvalidArgument unless ``value`` is a valid ``member`` per the contract."""
    found = contract().check({"EndpointName": "e", member: value})
    broken = [v for v in found if v.member == member]
    if broken:
        raise invalid(name, value, f"not a valid {member}: {broken[0].detail}")
