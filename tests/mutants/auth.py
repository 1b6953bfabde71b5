"""Mutants of SigV4 verification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from mutants.mutant import Mutant
from reference import sigv4
from reference.errors import ServiceError
from reference.parts import SigV4Authenticator

MISMATCH = "The request signature we calculated does not match"


@dataclass(frozen=True)
class AcceptsUnsigned(SigV4Authenticator):
    """IEA-AUTH-001: a request with no Authorization header is let in anonymously."""

    def authenticate(
        self, request: sigv4.SignedRequest, *, keys: Mapping[str, str], region: str, now: datetime
    ) -> str:
        if not request.headers.get("Authorization"):
            return "anonymous"
        return super().authenticate(request, keys=keys, region=region, now=now)


@dataclass(frozen=True)
class LetsInOnRejection(SigV4Authenticator):
    """Runs the real verification, then lets in the requests one rejection names."""

    def admits(self, error: ServiceError) -> bool:
        raise NotImplementedError

    def authenticate(
        self, request: sigv4.SignedRequest, *, keys: Mapping[str, str], region: str, now: datetime
    ) -> str:
        try:
            return super().authenticate(request, keys=keys, region=region, now=now)
        except ServiceError as error:
            if not self.admits(error):
                raise
            return sigv4.parse_authorization(request.headers["Authorization"]).access_key


@dataclass(frozen=True)
class IgnoresSignature(LetsInOnRejection):
    """IEA-AUTH-002: key, scope and date are checked; the signature itself is not."""

    def admits(self, error: ServiceError) -> bool:
        return error.message.startswith(MISMATCH)


@dataclass(frozen=True)
class AcceptsUnknownKeys(LetsInOnRejection):
    """IEA-AUTH-003: a key the service does not know is let in (fail-open key lookup)."""

    def admits(self, error: ServiceError) -> bool:
        return error.code == "UnrecognizedClientException"


def nine_days_of_skew() -> SigV4Authenticator:
    """IEA-AUTH-004: signatures up to nine days old (or early) are accepted."""
    return SigV4Authenticator(max_skew=timedelta(days=9))


@dataclass(frozen=True)
class TrustsDeclaredPayloadHash(SigV4Authenticator):
    """IEA-AUTH-005: when the client signs an X-Amz-Content-Sha256 header (as S3 clients do),
    the service trusts it and skips comparing the signature over the body it received."""

    def authenticate(
        self, request: sigv4.SignedRequest, *, keys: Mapping[str, str], region: str, now: datetime
    ) -> str:
        try:
            return super().authenticate(request, keys=keys, region=region, now=now)
        except ServiceError as error:
            if not error.message.startswith(MISMATCH):
                raise
            auth = sigv4.parse_authorization(request.headers["Authorization"])
            if "x-amz-content-sha256" not in auth.signed_headers:
                raise
            return auth.access_key


MUTANTS: tuple[Mutant, ...] = (
    Mutant("accepts-unsigned", "IEA-AUTH-001", lambda: {"authenticator": AcceptsUnsigned()}),
    Mutant("ignores-signature", "IEA-AUTH-002", lambda: {"authenticator": IgnoresSignature()}),
    Mutant("accepts-unknown-keys", "IEA-AUTH-003",
           lambda: {"authenticator": AcceptsUnknownKeys()}),
    Mutant("nine-days-of-skew", "IEA-AUTH-004", lambda: {"authenticator": nine_days_of_skew()}),
    Mutant("trusts-declared-payload-hash", "IEA-AUTH-005",
           lambda: {"authenticator": TrustsDeclaredPayloadHash()}),
)
