"""Mutants around the header-octet rule: a 403 must really reject, and must not be a cover.

Under ``spec.contract.HEADER_OCTET_RULE`` a target may answer a non-ASCII (or inner
TAB) header value with a 403 signature error instead of 400 ValidationError. These
break what the rule still demands: that the request is never queued, and that a
403 is never given where only printable ASCII was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from mutants.mutant import Mutant
from reference import sigv4
from reference.errors import INVALID_SIGNATURE, auth_error
from reference.jobs import Job, Outcome
from reference.parts import DEFAULT_VALIDATOR, QueueDispatcher, RuleValidator, SigV4Authenticator
from reference.parts.dispatch import Enqueue

RULE_PATTERNS = ("ContentType.pattern", "Accept.pattern", "CustomAttributes.pattern",
                 "InferenceId.pattern")
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method."
)


def _octet_sensitive(value: str | None) -> bool:
    return value is not None and ("\t" in value or not value.isascii())


def without_rule_patterns() -> RuleValidator:
    """The reference validator without the four rules only non-ASCII or a TAB can break."""
    return DEFAULT_VALIDATOR.without(*RULE_PATTERNS)


@dataclass(frozen=True)
class QueuesThenRefusesSignature(QueueDispatcher):
    """IEA-VAL-027 (and -028..-030): a non-ASCII or TAB-holding header value gets the 403
    InvalidSignatureException an ISO-8859-1 front end would give, but only after the
    request was queued: it runs, is written and notified anyway."""

    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        await enqueue(job)
        request = job.request
        values = (request.content_type, request.accept, request.custom_attributes,
                  request.inference_id)
        if any(_octet_sensitive(v) for v in values):
            raise auth_error(INVALID_SIGNATURE, MISMATCH)
        return None


@dataclass(frozen=True)
class LongHeadersFailSignature(SigV4Authenticator):
    """IEA-VAL-007 (and -003, -005, -011): a header value over 1,024 characters of printable
    ASCII is refused as a signature error, as if it were the header-octet rule's case."""

    limit: int = 1024

    def authenticate(
        self, request: sigv4.SignedRequest, *, keys: Mapping[str, str], region: str, now: datetime
    ) -> str:
        if any(len(value) > self.limit for value in request.headers.values()):
            raise auth_error(INVALID_SIGNATURE, MISMATCH)
        return super().authenticate(request, keys=keys, region=region, now=now)


MUTANTS: tuple[Mutant, ...] = (
    # (c) is skips-contenttype-pattern (validation): a non-ASCII ContentType accepted and run.
    Mutant("answers-403-but-queues", "IEA-VAL-027",
           lambda: {"validator": without_rule_patterns(),
                    "dispatcher": QueuesThenRefusesSignature()},
           through="IEA-VAL-022"),
    Mutant("long-ascii-header-fails-signature", "IEA-VAL-007",
           lambda: {"authenticator": LongHeadersFailSignature()}),
)
