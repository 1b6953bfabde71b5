"""The ``conformance`` command: a thin layer over the suite, the reports and the deploy code.

``conformance_cli.main`` dispatches to one module per subcommand in
``conformance_cli.commands``; ``conformance_cli.exits`` holds the shared exit codes.
"""
