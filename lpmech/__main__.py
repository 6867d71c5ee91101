"""``python -m lpmech``: the same as the ``lpmech`` command."""

import sys

from lpmech.cli.commands import main

if __name__ == "__main__":  # importing it (as the docs build does) runs nothing
    sys.exit(main())
