"""Instructions for the probe model container (``reference.probe``).

The probe reads a JSON object from its payload and obeys it: sleep, answer
with a status, return a number of bytes with a Content-Type, set
X-Amzn-SageMaker-Custom-Attributes on its response, and echo a tag so the
outcome can be matched to the request. Container contract: SageMaker developer
guide, "Use your own inference code with hosting services".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from strategies.errors import invalid
from strategies.text import ALNUM
from strategies.values import MEDIA_TYPES, custom_attributes

FAILURE_STATUSES: tuple[int, ...] = (400, 404, 424, 500, 502, 503)


def _non_negative(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid(name, value, "must be an int >= 0")
    return value


def _sizes(max_body_bytes: int) -> st.SearchStrategy[int]:
    return st.one_of(
        st.sampled_from(sorted({0, 1, max_body_bytes})), st.integers(0, max_body_bytes)
    )


def answer_sizes(*, max_body_bytes: int = 4096) -> st.SearchStrategy[int | None]:
    """How many bytes the probe answers with: ``None`` (its record of the request, the
    default answer) or 0..max_body_bytes with 0, 1 and the maximum mixed in."""
    return st.none() | _sizes(_non_negative("max_body_bytes", max_body_bytes))


def model_failures() -> st.SearchStrategy[int]:
    """A status the probe fails with (``FAILURE_STATUSES``): what a model may answer."""
    return st.sampled_from(FAILURE_STATUSES)


def probe_instructions(
    *,
    max_sleep_ms: int = 0,
    max_body_bytes: int = 4096,
    statuses: Sequence[int] = (200,),
) -> st.SearchStrategy[dict[str, Any]]:
    """Probe instruction dicts: ``tag`` always; ``sleep_ms``, ``status``, ``body_bytes``,
    ``content_type`` and ``custom_attributes`` each present or not.

    ``sleep_ms`` is in 0..max_sleep_ms (absent when that is 0); ``status`` is drawn
    from ``statuses`` (``FAILURE_STATUSES`` lists what a model may fail with);
    ``body_bytes`` is in 0..max_body_bytes with 0, 1 and the maximum mixed in.
    ``tag`` is 20 random alphanumerics, unique enough to find the request later.
    """
    max_sleep_ms = _non_negative("max_sleep_ms", max_sleep_ms)
    max_body_bytes = _non_negative("max_body_bytes", max_body_bytes)
    codes = tuple(statuses)
    if not codes or any(not isinstance(c, int) or not 100 <= c <= 599 for c in codes):
        raise invalid("statuses", statuses, "a non-empty sequence of HTTP status codes")
    sizes = _sizes(max_body_bytes)
    optional: dict[str, st.SearchStrategy[Any]] = {
        "status": st.sampled_from(codes),
        "body_bytes": sizes,
        "content_type": st.sampled_from(MEDIA_TYPES),
        "custom_attributes": custom_attributes(max_size=256),
    }
    if max_sleep_ms:
        optional["sleep_ms"] = st.one_of(
            st.sampled_from(sorted({0, max_sleep_ms})), st.integers(0, max_sleep_ms)
        )
    return st.fixed_dictionaries(
        {"tag": st.text(ALNUM, min_size=20, max_size=20)}, optional=optional
    )
