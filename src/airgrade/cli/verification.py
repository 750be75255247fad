"""`airgrade alert verify EVENT`, `airgrade alert readings FILE`, `airgrade alert rollup`: alert execution checked
against online monitoring and electricity use (issue 12; REQ H23-6), with a named account's scope, the same services
as the pages; the rollup rebuild is the operator's maintenance command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from airgrade.cli import print_error
from airgrade.cli.alert import alert_app
from airgrade.cli.registry import AS_USER, user_named

console = Console()


@alert_app.command("readings")
def readings_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV 或 xlsx 文件"),
    kind: str = typer.Option(..., "--kind", help="monitoring（在线监测，逐时）或 electricity（用电量，15 分钟或逐时）"),
    username: str = AS_USER,
    commit: bool = typer.Option(False, "--commit", help="检查无误后写入（默认只检查）"),
    date_from: str = typer.Option("", "--from", help="本文件数据起始日期 YYYY-MM-DD（超出即拒绝）"),
    date_to: str = typer.Option("", "--to", help="本文件数据截止日期 YYYY-MM-DD"),
) -> None:
    """Check (dry run) or load a monitoring / electricity file: all rows or none; the same file twice changes nothing."""
    user = user_named(username)
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.verification import files, services

    try:
        report = services.import_readings(
            user,
            kind,
            file.name,
            file.read_bytes(),
            commit=commit,
            date_from=dt.date.fromisoformat(date_from) if date_from else None,
            date_to=dt.date.fromisoformat(date_to) if date_to else None,
            max_rows=files.BULK_MAX_ROWS,
        )
    except (ServiceError, ValueError) as exc:
        print_error(console, getattr(exc, "message", exc))
        raise typer.Exit(2) from None
    for message in report.messages(50):
        print_error(console, message)
    state = "已导入" if report.committed else "检查通过（未写入，加 --commit 写入）" if report.ok else "未导入"
    console.print(
        f"{state}：{report.rows} 行，新增 {report.new}，更正 {report.changed}，未变 {report.unchanged}，"
        f"新建点位 {report.points_created}，错误 {len(report.errors)}"
    )
    raise typer.Exit(0 if report.ok else 2)


@alert_app.command("verify")
def verify_command(
    event_id: int = typer.Argument(..., help="预警事件编号"),
    username: str = AS_USER,
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """Verdicts for every task of the alert in the account's region: 落实 / 疑似未落实 / 数据不足."""
    user = user_named(username)
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.verification import services

    try:
        counts = services.verify_event(user, event_id)
        _, tasks = services.event_verdicts(user, event_id)
    except ServiceError as exc:
        print_error(console, exc.message)
        raise typer.Exit(2) from None
    if as_json:
        rows = [
            {"task": t.pk, "enterprise": t.enterprise.name, "verdict": t.verdict.verdict, "reason": t.verdict.reason}
            for t in tasks
            if getattr(t, "verdict", None)
        ]
        typer.echo(json.dumps({"counts": counts, "tasks": rows}, ensure_ascii=False))
        return
    table = Table("企业", "结论", "依据")
    for task in tasks:
        verdict = getattr(task, "verdict", None)
        if verdict is not None:
            table.add_row(task.enterprise.name, verdict.get_verdict_display(), verdict.reason[:80])
    console.print(table)
    console.print(
        f"落实 {counts['done']} 家，疑似未落实 {counts['suspected']} 家，数据不足 {counts['insufficient']} 家，"
        f"无量化减排要求 {counts['not_required']} 家"
    )


@alert_app.command("crosscheck")
def crosscheck_command(
    month: str = typer.Option(..., "--month", help="核查月份 YYYY-MM"),
    region: str = typer.Option("", "--region", help="区划代码（默认为账号所在区划）"),
    username: str = AS_USER,
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """Cross-checks of a month outside alerts (above the grade's limit, silent monitors, idle lines declared running)
    and the gate ledger's findings, into the county's case queue; re-running updates, never duplicates."""
    user = user_named(username)
    from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
    from airgrade.platform.verification import crosscheck

    try:
        report = crosscheck.run_month(user, crosscheck.parse_month(month), region or None)
    except (ServiceError, AccessDenied, NotFound) as exc:
        print_error(console, exc.message)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    from airgrade.platform.verification.models import Finding

    labels = {**dict(Finding.Kind.choices), crosscheck.LEDGER: crosscheck.LEDGER_LABEL}
    table = Table("类别", "待核实")
    for kind, count in report.counts.items():
        table.add_row(labels[kind], str(count))
    console.print(table)
    for item in report.no_limits:
        console.print(
            f"{item['enterprise']}（{item['industry']}，等级 {item['grade']}）{item['pollutant']}：{item['reason']}",
            highlight=False,
        )
    console.print(
        f"{report.month:%Y-%m} {report.region_code}：新发现 {report.opened}，更新 {report.updated}，撤回 {report.withdrawn}"
    )


@alert_app.command("rollup")
def rollup_command(
    points: int = typer.Option(500, "--points", min=1, help="每段的点位数（每段再按自然月切分）"),
) -> None:
    """Rebuild the verdict rollup (ChannelDay) from the readings in bounded pieces — month × range of points, one
    statement each, with progress — after a restore or data loaded outside the imports. PostgreSQL only (SQLite
    reads the readings directly); safe to re-run, an interrupted run keeps the pieces done."""
    from airgrade.cli import setup_django

    setup_django()
    from airgrade.platform.verification import series

    if not series.uses_rollup():
        console.print("当前数据库不使用汇总表（SQLite 直接读取监测数据），无需重建。")
        return

    def report(done: int, total: int, piece: series.Piece, rows: int) -> None:
        console.print(f"[{done}/{total}] {piece.label()}：{rows} 个通道日", highlight=False)

    written = series.rebuild_channel_days(points_per_piece=points, progress=report)
    console.print(f"汇总表已重建：共写入 {written} 个通道日。")


def register() -> None:
    """Commands attach to `alert_app`; importing this module is enough."""
