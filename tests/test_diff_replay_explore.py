"""Record, replay, diff and explore against real embedded stacks and moto_server.

Small corpora (the designed entries plus one generated valid request and one
invalid request per validation behaviour) keep each comparison to seconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mutants import MUTANTS

from conformance import recording
from conformance.corpus import Entry, _base, build_corpus
from conformance.diff_run import diff_targets, replay_and_compare, run_corpus
from conformance.explore import explore
from conformance.session import ConformanceSession
from conformance.transcript import InvalidTranscript, Placeholders, read_transcript
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
# a stack start costs seconds.
@pytest.fixture(scope="module")
def reference() -> Iterator[ConformanceSession]:
    with _opener("reference")() as session:
        yield session


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
    # Two mutants in one service (they replace different parts): one stack for both.
    broken = {"answers-200": "IEA-WIRE-001", "alters-custom-attributes": "IEA-HDR-002"}
    replaced: dict[str, Any] = {}
    for mutant in MUTANTS:
        if mutant.name in broken:
            replaced.update(mutant.build())
    parts = dataclasses.replace(DEFAULT_PARTS, **replaced)
    corpus = [e for e in build_corpus(at_seed=0, examples=0) if not e.rejected]
    _, _, found = diff_targets(corpus, _shared(reference), _opener("reference", parts=parts))
    seen = {(d.request, d.behaviour) for d in found}
    assert ("success", "IEA-WIRE-001") in seen, found
    assert ("custom-attributes", "IEA-HDR-002") in seen, found


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
