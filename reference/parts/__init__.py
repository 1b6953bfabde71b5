"""The replaceable parts the reference service is built from.

Each field of `Parts` is one policy with a small protocol (see its module). The
defaults keep the contract; a mutant or a conforming variant replaces exactly
one, e.g. `dataclasses.replace(DEFAULT_PARTS, inference_ids=ReusingIds())`.
The service has no other switches: what differs between targets lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reference.parts.auth import Authenticator, SigV4Authenticator
from reference.parts.dispatch import Dispatcher, QueueDispatcher
from reference.parts.forwarding import (
    ApiHeaderForwarder,
    ExactPayload,
    HeaderForwarder,
    PayloadForwarder,
)
from reference.parts.front_end import HeaderReader, Latin1Headers, Utf8Headers
from reference.parts.ids import InferenceIds, Uuid4Ids
from reference.parts.locations import LocationPlanner, UuidLocations
from reference.parts.notifications import Notification, Notifier, SageMakerNotifier
from reference.parts.outcomes import ExactOutcomeWriter, OutcomeWriter, S3Write
from reference.parts.responses import Responder, RestJsonResponder
from reference.parts.timing import (
    Concurrency,
    Expiry,
    InvocationTimeout,
    PerInstanceConcurrency,
    ScaledTimeout,
    TtlExpiry,
)
from reference.parts.validation import Rule, RuleValidator, Validator, default_validator


@dataclass(frozen=True)
class Parts:
    authenticator: Authenticator
    validator: Validator
    inference_ids: InferenceIds
    header_forwarder: HeaderForwarder
    locations: LocationPlanner
    outcome_writer: OutcomeWriter
    expiry: Expiry
    invocation_timeout: InvocationTimeout
    concurrency: Concurrency
    notifier: Notifier
    responder: Responder
    dispatcher: Dispatcher
    # Last and defaulted, so targets built before it existed keep working.
    payload: PayloadForwarder = field(default_factory=ExactPayload)
    header_reader: HeaderReader = field(default_factory=Utf8Headers)


DEFAULT_VALIDATOR: RuleValidator = default_validator()

DEFAULT_PARTS = Parts(
    authenticator=SigV4Authenticator(),
    validator=DEFAULT_VALIDATOR,
    inference_ids=Uuid4Ids(),
    header_forwarder=ApiHeaderForwarder(),
    locations=UuidLocations(),
    outcome_writer=ExactOutcomeWriter(),
    expiry=TtlExpiry(),
    invocation_timeout=ScaledTimeout(),
    concurrency=PerInstanceConcurrency(),
    notifier=SageMakerNotifier(),
    responder=RestJsonResponder(),
    dispatcher=QueueDispatcher(),
)

__all__ = [
    "DEFAULT_PARTS",
    "DEFAULT_VALIDATOR",
    "ApiHeaderForwarder",
    "Authenticator",
    "Concurrency",
    "Dispatcher",
    "ExactOutcomeWriter",
    "ExactPayload",
    "Expiry",
    "HeaderForwarder",
    "HeaderReader",
    "InferenceIds",
    "InvocationTimeout",
    "Latin1Headers",
    "LocationPlanner",
    "Notification",
    "Notifier",
    "OutcomeWriter",
    "Parts",
    "PayloadForwarder",
    "PerInstanceConcurrency",
    "QueueDispatcher",
    "Responder",
    "RestJsonResponder",
    "Rule",
    "RuleValidator",
    "S3Write",
    "SageMakerNotifier",
    "ScaledTimeout",
    "SigV4Authenticator",
    "TtlExpiry",
    "Utf8Headers",
    "Uuid4Ids",
    "Validator",
]
