"""The derandomized request corpus ``conformance diff`` sends to both targets.

Designed entries (one per observable guarantee: success, failure, inline body,
InferenceId echo, output path, CustomAttributes, every SigV4 fault) plus
Hypothesis-generated ones drawn under a fixed seed: the same seed and example
count give the same requests, so both targets get exactly the same corpus.
Placeholders stand for what differs per target (endpoint name, input location)
and are filled in when the entry is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from conformance.endpoint_config import SAFE_TIMEOUT_SECONDS, SAFE_TTL_SECONDS
from strategies.requests import invalid_requests, valid_requests, violations

ENDPOINT = "corpus-endpoint-placeholder"
INPUT = "s3://corpus-input-placeholder/input"


@dataclass(frozen=True)
class Origin:
    """Where a generated entry came from: enough to draw it, or its neighbours, again."""

    strategy: str  # "valid" or "invalid"
    at_seed: int
    index: int
    revision: str
    behaviour: str | None = None  # the violated behaviour of an invalid request

    def search_strategy(self) -> st.SearchStrategy[dict[str, Any]]:
        """The strategy the entry was drawn from, as the params the corpus sends."""
        if self.strategy == "valid":
            valid = valid_requests(
                revision=self.revision, endpoint_name=ENDPOINT, input_location=INPUT
            )
            return valid.map(corpus_params)
        invalid = invalid_requests(
            revision=self.revision,
            endpoint_name=ENDPOINT,
            input_location=INPUT,
            behaviours=[self.behaviour or ""],
        )
        return invalid.map(lambda request: dict(request.params))


def corpus_params(params: dict[str, Any]) -> dict[str, Any]:
    """A drawn valid request as the corpus sends it."""
    params = dict(params)
    # Timing is the slow scenarios' business: a drawn TTL of 60 s (3 s on a fast
    # clock) must not turn a comparison of answers into a race.
    params["RequestTTLSeconds"] = SAFE_TTL_SECONDS
    if "InvocationTimeoutSeconds" in params:
        params["InvocationTimeoutSeconds"] = SAFE_TIMEOUT_SECONDS
    return params


@dataclass(frozen=True)
class Entry:
    """One request of the corpus and the behaviours its observations speak to."""

    name: str
    params: dict[str, Any]
    behaviour: str
    payload: bytes = b'{"tag": "corpus"}'
    signing: dict[str, Any] = field(default_factory=lambda: {"sign": True})
    # aspect -> behaviour, where an aspect of this entry judges another behaviour
    aspects: dict[str, str] = field(default_factory=dict)
    rejected: bool = False  # the contract says: rejected (4xx)
    generated: str | None = None  # "seed S, example K of <strategy>"
    origin: Origin | None = None

    def for_aspect(self, aspect: str, default: str) -> str:
        return self.aspects.get(aspect, default)


def _probe(**instructions: Any) -> bytes:
    return json.dumps(instructions, sort_keys=True).encode()


def _base(**extra: Any) -> dict[str, Any]:
    return {
        "EndpointName": ENDPOINT,
        "ContentType": "application/json",
        "RequestTTLSeconds": SAFE_TTL_SECONDS,
        "InvocationTimeoutSeconds": SAFE_TIMEOUT_SECONDS,
        "InputLocation": INPUT,
        **extra,
    }


def designed() -> list[Entry]:
    inline = {k: v for k, v in _base().items() if k != "InputLocation"}
    return [
        Entry(
            "success",
            _base(),
            "IEA-WIRE-001",
            _probe(tag="success"),
            aspects={"notifications": "IEA-NOTIF-001"},
        ),
        Entry(
            "supplied-inference-id",
            _base(InferenceId="corpus-inference-id-0001"),
            "IEA-WIRE-001",
            _probe(tag="id"),
        ),
        Entry(
            "model-failure",
            _base(),
            "IEA-WIRE-001",
            _probe(status=500, tag="failure"),
            aspects={
                "outcome": "IEA-FAIL-001",
                "notifications": "IEA-NOTIF-002",
                "failure_content": "IEA-FAIL-004",
            },
        ),
        Entry(
            "inline-body",
            {**inline, "Body": _probe(tag="inline")},
            "IEA-BODY-001",
            aspects={"output_content": "IEA-BODY-002"},
        ),
        Entry(
            "custom-attributes",
            _base(CustomAttributes="corpus-attribute=1"),
            "IEA-WIRE-001",
            _probe(tag="attributes"),
            aspects={"output_content": "IEA-HDR-002"},
        ),
        Entry(
            "output-path-extension",
            _base(S3OutputPathExtension="corpus/extension"),
            "IEA-WIRE-001",
            _probe(tag="extension"),
            aspects={"output_location.stem": "IEA-PATH-001"},
        ),
        Entry(
            "filename",
            _base(Filename="corpus-output.json"),
            "IEA-WIRE-001",
            _probe(tag="filename"),
            aspects={"output_location.stem": "IEA-PATH-002"},
        ),
        Entry("unsigned", _base(), "IEA-AUTH-001", signing={"sign": False}, rejected=True),
        Entry(
            "wrong-signature",
            _base(),
            "IEA-AUTH-002",
            signing={"sign": True, "wrong_secret": True},
            rejected=True,
        ),
        Entry(
            "unknown-endpoint",
            _base(EndpointName="corpus-no-such-endpoint"),
            "IEA-VAL-023",
            rejected=True,
        ),
        Entry(
            "failure-with-extension",
            _base(S3OutputPathExtension="corpus/failed"),
            "IEA-WIRE-001",
            _probe(status=500, tag="failure-extension"),
            aspects={
                "failure_location.stem": "IEA-PATH-003",
                "outcome": "IEA-FAIL-001",
                "notifications": "IEA-NOTIF-002",
            },
        ),
        Entry(
            "unknown-access-key",
            _base(),
            "IEA-AUTH-003",
            signing={"sign": True, "foreign_key": True},
            rejected=True,
        ),
        Entry(
            "signing-date-skew",
            _base(),
            "IEA-AUTH-004",
            signing={"sign": True, "date_offset_seconds": -3600},
            rejected=True,
        ),
        Entry(
            "tampered-body",
            {**inline, "Body": _probe(tag="tampered")},
            "IEA-AUTH-005",
            signing={"sign": True, "tampered_body": True},
            rejected=True,
        ),
    ]


def _member_aspects(params: dict[str, Any]) -> dict[str, str]:
    """What a drawn request's members make its aspects speak to: the output object's
    name to Filename (or the path to S3OutputPathExtension), what the model received
    to CustomAttributes, as the designed entries say."""
    aspects: dict[str, str] = {}
    if "Filename" in params:
        aspects["output_location.stem"] = "IEA-PATH-002"
    elif "S3OutputPathExtension" in params:
        aspects["output_location.stem"] = "IEA-PATH-001"
    if "CustomAttributes" in params:
        aspects["output_content"] = "IEA-HDR-002"
    return aspects


def _draw(
    strategy: st.SearchStrategy[Any], *, count: int, at_seed: int, skip_simplest: bool = False
) -> list[Any]:
    """``count`` examples of ``strategy``, the same for the same seed.

    Hypothesis tries the simplest example first whatever the seed; ``skip_simplest``
    leaves it out, so that the seed chooses every example.
    """
    drawn: list[Any] = []
    skip = 1 if skip_simplest else 0
    count += skip

    @seed(at_seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        if len(drawn) < count:
            drawn.append(value)

    collect()
    return drawn[skip:]


def generated(*, at_seed: int, examples: int, revision: str) -> list[Entry]:
    """``examples`` valid requests, and one invalid request per validation behaviour."""
    entries: list[Entry] = []
    valid = valid_requests(revision=revision, endpoint_name=ENDPOINT, input_location=INPUT)
    drawn = _draw(valid, count=examples, at_seed=at_seed, skip_simplest=True)
    for index, params in enumerate(drawn):
        entries.append(
            Entry(
                f"valid-{index}",
                corpus_params(params),
                "IEA-WIRE-001",
                _probe(tag=f"valid-{index}"),
                aspects=_member_aspects(params),
                generated=f"seed {at_seed}, example {index} of valid_requests()",
                origin=Origin("valid", at_seed, index, revision),
            )
        )
    behaviours = sorted({b for _, _, b in violations(revision)})
    for behaviour in behaviours:
        strategy = invalid_requests(
            revision=revision,
            endpoint_name=ENDPOINT,
            input_location=INPUT,
            behaviours=[behaviour],
        )
        for index, invalid in enumerate(_draw(strategy, count=1, at_seed=at_seed)):
            entries.append(
                Entry(
                    f"invalid-{behaviour}-{index}",
                    dict(invalid.params),
                    behaviour,
                    rejected=True,
                    generated=f"seed {at_seed}, example {index} of "
                    f"invalid_requests(behaviours=[{behaviour!r}]) "
                    f"({invalid.violation.member} {invalid.violation.kind})",
                    origin=Origin("invalid", at_seed, index, revision, behaviour),
                )
            )
    return entries


def build_corpus(*, at_seed: int = 0, examples: int = 6, revision: str = "2026") -> list[Entry]:
    return designed() + generated(at_seed=at_seed, examples=examples, revision=revision)
