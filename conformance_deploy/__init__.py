"""Deploying the probe on real SageMaker, and taking it down again.

Public API (the commands are thin wrappers around these):

- ``make_plan(...) -> ProbePlan``: validate what to deploy, before any AWS call.
- ``deploy_probe(plan, *, target_path, ...) -> DeployResult``: create or reuse.
- ``teardown(target, *, target_path, ...) -> TeardownResult``: delete by tag.
- ``DeployError``: a one-line, fixable failure with an ``exit_code``.
"""

from conformance_deploy.errors import DeployError
from conformance_deploy.plan import (
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_NAME,
    TAG_KEY,
    ProbePlan,
    make_plan,
)
from conformance_deploy.probe import DeployedResource, DeployResult, deploy_probe
from conformance_deploy.teardown import TeardownResult, teardown

__all__ = [
    "DEFAULT_INSTANCE_TYPE",
    "DEFAULT_NAME",
    "TAG_KEY",
    "DeployError",
    "DeployResult",
    "DeployedResource",
    "ProbePlan",
    "TeardownResult",
    "deploy_probe",
    "make_plan",
    "teardown",
]
