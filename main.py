"""JDM Capture entry point: no subcommand opens the GUI; subcommands work headless."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    raise SystemExit("not implemented yet")


if __name__ == "__main__":
    sys.exit(main())
