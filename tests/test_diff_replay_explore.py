"""Record, replay, diff and explore against real embedded stacks and moto_server.

Small corpora (the designed entries plus one generated valid request and one
invalid request per validation behaviour) keep each comparison to seconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mutants import MUTANTS

from conformance import recording
from conformance.corpus import Entry, _base, build_corpus
from conformance.diff_run import diff_targets, run_corpus
from conformance.embedded import start_embedded
from conformance.explore import explore
from conformance.replay import replay_and_compare, replay_with_notes
from conformance.session import ConformanceSession
from conformance.target import resolve_target
from conformance.transcript import (
    InvalidTranscript,
    Placeholders,
    read_transcript,
    shape_secrets,
)
from conformance_cli.livetargets import open_target
from conformance_cli.main import main
from reference.parts import DEFAULT_PARTS
from spec.questions import load_questions

DEADLINE = 8.0
PLANTED = "planted-secret-Zq81xv4KpW2"


def _opener(name: str, **kw: object) -> functools.partial:
    return functools.partial(open_target, name, outcome_deadline=DEADLINE, **kw)


@pytest.fixture(scope="module")
def corpus() -> list[Entry]:
    return build_corpus(at_seed=3, examples=1)


# One reference stack and one moto_server serve every test as the second target:
# a stack start costs seconds. The stack is also where a recorded suite run goes.
@pytest.fixture(scope="module")
def reference_stack() -> Iterator[Any]:
    embedded, settings = start_embedded(clock_scale=0.05)
    try:
        yield settings
    finally:
        embedded.stop()


@pytest.fixture(scope="module")
def reference(reference_stack: Any) -> Iterator[ConformanceSession]:
    env = dict(reference_stack.env)
    options = {
        "outcome_deadline": DEADLINE,
        "clock_scale": reference_stack.clock_scale,
        "scenario_endpoint_name": reference_stack.scenario_endpoint_name,
    }
    session = ConformanceSession(
        resolve_target(options, env, embedded_env=env), credentials_env=env
    )
    session.preflight()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture(scope="module")
def moto() -> Iterator[ConformanceSession]:
    with _opener("moto")() as session:
        yield session


def _shared(session: ConformanceSession) -> Any:
    return lambda: contextlib.nullcontext(session)


def test_the_corpus_is_the_same_for_the_same_seed(corpus: list[Entry]) -> None:
    again = build_corpus(at_seed=3, examples=1)
    assert [(e.name, e.params, e.payload) for e in again] == [
        (e.name, e.params, e.payload) for e in corpus
    ]
    other = build_corpus(at_seed=4, examples=1)
    assert [e.params for e in other] != [e.params for e in corpus]


def test_two_reference_stacks_do_not_disagree(
    corpus: list[Entry], reference: ConformanceSession
) -> None:
    # Two stacks: different endpoint and bucket names, ports, generated IDs and dates.
    a, b, found = diff_targets(corpus, _opener("reference"), _shared(reference))
    assert len(a.observations) == len(b.observations) == len(corpus)
    assert a.observations[0]["outcome"] == "output"
    assert a.observations[0]["notifications"], "the reference's notifications were not read"
    assert found == [], [(d.request, d.behaviour, d.aspect, d.a, d.b) for d in found]


def test_a_mutant_of_the_reference_shows_its_behaviours_as_disagreements(
    reference: ConformanceSession,
) -> None:
    # Three mutants in one service (they replace different parts): one stack for all.
    broken = {
        "answers-200": "IEA-WIRE-001",
        "alters-custom-attributes": "IEA-HDR-002",
        "ignores-filename": "IEA-PATH-002",
    }
    replaced: dict[str, Any] = {}
    for mutant in MUTANTS:
        if mutant.name in broken:
            replaced.update(mutant.build())
    parts = dataclasses.replace(DEFAULT_PARTS, **replaced)
    # Seed 0's first generated valid request has a Filename among other members.
    corpus = [e for e in build_corpus(at_seed=0, examples=1) if not e.rejected]
    _, _, found = diff_targets(corpus, _shared(reference), _opener("reference", parts=parts))
    seen = {(d.request, d.behaviour) for d in found}
    assert ("success", "IEA-WIRE-001") in seen, found
    assert ("custom-attributes", "IEA-HDR-002") in seen, found
    assert ("filename", "IEA-PATH-002") in seen, found

    # The generated request's Filename disagreement, shrunk by Hypothesis: the minimal
    # request keeps a Filename (what the mutant ignores) and drops what does not matter.
    stem = next(d for d in found if d.request == "valid-0" and d.aspect == "output_location.stem")
    assert stem.minimised is not None, stem
    original, minimal = stem.minimised["original"], stem.minimised["minimal"]
    assert "Filename" in minimal and set(minimal) < set(original), stem.minimised
    assert len(minimal["Filename"]) <= len(original["Filename"])
    assert stem.minimised["trials"] > 1
    # A disagreement every request shows (200 for 202) needs none of the drawn members.
    status = next(d for d in found if d.request == "valid-0" and d.aspect == "status")
    assert status.minimised is not None
    assert "Filename" not in status.minimised["minimal"], status.minimised


def test_a_recording_replays_against_the_reference_without_disagreement(
    tmp_path: Path, reference: ConformanceSession, moto: ConformanceSession
) -> None:
    transcript = tmp_path / "run.jsonl"
    planted = [
        Entry(
            "planted",
            _base(CustomAttributes=PLANTED),
            "IEA-WIRE-001",
            json.dumps({"tag": "planted", "note": PLANTED}).encode(),
        ),
        *build_corpus(at_seed=1, examples=1),
    ]
    with recording.recording(transcript), _opener("reference")() as session:
        run_corpus(session, planted)
        credentials = session.invoker._credentials.get_frozen_credentials()
    text = transcript.read_text(encoding="utf-8")
    for secret in (PLANTED, credentials.access_key, credentials.secret_key):
        assert secret not in text, "a secret reached the transcript"
    assert "conformance-" not in text.split("\n", 1)[1].replace("conformance-run-", "")
    records = read_transcript(transcript)
    kinds = {r["type"] for r in records}
    assert {"header", "input", "exchange", "outcome", "notification"} <= kinds, kinds

    a, _, found = replay_and_compare(transcript, reference, keep_pace=False)
    assert len(a.observations) == len(planted)
    assert found == [], [(d.request, d.behaviour, d.aspect, d.a, d.b) for d in found]

    _, _, against_moto = replay_and_compare(transcript, moto, keep_pace=False)
    assert {"IEA-WIRE-001", "IEA-OUT-001", "IEA-VAL-017"} <= {d.behaviour for d in against_moto}


def test_placeholders_are_stable_and_cover_accounts_and_arns() -> None:
    names = Placeholders()
    names.bucket("my-bucket")
    text = names.apply(
        "s3://my-bucket/x arn:aws:sns:us-east-1:123456789012:topic "
        "https://sqs.us-east-1.amazonaws.com/123456789012/q sha256:a123456789012b"
    )
    assert text == (
        "s3://<bucket-1>/x <arn-1> https://sqs.us-east-1.amazonaws.com/<account-1>/q "
        "sha256:a123456789012b"
    )
    assert names.apply("arn:aws:sns:us-east-1:123456789012:topic") == "<arn-1>"


def test_a_broken_transcript_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"type": "exchange", "t": 0}\n', encoding="utf-8")
    with pytest.raises(InvalidTranscript, match="seq"):
        read_transcript(path)
    code = main(["diff", "--against", str(path), "reference", "--report-dir", str(tmp_path)])
    assert code == 2
    assert main(["diff", "reference"]) == 2


@pytest.mark.parametrize("target", ["reference", "moto"])
def test_explore_answers_every_open_question(target: str, request: pytest.FixtureRequest) -> None:
    answers = explore(request.getfixturevalue(target))
    assert [a.question.id for a in answers] == [q.id for q in load_questions()]
    by_id = {a.question.id: a for a in answers}
    for answer in answers:
        assert answer.observed and "not answered" not in answer.summary, answer.summary
    if target == "reference":
        assert by_id["Q-HDR-001"].observed["response"]["status"] == 400
        assert by_id["Q-TTL-001"].observed["outcome"] == "failure"
    else:
        assert by_id["Q-HDR-001"].observed["response"]["status"] == 200


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def test_names_and_values_a_transcript_must_alter_still_replay(
    tmp_path: Path, reference: ConformanceSession, moto: ConformanceSession
) -> None:
    # A header name holding an account number, a value and a Filename holding the run's
    # CustomAttributes, an EndpointName holding it: none may reach the file, all replay.
    transcript = tmp_path / "altered.jsonl"
    account = "123456789012"
    with recording.recording(transcript):
        accepted = reference.invoke_probe(
            b'{"tag": "altered"}',
            extra_params={"CustomAttributes": PLANTED, "Filename": f"{PLANTED}.json"},
            extra_headers={f"X-Account.{account}": "kept-value", "X-Planted": f"v-{PLANTED}"},
        )
        rejected = reference.invoke_probe(
            b'{"tag": "unknown"}', extra_params={"EndpointName": f"no-such-{PLANTED}"}
        )
        reference.wait_for_outcomes([accepted])
    assert (accepted.status, rejected.status) == (202, 400)
    text = transcript.read_text(encoding="utf-8")
    assert PLANTED not in text and account not in text
    exchanges = [r for r in read_transcript(transcript) if r["type"] == "exchange"]
    for record in exchanges:
        assert all(_TOKEN.fullmatch(name) for name in record["request"]["headers"])
        assert "[REDACTED]" not in record["request"]["path"]
    headers = exchanges[0]["request"]["headers"]
    assert headers["x-redacted-1"] == "kept-value"
    assert headers["X-Amzn-SageMaker-Filename"] == "xxxxxxx-xxxxxx-Xx55xx5XxX5.json"

    _, b, found, notes = replay_with_notes(transcript, reference, keep_pace=False)
    assert found == [], [(d.request, d.behaviour, d.aspect, d.a, d.b) for d in found]
    assert [n["replayed"] for n in notes] == ["with stand-ins", "with stand-ins"], notes
    assert any("x-redacted-1" in why for why in notes[0]["why"]), notes
    assert [o["status"] for o in b.observations] == [202, 400]

    _, _, against_moto, _ = replay_with_notes(transcript, moto, keep_pace=False)
    assert {d.behaviour for d in against_moto} >= {"IEA-OUT-001"}, against_moto


def test_a_recorded_suite_run_replays_on_the_reference_and_splits_from_moto(
    tmp_path: Path,
    reference_stack: Any,
    reference: ConformanceSession,
    moto: ConformanceSession,
) -> None:
    # The suite at small size: a few checks, recorded as `--record` does and replayed.
    # The whole run (every check, standard depth) is `tox -e replay`.
    transcript = tmp_path / "suite.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONFORMANCE_"))}
    env.update(
        reference_stack.env,
        CONFORMANCE_CLOCK_SCALE=str(reference_stack.clock_scale),
        CONFORMANCE_SCENARIO_ENDPOINT_NAME=reference_stack.scenario_endpoint_name,
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance.checks", "-q",
         "-p", "no:randomly", "-p", "no:cacheprovider", "--depth", "quick",
         "--record", str(transcript), "-k", SUITE_SELECTION],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    records = read_transcript(transcript)
    assert len({r["sent_by"]["name"] for r in records if r["type"] == "exchange"}) >= 2

    _, _, found, notes = replay_with_notes(transcript, reference, keep_pace=False)
    assert found == [], [(d.request, d.behaviour, d.aspect, d.a, d.b) for d in found]
    assert not [n for n in notes if n["replayed"] == "skipped"], notes
    _, _, against_moto, _ = replay_with_notes(transcript, moto, keep_pace=False)
    behaviours = {d.behaviour for d in against_moto}
    # moto answers 200, accepts invalid Filenames and runs no model (its output is not
    # what the probe returned).
    assert {"IEA-WIRE-001", "IEA-VAL-016", "IEA-OUT-004"} <= behaviours, behaviours


SUITE_SELECTION = "test_unsupported_headers_never_reach_the_model or IEA-VAL-016"


def test_a_secret_is_shaped_where_it_reads_raw_and_where_json_escaped_it() -> None:
    # A generated CustomAttributes value with a quote and a backslash, echoed (as an
    # InferenceId) in a JSON body: both forms become the shape, neither survives.
    secret = 'a\\b"cdefgh1'
    record = {
        "headers": {"X-Amzn-SageMaker-Inference-Id": f"id-{secret}"},
        "body": json.dumps({"InferenceId": f"id-{secret}"}),
    }
    shaped, spans = shape_secrets(record, [secret])
    assert spans == 2
    assert shaped["headers"]["X-Amzn-SageMaker-Inference-Id"] == 'id-x\\x"xxxxxx5'
    assert json.loads(shaped["body"])["InferenceId"] == 'id-x\\x"xxxxxx5'
    assert secret not in json.dumps(shaped) and json.dumps(secret)[1:-1] not in json.dumps(shaped)
