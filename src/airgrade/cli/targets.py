"""`airgrade targets report`: a region's A/B shares against the province's targets on a date (REQ H21-1), as text,
JSON or the filled 附件1 / 附件2 workbook. The same figures as the dashboard and /api/targets/<region>/."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer

targets_app = typer.Typer(help="绩效分级提升目标 / A/B share targets", no_args_is_help=True)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


@targets_app.command("report")
def report_command(
    region: str = typer.Option(..., "--region", help="区划代码，如 410000（全省）、410100（郑州市）"),
    as_of: str = typer.Option("", "--as-of", help="统计日期 YYYY-MM-DD（默认今天）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="写出附件1、附件2 Excel 文件"),
) -> None:
    """Print the region's attainment, one level down, families, D count and pipeline (no user: run by the operator)."""
    from airgrade.cli import setup_django

    setup_django()
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.targets import exports, services

    try:
        on = services.parse_date(as_of or dt.date.today().isoformat())
        report = services.report(region, on)
    except ServiceError as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(2) from None
    if xlsx is not None:
        xlsx.write_bytes(exports.workbook_bytes(report))
        typer.echo(f"已写出 {xlsx}")
        return
    if as_json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    total = report["total"]
    typer.echo(f"{report['region']['name']}（{report['region']['code']}） 统计日期 {report['as_of']}")
    typer.echo(
        f"A、B 级企业占比 {_pct(total['share_percent'])}（{total['counted']}/{total['total']}），"
        f"目标 {_pct(total['target_percent'])}，尚需 {total['needed']} 家，D 级 {total['d_count']} 家"
    )
    projected = report["pipeline"]["total"]
    typer.echo(
        f"在审申报 {report['pipeline']['enterprises']} 家，办结后占比 {_pct(projected['share_percent'])}，"
        f"尚需 {projected['needed']} 家"
    )
    for title, rows in (("下级区域", report["parts"]), ("行业类别", report["families"])):
        typer.echo(f"\n{title}:")
        for row in rows:
            typer.echo(
                f"  {row['label']}: {_pct(row['share_percent'])}（{row['counted']}/{row['total']}），"
                f"目标 {_pct(row['target_percent'])}，尚需 {row['needed']}，D 级 {row['d_count']}"
            )


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")
