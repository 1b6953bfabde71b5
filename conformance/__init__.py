"""The conformance suite for InvokeEndpointAsync: a pytest plugin and the `conformance` command."""

__version__ = "0.1.0"
