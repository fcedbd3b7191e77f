"""`python -m glassbox` runs the `glassbox` command."""

import sys

from .cli import main

sys.exit(main())
