"""``python -m cic.cli``: the ``cic`` command."""

from __future__ import annotations

import sys

from cic.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
