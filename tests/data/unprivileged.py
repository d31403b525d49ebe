"""Run `simlab` or `pytest` as if not root: every root check in xenlab and simlab asks os.geteuid()."""

import os
import sys

os.geteuid = lambda: 65534  # type: ignore[assignment]

if __name__ == "__main__":
    tool, args = sys.argv[1], sys.argv[2:]
    if tool == "simlab":
        from simlab.cli import main

        sys.exit(main(args))
    import pytest

    sys.exit(pytest.main(args))
