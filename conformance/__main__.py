"""``python -m conformance``: see ``conformance.cli.main``."""

import sys

from conformance.cli.main import main

sys.exit(main())
