"""`python -m lab_app.cli` runs the `qlab` command."""

import sys

from lab_app.cli.qlab import main

sys.exit(main())
