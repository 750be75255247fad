"""Export commands: the official workbooks, as a named user would download them (same services, same scope)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from airgrade.cli import print_error
from airgrade.cli.registry import AS_USER, user_named

console = Console()
export_app = typer.Typer(help="导出官方表格 / export official workbooks", no_args_is_help=True)


@export_app.command("improvement-list")
def improvement_list(
    username: str = AS_USER,
    output: Path = typer.Option(..., "-o", "--output", help="输出的 .xlsx 文件"),
) -> None:
    """重点行业绩效分级提升企业清单 (seed 000 附件3, REQ H21-2) for the user's scope."""
    user = user_named(username)
    from airgrade.io.excel.improvement_list import write_improvement_list
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.grades import services

    on = services.today()
    try:
        rows = services.improvement_rows(user, on)
    except ServiceError as exc:
        print_error(console, exc.message)
        raise typer.Exit(1) from None
    output.write_bytes(write_improvement_list(rows, on))
    console.print(f"已导出 {len(rows)} 行到 {output}")
