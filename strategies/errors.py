"""The one exception strategies raise for bad arguments."""

from __future__ import annotations

from typing import Any

from hypothesis.errors import InvalidArgument as HypothesisInvalidArgument


class InvalidArgument(HypothesisInvalidArgument, ValueError):
    """A strategy was called with an argument it cannot honour.

    The message reads ``name=value`` followed by a hint, e.g.
    ``max_size=2000: InvokeEndpointAsyncInput.CustomAttributes is at most 1024 long``.
    """


def invalid(name: str, value: Any, hint: str) -> InvalidArgument:
    return InvalidArgument(f"{name}={value!r}: {hint}")


def check_size_range(
    min_size: int, max_size: int, *, lowest: int, highest: int, member: str
) -> None:
    """Validate ``min_size``/``max_size`` against the model's bounds for ``member``."""
    for name, value in (("min_size", min_size), ("max_size", max_size)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(name, value, "must be an int")
    if min_size < lowest:
        raise invalid("min_size", min_size, f"{member} is at least {lowest} long (AWS model)")
    if max_size > highest:
        raise invalid("max_size", max_size, f"{member} is at most {highest} long (AWS model)")
    if min_size > max_size:
        raise invalid("min_size", min_size, f"must not exceed max_size={max_size}")
