"""Mutants of the reference: each breaks exactly one guarantee, through one seam.

A mutant is `dataclasses.replace(DEFAULT_PARTS, <field>=<broken part>)`; the
broken parts live in this package's modules, one small class each. `MUTANTS`
names, for each, the behaviour it breaks and the narrowest selection of the
suite that judges it: the run of that selection must report the behaviour
`fail`, and the reference must pass the same selection.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mutants import (
    auth,
    container,
    front_end,
    ids,
    notifications,
    outputs,
    timing,
    validation,
    wire,
)
from mutants.runner import check
from reference.parts import DEFAULT_PARTS, Parts
from spec.catalogue import load_catalogue


@dataclass(frozen=True)
class Mutant:
    name: str
    behaviour: str
    selection: tuple[str, ...]
    build: Callable[[], dict[str, Any]]  # the replaced fields, built fresh per run
    # A known suite gap this mutant survives: why, precisely (the test is a strict xfail).
    survives: str = ""

    def parts(self) -> Parts:
        return dataclasses.replace(DEFAULT_PARTS, **self.build())


WIRE = "test_wire"
VALID_202 = check(WIRE, "test_every_valid_request_gets_202_with_inference_id_and_output_location")
INVALID = "test_an_invalid_request_is_rejected_with_validation_error"
OUTPUT = check("test_output", "test_each_request_gets_its_own_output_under_the_output_path")
OUTPUT_BYTES = check("test_output", "test_the_output_holds_exactly_what_the_model_returned")
SUCCESS_NOTE = check("test_notifications", "test_a_success_publishes_one_complete_message")
FAILURE_NOTE = check("test_notifications", "test_a_failure_publishes_one_error_message")
FAILURE = check("test_failure")
AUTH = check("test_auth")
HEADERS = "test_headers"

# A validator that skips the rules of one behaviour, for each MUST naming constraints in the
# catalogue (the reference's rules are named like the catalogue's constraints: Member.kind).
SKIPPED_RULES: dict[str, tuple[str, ...]] = {
    b.id: b.constraints for b in load_catalogue().musts() if b.constraints
}


def _skips(behaviour: str, rules: tuple[str, ...]) -> Mutant:
    name = "skips-" + "+".join(rules).replace(".", "-").lower()

    def build() -> dict[str, Any]:
        parts: dict[str, Any] = {"validator": validation.skipping(*rules)}
        if any(rule.startswith("EndpointName.") for rule in rules):
            # Without it the lookup's own "not found" ValidationError keeps the
            # guarantee: skipping the rule alone is an equivalent mutant.
            parts["responder"] = wire.UnknownEndpointIs404()
        return parts

    return Mutant(name, behaviour, check("test_validation", f"{INVALID}[{behaviour}]"), build)


MUTANTS: tuple[Mutant, ...] = (
    # -- the answer ------------------------------------------------------------------
    Mutant("answers-200", "IEA-WIRE-001", VALID_202,
           lambda: {"responder": wire.Answers200()}),
    Mutant("no-inference-id-in-body", "IEA-WIRE-002", VALID_202,
           lambda: {"responder": wire.NoInferenceIdInBody()}),
    Mutant("no-output-location-header", "IEA-WIRE-003", VALID_202,
           lambda: {"responder": wire.NoOutputLocationHeader()}),
    Mutant("no-failure-location-header", "IEA-WIRE-004",
           check(WIRE, "test_failure_location_is_announced_when_a_failure_path_is_configured"),
           lambda: {"responder": wire.NoFailureLocationHeader()}),
    Mutant("untyped-errors", "IEA-WIRE-005",
           check(WIRE, "test_errors_use_the_rest_json_error_shape"),
           lambda: {"responder": wire.UntypedErrors()}),
    Mutant("result-in-the-response", "IEA-WIRE-006",
           check(WIRE, "test_the_response_never_carries_the_inference_result"),
           lambda: {"responder": wire.ResultInTheResponse(), "dispatcher": wire.Synchronous()}),
    Mutant("synchronous", "IEA-ASYNC-001", check("test_asynchrony"),
           lambda: {"dispatcher": wire.Synchronous()}),
    # -- validation ------------------------------------------------------------------
    *(_skips(behaviour, rules) for behaviour, rules in SKIPPED_RULES.items()),
    Mutant("queues-before-validating", "IEA-VAL-022",
           check("test_validation", "test_a_rejected_request_is_never_queued"),
           lambda: {"validator": wire.AcceptsEverything(),
                    "dispatcher": wire.QueuesBeforeValidating()}),
    # -- the header-octet rule (non-ASCII / TAB: 400 or a 403 signature error) ----------
    # (c) is skips-contenttype-pattern above: a non-ASCII ContentType accepted with 202 and run.
    Mutant("answers-403-but-queues", "IEA-VAL-027",
           check("test_validation", "test_a_rejected_request_is_never_queued"),
           lambda: {"validator": front_end.without_rule_patterns(),
                    "dispatcher": front_end.QueuesThenRefusesSignature()}),
    Mutant("long-ascii-header-fails-signature", "IEA-VAL-007",
           check("test_validation", f"{INVALID}[IEA-VAL-007]"),
           lambda: {"authenticator": front_end.LongHeadersFailSignature()}),
    Mutant("empty-error-messages", "IEA-VAL-026",
           check("test_validation", f"{INVALID}[IEA-VAL-017]"),
           lambda: {"responder": wire.EmptyErrorMessages()}),
    # -- InferenceId -----------------------------------------------------------------
    Mutant("ignores-supplied-id", "IEA-ID-001",
           check("test_inference_id", "test_a_supplied_inference_id_is_echoed_exactly"),
           lambda: {"inference_ids": ids.IgnoresSuppliedIds()}),
    Mutant("generates-no-id", "IEA-ID-002",
           check("test_inference_id", "test_generated_inference_ids_are_present_and_unique"),
           lambda: {"inference_ids": ids.EmptyGeneratedIds()}),
    Mutant("reuses-generated-id", "IEA-ID-003",
           check("test_inference_id", "test_generated_inference_ids_are_present_and_unique"),
           lambda: {"inference_ids": ids.ReusedGeneratedIds()}),
    # -- what the model receives -----------------------------------------------------
    Mutant("forwards-client-headers", "IEA-HDR-001",
           check(HEADERS, "test_unsupported_headers_never_reach_the_model"),
           lambda: {"header_forwarder": container.ForwardsClientHeaders()}),
    Mutant("alters-custom-attributes", "IEA-HDR-002",
           check(HEADERS, "test_custom_attributes_reach_the_model_verbatim"),
           lambda: {"header_forwarder": container.AppendsToCustomAttributes()}),
    Mutant("fixed-content-type", "IEA-HDR-003",
           check(HEADERS, "test_content_type_and_accept_reach_the_model"),
           lambda: {"header_forwarder": container.FixedContentType()}),
    Mutant("drops-accept", "IEA-HDR-004",
           check(HEADERS, "test_content_type_and_accept_reach_the_model"),
           lambda: {"header_forwarder": container.DropsAccept()}),
    Mutant("truncates-s3-input", "IEA-HDR-005",
           check(HEADERS, "test_the_input_payload_reaches_the_model_byte_for_byte"),
           lambda: {"payload": container.TruncatesS3Input()}),
    Mutant("refuses-inline-body", "IEA-BODY-001",
           check("test_inline_body", "test_an_inline_body_is_accepted"),
           lambda: {"validator": validation.refusing_inline_body()}),
    Mutant("terminates-inline-body", "IEA-BODY-002",
           check("test_inline_body", "test_an_inline_body_reaches_the_model_byte_for_byte"),
           lambda: {"payload": container.TerminatesInlineBody()}),
    # -- outputs and failures --------------------------------------------------------
    Mutant("output-outside-the-path", "IEA-OUT-001", OUTPUT,
           lambda: {"locations": outputs.OutputOutsideThePath()}),
    Mutant("one-output-location", "IEA-OUT-002", OUTPUT,
           lambda: {"locations": outputs.OneOutputLocation()}),
    Mutant("writes-both", "IEA-OUT-003", OUTPUT,
           lambda: {"outcome_writer": outputs.WritesBoth()}),
    Mutant("writes-neither", "IEA-OUT-003", OUTPUT,
           lambda: {"outcome_writer": outputs.WritesNeither()}),
    Mutant("json-wrapped-output", "IEA-OUT-004", OUTPUT_BYTES,
           lambda: {"outcome_writer": outputs.JsonWrappedOutput()}),
    Mutant("writes-beside-the-announced-location", "IEA-OUT-005", OUTPUT,
           lambda: {"outcome_writer": outputs.WritesBesideTheAnnouncedLocation()}),
    Mutant("no-failure-object", "IEA-FAIL-001", FAILURE,
           lambda: {"outcome_writer": outputs.NoFailureObject()}),
    Mutant("failure-also-writes-output", "IEA-FAIL-002", FAILURE,
           lambda: {"outcome_writer": outputs.FailureAlsoWritesOutput()}),
    Mutant("failure-under-the-output-path", "IEA-FAIL-003", FAILURE,
           lambda: {"locations": outputs.FailureUnderTheOutputPath()}),
    Mutant("ignores-extension", "IEA-PATH-001",
           check("test_output_path", "test_the_extension_is_appended_to_the_output_path"),
           lambda: {"locations": outputs.IgnoresExtension()}),
    Mutant("ignores-filename", "IEA-PATH-002",
           check("test_output_path", "test_filename_names_the_output_object"),
           lambda: {"locations": outputs.IgnoresFilename()}),
    # -- time and capacity -----------------------------------------------------------
    Mutant("never-expires", "IEA-TTL-001",
           check("test_ttl", "test_an_expired_request_never_reaches_the_model"),
           lambda: {"expiry": timing.NeverExpires()}),
    Mutant("expired-written-as-output", "IEA-TTL-002",
           check("test_ttl", "test_an_expired_request_is_reported_failed"),
           lambda: {"outcome_writer": outputs.ExpiredWrittenAsOutput()}),
    Mutant("expires-at-once", "IEA-TTL-003",
           check("test_ttl", "test_a_request_processed_within_its_ttl_is_not_expired"),
           lambda: {"expiry": timing.ExpiresAtOnce()}),
    Mutant("ignores-timeout", "IEA-TMO-001",
           check("test_timeout", "test_an_invocation_past_its_timeout_fails"),
           lambda: {"invocation_timeout": timing.IgnoresTimeout()}),
    Mutant("timeout-in-milliseconds", "IEA-TMO-002",
           check("test_timeout", "test_an_invocation_within_its_timeout_succeeds"),
           lambda: {"invocation_timeout": timing.TimeoutInMilliseconds()}),
    Mutant("one-worker-too-many", "IEA-CONC-001",
           check("test_concurrency", "test_no_more_invocations_run_at_once_than_the_limit"),
           lambda: {"concurrency": timing.OneWorkerTooMany()}),
    Mutant("throttles-beyond-the-limit", "IEA-CONC-002",
           check("test_concurrency", "test_requests_beyond_the_limit_are_queued_and_complete"),
           lambda: {"dispatcher": wire.ThrottlesBeyondTheLimit()}),
    # -- notifications ---------------------------------------------------------------
    Mutant("duplicates-success", "IEA-NOTIF-001", SUCCESS_NOTE,
           lambda: {"notifier": notifications.DuplicatesSuccess()}),
    Mutant("drops-success", "IEA-NOTIF-001", SUCCESS_NOTE,
           lambda: {"notifier": notifications.DropsSuccess()}),
    Mutant("errors-to-success-topic", "IEA-NOTIF-002", FAILURE_NOTE,
           lambda: {"notifier": notifications.ErrorsToSuccessTopic()}),
    Mutant("no-event-source", "IEA-NOTIF-003", SUCCESS_NOTE,
           lambda: {"notifier": notifications.NoEventSource()}),
    Mutant("no-failure-reason", "IEA-NOTIF-004", FAILURE_NOTE,
           lambda: {"notifier": notifications.NoFailureReason()}),
    Mutant("https-output-location", "IEA-NOTIF-005", SUCCESS_NOTE,
           lambda: {"notifier": notifications.HttpsOutputLocation()}),
    Mutant("plain-response-body", "IEA-NOTIF-006", SUCCESS_NOTE,
           lambda: {"notifier": notifications.PlainResponseBody()}),
    # -- authentication --------------------------------------------------------------
    Mutant("accepts-unsigned", "IEA-AUTH-001", AUTH,
           lambda: {"authenticator": auth.AcceptsUnsigned()}),
    Mutant("ignores-signature", "IEA-AUTH-002", AUTH,
           lambda: {"authenticator": auth.IgnoresSignature()}),
    Mutant("accepts-unknown-keys", "IEA-AUTH-003", AUTH,
           lambda: {"authenticator": auth.AcceptsUnknownKeys()}),
    Mutant("nine-days-of-skew", "IEA-AUTH-004", AUTH,
           lambda: {"authenticator": auth.nine_days_of_skew()}),
    Mutant("trusts-declared-payload-hash", "IEA-AUTH-005", AUTH,
           lambda: {"authenticator": auth.TrustsDeclaredPayloadHash()}),
)

__all__ = ["MUTANTS", "Mutant"]
