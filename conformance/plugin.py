"""The pytest plugin: options, markers, the report header, and verdict recording.

Registered through the ``pytest11`` entry point, so it is loaded in every pytest
run of an environment that has the suite installed; everything here stays inert
for tests that carry no ``behaviour`` marker.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance import depth, sensitive
from conformance.client import HarnessError, TargetMisbehaved
from conformance.expectations import Expectations, load_expectations
from conformance.judge import (
    ContractViolation,
    ContractViolations,
    judged_behaviours,
    pass_evidence,
    pass_notes,
    reset_judged,
)
from conformance.target import ConfigurationError, Target, resolve_target, wants_embedded
from spec.catalogue import DEFAULT_PROFILES, load_catalogue
from spec.revisions import CURRENT, includes

MARKER = "behaviour"


@dataclass
class BehaviourOutcome:
    """One behaviour's verdict from one test."""

    nodeid: str
    behaviour: str
    outcome: str  # passed, failed, skipped, xfailed, xpassed, error
    duration: float
    message: str = ""
    evidence: dict[str, Any] | None = None
    example: str | None = None
    reason: str = ""
    link: str = ""


@dataclass
class RunState:
    """Everything the plugin knows about this run, kept on ``config.stash``."""

    options: dict[str, Any]
    embedded: bool
    claimed_target: Target | None
    expectations: Expectations
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    seed: int = 0
    target: Target | None = None
    session: Any = None
    async_config: Any = None
    implementation: dict[str, str] = field(default_factory=dict)
    outcomes: list[BehaviourOutcome] = field(default_factory=list)
    advisories: list[str] = field(default_factory=list)
    cleanup: dict[str, int] = field(default_factory=dict)
    conformance_items: int = 0
    # Under pytest-xdist: what the workers reported about the target (controller only).
    worker_target: dict[str, Any] | None = None
    worker_invocations: int = 0

    @property
    def revision(self) -> str:
        return self.claimed_target.revision if self.claimed_target else CURRENT

    @property
    def profiles(self) -> tuple[str, ...]:
        return self.claimed_target.profiles if self.claimed_target else DEFAULT_PROFILES

    @property
    def probe(self) -> bool:
        return self.claimed_target.probe if self.claimed_target else True


STATE = pytest.StashKey[RunState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "InvokeEndpointAsync conformance suite")
    group.addoption(
        "--target",
        help="target file (TOML), a shipped target name (reference, moto), or 'embedded' "
        "(the default when no target is named anywhere)",
    )
    group.addoption("--endpoint-name", help="the async endpoint to invoke")
    group.addoption(
        "--scenario-endpoint-name",
        help="a second endpoint of the same config for the slow scenarios (TTL, concurrency, "
        "timeout), so their hold does not delay the other checks; default: the main endpoint",
    )
    group.addoption("--input-s3", help="s3://bucket/prefix where the suite may write inputs")
    group.addoption("--revision", help="API revision the target claims (default: current)")
    group.addoption(
        "--profiles",
        help="comma-separated profiles the target claims (default: all but the opt-in clients)",
    )
    group.addoption("--clock-scale", type=float, help="target clock scale, e.g. 0.05")
    group.addoption(
        "--outcome-deadline",
        type=float,
        help="seconds to wait for a request's outcome in S3 on an idle endpoint (default 30); "
        "slow scenarios add their hold time while they run",
    )
    group.addoption(
        "--probe",
        dest="probe",
        action="store_true",
        default=None,
        help="the endpoint's model is the probe (default)",
    )
    group.addoption(
        "--no-probe",
        dest="probe",
        action="store_false",
        help="the endpoint's model is not the probe: checks that need it are skipped",
    )
    group.addoption("--expectations", help="expectations file: behaviour -> reason, link")
    group.addoption(
        "--depth",
        choices=depth.DEPTHS,
        default="standard",
        help="how many Hypothesis examples per check (default: standard)",
    )
    group.addoption("--conformance-results-json", help="write the results document here")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "behaviour(*ids): the catalogue behaviours this check judges. "
        "Example: @pytest.mark.behaviour('IEA-WIRE-001')",
    )
    config.addinivalue_line(
        "markers",
        "needs_probe: the check reads what the probe model recorded; skipped with --no-probe",
    )
    config.addinivalue_line(
        "markers",
        "scenario(name): the check reads a slow scenario that starts early and runs "
        "concurrently with the rest. Example: @pytest.mark.scenario('ttl')",
    )
    # Invalid bodies are up to 128 kB; Hypothesis warns when it prints such a repr.
    config.addinivalue_line("filterwarnings", "ignore:Generating overly large repr")
    forced = config.getoption("hypothesis_seed", default=None)
    workerinput = getattr(config, "workerinput", None)
    if forced is None and workerinput and "conformance_seed" in workerinput:
        # An xdist worker runs the controller's seed, so the header reproduces the run.
        forced = workerinput["conformance_seed"]
    seed = depth.configure(config.getoption("depth"), int(forced) if forced is not None else None)
    options = {
        "target": config.getoption("target"),
        "endpoint_name": config.getoption("endpoint_name"),
        "scenario_endpoint_name": config.getoption("scenario_endpoint_name"),
        "input_s3": config.getoption("input_s3"),
        "revision": config.getoption("revision"),
        "profiles": config.getoption("profiles"),
        "clock_scale": config.getoption("clock_scale"),
        "outcome_deadline": config.getoption("outcome_deadline"),
        "probe": config.getoption("probe"),
        "expectations": config.getoption("expectations"),
    }
    config.stash[STATE] = RunState(
        options=options,
        embedded=wants_embedded(options, os.environ),
        claimed_target=None,
        expectations=Expectations(),
        seed=seed,
    )
    if not _is_xdist_worker(config):
        config.pluginmanager.register(_WorkerVerdicts(config), "conformance-worker-verdicts")


def _state(config: pytest.Config) -> RunState:
    return config.stash[STATE]


def _behaviours(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for marker in item.iter_markers(MARKER):
        ids.extend(str(a) for a in marker.args)
    return tuple(dict.fromkeys(ids))


def _resolve_claims(state: RunState) -> None:
    """The target's claims, known before any network call (for skipping)."""
    if state.claimed_target is not None:
        return
    placeholder = None
    if state.embedded:
        placeholder = {
            "CONFORMANCE_ENDPOINT_NAME": "embedded",
            "CONFORMANCE_INPUT_S3": "s3://embedded/inputs",
        }
    try:
        state.claimed_target = resolve_target(state.options, embedded_env=placeholder)
        state.expectations = load_expectations(state.claimed_target.expectations)
    except ConfigurationError as exc:
        raise pytest.UsageError(f"conformance: {exc}") from exc


def _wave(item: pytest.Item) -> tuple[int, str]:
    """Checks that read a slow scenario run last, the others keep their order.

    A scenario starts before the first check and holds the endpoint's workers;
    its checks only wait for its observation, so they wait least at the end.
    Under pytest-xdist they come first instead: the worker they are sent to
    starts the scenario at once and waits for it while the others run the rest.
    """
    marker = item.get_closest_marker("scenario") if _behaviours(item) else None
    if marker is None:
        return (0, "")
    # Grouped by scenario name (saturation, the slow one, sorts first).
    return (-1 if _is_xdist_worker(item.config) else 1, str(marker.args[0]))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    judged = [item for item in items if _behaviours(item)]
    if not judged:
        return
    _restore_hypothesis_printer()
    # Stable, and the same in every xdist worker (they must agree on the order).
    items.sort(key=_wave)
    for item in judged:
        for marker in item.iter_markers("scenario"):
            # For --dist loadgroup: one xdist worker would run every check of a
            # scenario, so it runs once (each worker has its own embedded stack).
            # xdist 3.8 with pytest 9 ignores the group (it renames item._nodeid,
            # which pytest 9 no longer reads); --dist load then relies on the order.
            item.add_marker(pytest.mark.xdist_group(f"scenario-{marker.args[0]}"))
    state = _state(config)
    state.conformance_items = len(judged)
    _resolve_claims(state)
    catalogue = load_catalogue()
    known = set(catalogue.ids())
    for item in judged:
        ids = _behaviours(item)
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise pytest.UsageError(
                f"{item.nodeid} cites unknown behaviour IDs: {', '.join(unknown)}"
            )
        claimed = [i for i in ids if _claimed(state, catalogue.get(i))]
        if not claimed:
            item.add_marker(pytest.mark.skip(reason=_unclaimed_reason(state, catalogue, ids)))
        elif item.get_closest_marker("needs_probe") and not state.probe:
            item.add_marker(
                pytest.mark.skip(
                    reason="needs the probe model (run with --probe against a probe endpoint); "
                    "a run without the probe is not a conformance claim"
                )
            )


def _restore_hypothesis_printer() -> None:
    """Give Hypothesis back its printer of failing examples.

    schemathesis (imported by the fuzz check) swaps Hypothesis' RepresentationPrinter
    for one that prints nothing, a speed-up for its own coverage phase; the suite's
    evidence needs the minimal failing example Hypothesis found.
    """
    from hypothesis import core
    from hypothesis.vendor import pretty

    core.RepresentationPrinter = pretty.RepresentationPrinter  # type: ignore[misc]


def _claimed(state: RunState, behaviour: Any) -> bool:
    return behaviour.profile in state.profiles and includes(state.revision, behaviour.revision)


def _unclaimed_reason(state: RunState, catalogue: Any, ids: tuple[str, ...]) -> str:
    behaviour = catalogue.get(ids[0])
    if behaviour.profile not in state.profiles:
        return f"the target does not claim profile {behaviour.profile!r}"
    return (
        f"{behaviour.id} arrived in revision {behaviour.revision}; "
        f"the target claims {state.revision}"
    )


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    state = config.stash.get(STATE, None)
    if state is None:
        return None
    target = config.getoption("target") or ("embedded" if state.embedded else "environment")
    return [
        f"conformance: target={target} depth={depth.current_depth()} "
        f"seed={state.seed} (reproduce with --hypothesis-seed={state.seed} --depth="
        f"{depth.current_depth()})"
    ]


def pytest_runtest_setup(item: pytest.Item) -> None:
    reset_judged()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    ids = _behaviours(item)
    if not ids:
        return report
    state = _state(item.config)
    _scrub_report(report)
    recorded, advised = len(state.outcomes), len(state.advisories)
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _judge(state, item, call, report, ids)
    elif report.when == "teardown" and report.failed:
        for behaviour in ids:
            state.outcomes.append(
                BehaviourOutcome(
                    item.nodeid, behaviour, "error", report.duration, _text(report.longrepr)
                )
            )
    if _is_xdist_worker(item.config):
        # The controller writes the results document: the verdicts travel with the report.
        report.conformance_outcomes = [asdict(o) for o in state.outcomes[recorded:]]  # type: ignore[attr-defined]
        report.conformance_advisories = state.advisories[advised:]  # type: ignore[attr-defined]
    return report


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


class _WorkerVerdicts:
    """On the xdist controller: collects the verdicts the workers judged."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcomes = getattr(report, "conformance_outcomes", None)
        if outcomes is None:
            return
        state = _state(self._config)
        state.outcomes.extend(BehaviourOutcome(**o) for o in outcomes)
        state.advisories.extend(getattr(report, "conformance_advisories", None) or [])


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: every worker runs this run's seed."""
    state = _state(node.config)
    node.workerinput["conformance_seed"] = state.seed


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: what a worker learnt about the target, for the document."""
    info = getattr(node, "workeroutput", {}).get("conformance")
    if not info:
        return
    state = _state(node.config)
    if info.get("target") and state.worker_target is None:
        state.worker_target = info["target"]
    state.worker_invocations += int(info.get("invocations") or 0)


def _judge(
    state: RunState,
    item: pytest.Item,
    call: pytest.CallInfo[None],
    report: pytest.TestReport,
    ids: tuple[str, ...],
) -> None:
    catalogue = load_catalogue()
    record = state.outcomes.append
    nodeid, duration = item.nodeid, report.duration
    unclaimed = [i for i in ids if not _claimed(state, catalogue.get(i))]
    for behaviour in unclaimed:
        record(BehaviourOutcome(nodeid, behaviour, "skipped", duration, reason="not claimed"))
    ids = tuple(i for i in ids if i not in unclaimed)
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report)
        for behaviour in ids:
            record(BehaviourOutcome(nodeid, behaviour, "skipped", duration, reason=reason))
        return
    exc = call.excinfo.value if call.excinfo else None
    if report.when == "setup" and _misbehaviour(exc) is None:
        message = _text(report.longrepr)
        for behaviour in ids:
            record(BehaviourOutcome(nodeid, behaviour, "error", duration, message=message))
        _show_as_harness_error(report, message)
        return

    violations, judged, error = _classify(exc, ids)
    if error is not None:
        message = sensitive.scrub(error)
        for behaviour in ids:
            record(BehaviourOutcome(nodeid, behaviour, "error", duration, message=message))
        _show_as_harness_error(report, message)
        return

    example = _example(exc)
    unexpected: list[str] = []
    stale: list[str] = []
    violated = {v.behaviour for v in violations}
    for violation in violations:
        expected = state.expectations.get(violation.behaviour)
        evidence = _scrub_value(violation.evidence())
        message = sensitive.scrub(str(violation))
        if expected:
            record(
                BehaviourOutcome(
                    nodeid, violation.behaviour, "xfailed", duration, message, evidence,
                    example, expected.reason, expected.link,
                )
            )
        else:
            unexpected.append(violation.behaviour)
            record(
                BehaviourOutcome(
                    nodeid, violation.behaviour, "failed", duration, message, evidence, example
                )
            )
    stopped_at = ", ".join(sorted(violated))
    exercised = judged | judged_behaviours()
    for behaviour in ids:
        if behaviour in violated:
            continue
        if not violations and behaviour not in exercised:
            record(
                BehaviourOutcome(
                    nodeid, behaviour, "skipped", duration,
                    reason="not exercised by this run of the check",
                )
            )
            continue
        if violations and behaviour not in exercised:
            record(
                BehaviourOutcome(
                    nodeid, behaviour, "skipped", duration,
                    reason=f"not judged: the check stopped at {stopped_at}",
                )
            )
            continue
        expected = state.expectations.get(behaviour)
        if expected:
            stale.append(behaviour)
            record(
                BehaviourOutcome(
                    nodeid, behaviour, "xpassed", duration,
                    message=f"{behaviour} passed but the expectations file lists it as failing "
                    f"({expected.reason}); remove it from {state.expectations.path}",
                    reason=expected.reason, link=expected.link,
                )
            )
        else:
            message = sensitive.scrub(pass_notes().get(behaviour, ""))
            evidence = _scrub_value(pass_evidence().get(behaviour))
            record(BehaviourOutcome(nodeid, behaviour, "passed", duration, message, evidence))

    binding = [b for b in unexpected if catalogue.get(b).level == "MUST"]
    advisories = [b for b in unexpected if b not in binding]
    if advisories:
        state.advisories.extend(f"{nodeid}: {b}" for b in advisories)
    if binding or stale:
        report.outcome = "failed"
        if violations and not stale:
            report.longrepr = _failure_text(violations, example)
        if stale:
            note = (
                f"[XPASS(strict)] expected to fail but passed: {', '.join(stale)} "
                f"(expectations file {state.expectations.path})"
            )
            report.longrepr = f"{_text(report.longrepr)}\n{note}" if violations else note
    elif advisories:
        # A SHOULD or MAY the target does not keep is reported, not a failed run; pytest
        # shows it as such (not as a plain pass), in the report's own words.
        report.outcome = "passed"
        report.longrepr = None
        levels = {catalogue.get(b).level for b in advisories}
        report.conformance_verdict = f"{'SHOULD' if 'SHOULD' in levels else 'MAY'} failed"  # type: ignore[attr-defined]
    elif violations:
        reasons = "; ".join(
            f"{b}: {state.expectations.get(b).reason}"  # type: ignore[union-attr]
            for b in sorted(violated)
        )
        report.outcome = "skipped"
        report.wasxfail = reasons  # type: ignore[attr-defined]


def _misbehaviour(exc: BaseException | None) -> TargetMisbehaved | None:
    """The target's broken HTTP exchange behind ``exc``, if that is what stopped the check."""
    if isinstance(exc, TargetMisbehaved):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _misbehaviour(inner)
            if found is not None:
                return found
    return None


def _no_answer_violations(
    exc: TargetMisbehaved, ids: tuple[str, ...]
) -> list[ContractViolation]:
    """A target that hangs or breaks HTTP fails what needed its answer: IEA-WIRE-001
    first, then every behaviour the check names, with the deadline as evidence."""
    expected = f"an HTTP answer within {exc.deadline:.0f} s"
    return [
        ContractViolation(
            behaviour,
            expected=expected,
            observed=exc.observed,
            observations=[exc.evidence()],
        )
        for behaviour in dict.fromkeys(("IEA-WIRE-001", *ids))
    ]


def _classify(
    exc: BaseException | None, ids: tuple[str, ...] = ()
) -> tuple[list[ContractViolation], set[str], str | None]:
    """(violations, behaviours judged, error text) for a check's exception."""
    if exc is None:
        return [], set(), None
    misbehaved = _misbehaviour(exc)
    if misbehaved is not None:
        violations = _no_answer_violations(misbehaved, ids)
        return violations, {v.behaviour for v in violations}, None
    if isinstance(exc, ContractViolations):
        return list(exc.violations), set(exc.judged), None
    if isinstance(exc, ContractViolation):
        return [exc], {exc.behaviour}, None
    if isinstance(exc, BaseExceptionGroup):
        found = [e for e in exc.exceptions if isinstance(e, ContractViolation | ContractViolations)]
        if found:
            violations: list[ContractViolation] = []
            judged: set[str] = set()
            for e in found:
                v, j, _ = _classify(e)
                violations.extend(v)
                judged |= j
            return violations, judged, None
    if isinstance(exc, HarnessError):
        return [], set(), f"{type(exc).__name__}: {exc}"
    return [], set(), f"the check itself broke: {type(exc).__name__}: {exc}"


def _show_as_harness_error(report: pytest.TestReport, message: str) -> None:
    """pytest shows what the report says: an error of the harness, not a failed check."""
    report.conformance_verdict = "error"  # type: ignore[attr-defined]
    report.longrepr = f"HARNESS ERROR (the suite could not judge this check): {message}"


def _failure_text(violations: list[ContractViolation], example: str | None) -> str:
    """What the terminal shows for a failed check: behaviour, expected, observed, and
    the reproduction, never a library's traceback."""
    from reports.abbreviate import abbreviate_text

    parts = [abbreviate_text(sensitive.scrub(str(v)), limit=4000) for v in violations]
    reproduction = next(
        (v.exchange.to_evidence()["reproduction"]["curl"] for v in violations if v.exchange),
        None,
    )
    if reproduction:
        parts.append(f"  reproduce: {abbreviate_text(sensitive.scrub(reproduction), limit=1000)}")
    if example:
        parts.append(abbreviate_text(example, limit=2000))
    return "\n".join(parts)


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    verdict = getattr(report, "conformance_verdict", None)
    if verdict == "error":
        return "error", "E", "ERROR"
    if verdict:
        return verdict, "f", ("FAILED (" + verdict.split()[0] + ")", {"yellow": True})
    return None


def _example(exc: BaseException | None) -> str | None:
    notes = getattr(exc, "__notes__", None) or []
    text = "\n".join(str(n) for n in notes)
    return sensitive.scrub(text) if text else None


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return _text(longrepr)


def _text(longrepr: Any) -> str:
    return sensitive.scrub(str(longrepr)) if longrepr is not None else ""


def _scrub_report(report: pytest.TestReport) -> None:
    """Mask registered secrets in what pytest will print for this report."""
    if not sensitive.registered():
        return
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        text = str(report.longrepr)
        scrubbed = sensitive.scrub(text)
        if scrubbed != text:
            report.longrepr = scrubbed
    report.sections = [(title, sensitive.scrub(body)) for title, body in report.sections]


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return sensitive.scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def pytest_terminal_summary(terminalreporter: Any) -> None:
    state = terminalreporter.config.stash.get(STATE, None)
    if state is None or not state.advisories:
        return
    terminalreporter.section("conformance advisories (SHOULD/MAY not kept)")
    for line in state.advisories:
        terminalreporter.line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE, None)
    path = session.config.getoption("conformance_results_json", default=None)
    if state is None:
        return
    if _is_xdist_worker(session.config):
        _send_worker_info(session.config, state)
        return
    if not path:
        return
    from conformance.results_bridge import write_results

    try:
        write_results(state, Path(path), exitstatus=int(exitstatus), argv=sys.argv)
    except Exception as exc:  # the report must say the harness broke, not vanish
        print(f"conformance: could not write the results document: {exc}", file=sys.stderr)
        raise


def _send_worker_info(config: pytest.Config, state: RunState) -> None:
    """xdist worker: hand the controller the target as this worker resolved it."""
    described: dict[str, Any] | None = None
    if state.target is not None:
        described = state.target.describe()
        if state.async_config is not None:
            described["async_config"] = state.async_config.describe()
            described["instance_count"] = state.async_config.instance_count
        described["embedded"] = state.target.embedded
    invocations = state.session.invoker.sent if state.session is not None else 0
    config.workeroutput["conformance"] = {  # type: ignore[attr-defined]
        "target": described,
        "invocations": invocations,
    }


# The fixtures live in their own module; pytest loads it with this plugin.
# conformance.selection: --behaviour, --area, and behaviour IDs as -k keywords;
# conformance.plain_run: plain `pytest --pyargs conformance.checks` gets a report;
# conformance.progress: each check's name, behaviours, elapsed and estimated time left;
# conformance.recording: --record FILE writes the run's transcript.
pytest_plugins = [
    "conformance.fixtures",
    "conformance.selection",
    "conformance.plain_run",
    "conformance.progress",
    "conformance.recording",
]
