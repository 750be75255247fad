"""Rewrite the generated chart and table of a Markdown file: `python -m airgrade.core.workflow FILE`."""

from __future__ import annotations

import sys
from pathlib import Path

from airgrade.core.workflow.chart import update_generated_blocks


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m airgrade.core.workflow docs/workflow.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_text(update_generated_blocks(path.read_text("utf-8")), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
