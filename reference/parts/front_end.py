"""Front-end part: how the header octets on the wire become the text SigV4 and validation read.

RFC 9110 leaves octets beyond ASCII in a field value opaque (obs-text). aiohttp
decodes them as UTF-8 (with surrogate escapes, so the octets stay recoverable);
Python's http.server, many servlet containers and, by public reports, AWS's own
front ends read them as ISO-8859-1. A client such as botocore sends a non-ASCII
value as its UTF-8 octets and signs its characters, so which reading a server
uses decides whether such a request fails its signature before it is validated.
Both are faithful HTTP; the part is the seam a variant uses to be the other stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from multidict import CIMultiDict, CIMultiDictProxy

RawHeaders = Sequence[tuple[bytes, bytes]]


class HeaderReader(Protocol):
    def read(
        self, raw_headers: RawHeaders, decoded: CIMultiDictProxy[str]
    ) -> CIMultiDictProxy[str]:
        """The request headers as text: ``raw_headers`` are the octets as received,
        ``decoded`` is what the HTTP server (aiohttp) made of them."""
        ...


@dataclass(frozen=True)
class Utf8Headers:
    """aiohttp's own reading: header octets decoded as UTF-8 (surrogate escapes kept)."""

    def read(
        self, raw_headers: RawHeaders, decoded: CIMultiDictProxy[str]
    ) -> CIMultiDictProxy[str]:
        return decoded


@dataclass(frozen=True)
class Latin1Headers:
    """Header octets read as ISO-8859-1, one character per octet, as http.server does.

    Names and values are taken from the raw octets, never from aiohttp's UTF-8
    text, so a non-ASCII value reaches SigV4 and validation as different
    characters from the ones the client signed.
    """

    def read(
        self, raw_headers: RawHeaders, decoded: CIMultiDictProxy[str]
    ) -> CIMultiDictProxy[str]:
        headers: CIMultiDict[str] = CIMultiDict()
        for name, value in raw_headers:
            headers.add(name.decode("latin-1"), value.decode("latin-1"))
        return CIMultiDictProxy(headers)
