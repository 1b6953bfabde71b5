"""``python -m conformance``: the ``conformance`` command with this interpreter.

The one import of the command line from inside the suite (an exception the layers
contract in pyproject.toml names): nothing imports this module, it only runs.
"""

import sys

from conformance_cli.main import main

sys.exit(main())
