"""Values that break exactly one constraint of one request member.

``violating_values(member, kind)`` gives, for a member of ``spec.contract`` and a
kind of ``spec.contract.KINDS``, values that break that constraint and no other
(a too-long value still matches the pattern; a pattern violation keeps a valid
length). Every value survives HTTP unchanged, so a target sees exactly what was
meant: no leading/trailing white space (HTTP trims it), no control character
other than an inner tab.

A verdict must not depend on how a server reads header octets or canonicalizes
white space for SigV4 (FACTS.md: non-ASCII and white space in headers): botocore
sends a non-ASCII header value as UTF-8 and signs its characters, a server may
read the octets as ISO-8859-1; botocore collapses a TAB when signing, AWS's
published canonicalization collapses only spaces. So every violation printable
ASCII can express is generated in printable ASCII only (EndpointName, InputLocation,
S3OutputPathExtension, Filename). Non-ASCII and the inner TAB appear only where
nothing else breaks the constraint (the patterns of ContentType, Accept,
CustomAttributes and InferenceId), whose behaviours are judged under
``spec.contract.HEADER_OCTET_RULE``: rejected with 400 or a 403 signature error.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from spec.contract import Member
from strategies.errors import invalid
from strategies.text import ALNUM, lengths, sized_binary, sized_text
from strategies.values import (
    FILENAME_CHARS,
    S3_KEY_CHARS,
    bucket_names,
    header_text,
    input_locations,
)

LATIN1 = "".join(chr(c) for c in range(0xA1, 0x100))  # non-ASCII, not white space anywhere
# Beyond Latin-1 too (UTF-8 of 2 and 3 octets), all in the BMP: one UTF-16 unit each, so a
# value keeps its Java length; none is white space or a control character anywhere.
NON_ASCII = LATIN1 + "\u0100\u0394\u0416\u05d0\u20ac\u2603\u4e2d\u3042\uac00\ufb01"
INT32 = (-(2**31), 2**31 - 1)
NOT_INTEGERS = ("sixty", "60.0", "6e1", "0x3c", "60s", "+-1", "1_000", "NaN", "twelve hundred")
ENDPOINT_BAD_CHARS = "_.~@+=,! "
EXTENSION_BAD_CHARS = ':?#%\\~@"&+=, [];<>^`{|}$'
FILENAME_BAD_CHARS = "/ ~:!*'()@+=,"


def _insert(base: st.SearchStrategy[str], bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``base`` (at least 3 long) with one inner character replaced by a ``bad`` one."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        text = draw(base)
        at = draw(st.integers(1, len(text) - 2))
        return text[:at] + draw(bad) + text[at + 1 :]

    return build()


def too_long(member: Member) -> st.SearchStrategy[Any]:
    """Values one or more past ``member.max_length`` that keep every other constraint."""
    assert member.max_length is not None
    top = member.max_length
    sizes = lengths(top + 1, top + 64)
    name = member.name
    if member.type == "blob":
        return sized_binary(sizes)
    if name == "EndpointName":
        return sized_text(sizes, alphabet=ALNUM + "-", first=ALNUM, last=ALNUM)
    if name == "InputLocation":

        @st.composite
        def location(draw: st.DrawFn) -> str:
            prefix = f"s3://{draw(bucket_names())}/"
            key_sizes = lengths(top + 1 - len(prefix), top + 64 - len(prefix))
            return prefix + draw(sized_text(key_sizes, alphabet=S3_KEY_CHARS, first=ALNUM))

        return location()
    if name == "S3OutputPathExtension":
        return sized_text(sizes, alphabet=S3_KEY_CHARS)
    if name == "Filename":
        return sized_text(sizes, alphabet=FILENAME_CHARS, first=ALNUM)
    return header_text(top + 1, top + 64)


def off_pattern(member: Member) -> st.SearchStrategy[str]:
    """Values of a valid length that do not match ``member``'s pattern."""
    name = member.name
    if name == "EndpointName":
        base = sized_text(lengths(3, 62), alphabet=ALNUM + "-", first=ALNUM, last=ALNUM)
        return st.one_of(
            base.map(lambda s: "-" + s),
            base.map(lambda s: s + "-"),
            _insert(base, st.sampled_from(ENDPOINT_BAD_CHARS)),
        )
    if name in ("ContentType", "Accept", "CustomAttributes"):
        return _insert(header_text(3, member.max_length or 1024), st.sampled_from(NON_ASCII))
    if name == "InferenceId":
        return _insert(header_text(3, 64), st.sampled_from("\t" + NON_ASCII))
    if name == "InputLocation":
        wrong_scheme = st.sampled_from(("http", "ftp", "S3", "HTTPS", "s3a", "file", "gs"))
        return st.one_of(
            st.tuples(wrong_scheme, input_locations(max_size=1000)).map(
                lambda t: t[0] + t[1][t[1].index(":") :]
            ),
            bucket_names().map(lambda b: f"s3:/{b}/key"),
            bucket_names().map(lambda b: f"s3//{b}/key"),
            bucket_names().map(lambda b: f"{b}/key"),
            st.sampled_from(("s3://", "https://", "s3:///key", "https:///key", "s3:")),
        )
    if name == "S3OutputPathExtension":
        base = sized_text(lengths(3, 500), alphabet=S3_KEY_CHARS)
        return st.one_of(
            _insert(base, st.sampled_from(EXTENSION_BAD_CHARS)),
            base.map(lambda s: "s3:" + s),
            base.map(lambda s: "https:" + s),
        )
    if name == "Filename":
        base = sized_text(lengths(3, 30), alphabet=FILENAME_CHARS, first=ALNUM)
        return st.one_of(
            base.map(lambda s: s[0] + "." + s[1:-1] + "." + s[-1]),
            st.tuples(st.sampled_from("-_."), base).map(lambda t: t[0] + t[1][1:]),
            _insert(base, st.sampled_from(FILENAME_BAD_CHARS)),
        )
    raise invalid("member", name, "this member has no pattern in the model")


def out_of_range(member: Member, kind: str) -> st.SearchStrategy[int]:
    """Integers just past (and far past) ``member``'s minimum or maximum, within int32."""
    assert member.minimum is not None and member.maximum is not None
    if kind == "minimum":
        edge = member.minimum - 1
        return st.one_of(
            st.sampled_from(sorted({edge, 0, -1, INT32[0]} - {member.minimum})),
            st.integers(INT32[0], edge),
        )
    edge = member.maximum + 1
    return st.one_of(st.sampled_from((edge, edge + 1, INT32[1])), st.integers(edge, INT32[1]))


def violating_values(member: Member, kind: str) -> st.SearchStrategy[Any]:
    """Values of ``member`` breaking exactly the constraint ``kind``."""
    if kind == "max_length" and member.max_length is not None:
        return too_long(member)
    if kind == "min_length" and member.min_length:
        return st.just("")
    if kind == "pattern" and member.pattern is not None:
        return off_pattern(member)
    if kind in ("minimum", "maximum") and member.type == "integer":
        return out_of_range(member, kind)
    if kind == "type" and member.type == "integer":
        return st.sampled_from(NOT_INTEGERS)
    raise invalid("kind", kind, f"{member.name} has no such constraint to break")
