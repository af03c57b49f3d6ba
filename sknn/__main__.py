"""``python -m sknn compare``: the command line lives in :mod:`sknn.comparison._cli`."""

import sys

from .comparison._cli import compare_entry, main  # noqa: F401 - compare_entry: old scripts

if __name__ == "__main__":
    sys.exit(main())
