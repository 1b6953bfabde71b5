import sys

from conformance_cli.main import main

sys.exit(main())
