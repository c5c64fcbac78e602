"""``python -m cic``: the ``cic`` command (the controller starts its worker process so)."""

from __future__ import annotations

import sys

from cic.cli import main

if __name__ == "__main__":
    sys.exit(main())
