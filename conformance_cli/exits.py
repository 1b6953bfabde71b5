"""The exit codes every subcommand shares, and the error that means "fix your command line".

0 success/conformant, 1 not conformant or check failed, 2 usage or configuration
error, 3 the harness itself failed. A module of its own so that the subcommands
and the dispatcher (``conformance_cli.main``) both import it, and neither the other.
"""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_HARNESS = 3


class UsageError(Exception):
    """A problem the user can fix by changing the command line or configuration."""
