"""Authentication part: decides whether a request is signed by a known key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from reference import sigv4


class Authenticator(Protocol):
    def authenticate(
        self,
        request: sigv4.SignedRequest,
        *,
        keys: Mapping[str, str],
        region: str,
        now: datetime,
    ) -> str:
        """Return the caller's access key or raise a 403 `ServiceError`."""
        ...


@dataclass(frozen=True)
class SigV4Authenticator:
    """SigV4 with signing name `sagemaker`; `max_skew` is the allowed clock difference;
    `canonical_value` how a header value is canonicalized (botocore's rule by default)."""

    service: str = "sagemaker"
    max_skew: timedelta = sigv4.MAX_SKEW
    canonical_value: sigv4.CanonicalValue = sigv4.collapse_white_space

    def authenticate(
        self,
        request: sigv4.SignedRequest,
        *,
        keys: Mapping[str, str],
        region: str,
        now: datetime,
    ) -> str:
        return sigv4.verify(
            request,
            keys=keys,
            region=region,
            service=self.service,
            now=now,
            max_skew=self.max_skew,
            canonical_value=self.canonical_value,
        )
