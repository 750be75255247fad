"""The `airgrade` command line: serve, demo, audit and the batch jobs of each area (rules, grade, alert, …)."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

app = typer.Typer(
    help="airgrade — 重点行业绩效分级与应急减排清单平台 / key-industry performance grading platform",
    no_args_is_help=True,
    add_completion=False,
)


def print_error(console: Any, message: object) -> None:
    """An error for the user, in red, as plain text: messages carry file names and cell values, which rich must not
    read as markup (a value such as "[/x]" would raise instead of printing) nor break mid-path at the terminal's
    width."""
    console.print(str(message), style="red", markup=False, highlight=False, soft_wrap=True)


def setup_django() -> None:
    """Configure Django for commands that touch the database (the core commands never need it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "airgrade.platform.settings")
    import django

    django.setup()


def _register() -> None:
    from airgrade.cli import alert, platform_commands, verification

    verification.register()

    platform_commands.register(app)
    alert.register(app)
    from airgrade.cli import rules

    rules.register(app)
    from airgrade.cli import gates

    gates.register(app)
    from airgrade.cli import targets

    targets.register(app)
    from airgrade.cli import zz

    zz.register(app)


_register()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
