"""The conformance suite for InvokeEndpointAsync: the pytest plugin, the checks, and what
observes a target. The `conformance` command is ``conformance_cli``; provisioning a
target is ``conformance_deploy``."""

__version__ = "0.1.0"
