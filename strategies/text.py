"""Building blocks: alphabets and sized strings with their edge lengths mixed in.

Long values (1,024 characters, 128,000 bytes) are built by repeating a short
random chunk, so an edge length never exhausts Hypothesis's data buffer.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

VISIBLE = "".join(chr(c) for c in range(0x21, 0x7F))  # RFC 7230 VCHAR
PRINTABLE = " " + VISIBLE  # \p{Print}
ALNUM = string.ascii_letters + string.digits
DIRECT_LIMIT = 64


def lengths(min_size: int, max_size: int) -> st.SearchStrategy[int]:
    """Lengths in [min_size, max_size]: the edges (min, min+1, max-1, max) mixed in."""
    edges = sorted(
        {n for n in (min_size, min_size + 1, max_size - 1, max_size) if min_size <= n <= max_size}
    )
    small = st.integers(min_size, min(max_size, min_size + DIRECT_LIMIT))
    return st.one_of(st.sampled_from(edges), small, st.integers(min_size, max_size))


def _stretch(chunk: str, size: int) -> str:
    return (chunk * (size // len(chunk) + 1))[:size]


def sized_text(
    sizes: st.SearchStrategy[int],
    *,
    alphabet: str,
    first: str | None = None,
    last: str | None = None,
) -> st.SearchStrategy[str]:
    """Strings over ``alphabet`` whose length is drawn from ``sizes``.

    ``first``/``last``, when given, constrain the first and last character.
    """

    @st.composite
    def build(draw: st.DrawFn) -> str:
        size = draw(sizes)
        if size == 0:
            return ""
        if size <= DIRECT_LIMIT:
            chars = list(draw(st.text(alphabet, min_size=size, max_size=size)))
        else:
            chunk = draw(st.text(alphabet, min_size=1, max_size=16))
            chars = list(_stretch(chunk, size))
        if first is not None and chars[0] not in first:
            chars[0] = draw(st.sampled_from(first))
        if last is not None and chars[-1] not in last:
            chars[-1] = draw(st.sampled_from(last))
        return "".join(chars)

    return build()


def sized_binary(sizes: st.SearchStrategy[int]) -> st.SearchStrategy[bytes]:
    """Byte strings whose length is drawn from ``sizes``."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        size = draw(sizes)
        if size <= DIRECT_LIMIT:
            return draw(st.binary(min_size=size, max_size=size))
        chunk = draw(st.binary(min_size=1, max_size=16))
        return (chunk * (size // len(chunk) + 1))[:size]

    return build()
