"""``python -m lpmech``: the same as the ``lpmech`` command."""

import sys

from lpmech.cli.commands import main

sys.exit(main())
