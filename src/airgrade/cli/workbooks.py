"""Workbook commands: `airgrade import …` (dry run, then --commit) and the workbook exports and templates, as a named
user would do them on the page (same services, same scope), with a Rich progress bar; `airgrade worker` runs the
background jobs the pages queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from airgrade.cli import print_error
from airgrade.cli.registry import AS_USER, user_named

console = Console()
import_app = typer.Typer(help="导入表格（先预检，--commit 写入）/ import workbooks", no_args_is_help=True)
KINDS = {"emergency-list": "emergency_list", "registry": "registry", "grade-history": "grade_history"}


def _run(job: Any) -> Any:
    """Run a recorded job in this process with a progress bar; return it finished."""
    from airgrade.platform.jobs import services as jobs

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("排队中", total=None)

        def show(state: dict[str, Any]) -> None:
            bar.update(task, description=state["phase"], completed=state["done"], total=state["total"] or None)

        return jobs.execute(job.pk, listener=show)


def _print_report(job: Any) -> None:
    report = job.report or {}
    counts = report.get("counts", {})
    if counts:
        console.print(
            f"新增 {counts.get('new', 0)}，变更 {counts.get('changed', 0)}，无变化 {counts.get('unchanged', 0)}，"
            f"拒绝 {counts.get('refused', 0)}（共 {report.get('rows', 0)} 行）"
        )
    for error in report.get("errors", [])[:20]:
        console.print(
            f"  工作表“{error['sheet']}”第{error['row']}行 “{error['column']}” {error['value'] or ''}：{error['reason']}"
        )
    if report.get("error_total", 0) > 20:
        console.print(f"  … 共 {report['error_total']} 处错误")


def _import(kind: str, path: Path, username: str, commit: bool, errors: Path | None) -> None:
    user = user_named(username)
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.workbooks import services

    try:
        job = _run(services.start_import(user, kind, path.name, path.read_bytes(), enqueue=False))
    except ServiceError as exc:
        print_error(console, exc.message)
        raise typer.Exit(1) from None
    if job.state != job.State.SUCCEEDED:
        print_error(console, job.message)
        raise typer.Exit(1)
    _print_report(job)
    if job.result_data and errors is not None:
        errors.write_bytes(bytes(job.result_data))
        console.print(f"错误行已写入 {errors}")
    if job.report.get("error_total"):
        console.print("[red]预检发现错误，未写入任何数据。[/red]")
        raise typer.Exit(1)
    if not commit:
        console.print("预检通过（未写入）。加 --commit 写入。")
        return
    try:
        done = _run(services.commit_import(user, job.pk, enqueue=False))
    except ServiceError as exc:
        print_error(console, exc.message)
        raise typer.Exit(1) from None
    if done.state != done.State.SUCCEEDED:
        print_error(console, done.message)
        raise typer.Exit(1)
    console.print("已全部写入。")


FILE = typer.Argument(..., exists=True, dir_okay=False, help="Excel 文件（.xlsx / .xls）")
COMMIT = typer.Option(False, "--commit", help="预检无误后写入（全部写入或全部不写）")
ERRORS = typer.Option(None, "--errors", help="把错误行（带错误说明列）写入此 .xlsx")


@import_app.command("emergency-list")
def import_emergency_list(
    path: Path = FILE, username: str = AS_USER, commit: bool = COMMIT, errors: Path | None = ERRORS
) -> None:
    """导入重污染天气应急减排清单（REQ SJZ-9、H23-4）。"""
    _import("emergency_list", path, username, commit, errors)


@import_app.command("registry")
def import_registry(
    path: Path = FILE, username: str = AS_USER, commit: bool = COMMIT, errors: Path | None = ERRORS
) -> None:
    """导入企业档案：企业、厂区、行业、生产线和排放口（只新增和更正，不删除）。"""
    _import("registry", path, username, commit, errors)


def worker(
    once: bool = typer.Option(False, "--once", help="处理完当前排队的任务后退出"),
) -> None:
    """Run the background-job worker (django-tasks database backend)."""
    from airgrade.cli import setup_django

    setup_django()
    from django.core.management import call_command

    from airgrade.core.rules.rulebook import default_rulebook
    from airgrade.platform.jobs.services import reap_stale

    # Parsed once at start, as the web workers do (platform/wsgi.py): no job pays for it.
    default_rulebook()

    # Jobs left "running" by a worker that died (restart, crash) are marked failed before new work starts.
    for job_id in reap_stale():
        console.print(f"任务 {job_id} 的后台进程已中止，已标记为失败")
    call_command("db_worker", batch=once, reload=False, startup_delay=False, interval=1)


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.command()(worker)

    @export_app.command("emergency-list")
    def export_emergency_list(
        username: str = AS_USER,
        output: Path = typer.Option(..., "-o", "--output", help="输出的 .xlsx 文件"),
        year: int | None = typer.Option(None, help="清单年度（默认全部）"),
    ) -> None:
        """应急减排清单，导入布局（导出后再导入不产生变化）。"""
        user = user_named(username)
        from airgrade.platform.workbooks import exports

        output.write_bytes(exports.emergency_list(user, year))
        console.print(f"已导出到 {output}")

    @export_app.command("official")
    def export_official(
        kind: str = typer.Argument(
            ...,
            help="ab-list / application-list / lookback-qualification / lookback-onsite / lookback-problems / "
            "guarantee-review / registry",
        ),
        username: str = AS_USER,
        output: Path = typer.Option(..., "-o", "--output", help="输出的 .xlsx 文件"),
        campaign: int | None = typer.Option(None, help="评级批次编号（ab-list、application-list）"),
        batch: int | None = typer.Option(None, help="审核批次编号（ab-list，可选）"),
        round_id: int | None = typer.Option(None, "--round", help="回头看编号（lookback-qualification / problems）"),
        item: int | None = typer.Option(None, help="回头看企业编号（lookback-onsite）"),
        year: int | None = typer.Option(None, help="年度（guarantee-review，可选）"),
    ) -> None:
        """官方报送表格（列名由公开文件整理，非官方正式模板）。"""
        user = user_named(username)
        from airgrade.platform.errors import ServiceError
        from airgrade.platform.workbooks import official

        given = {"campaign": campaign, "batch": batch, "round": round_id, "item": item, "year": year}
        try:
            data, name = official.export(user, kind, {k: v for k, v in given.items() if v is not None})
        except ServiceError as exc:
            print_error(console, exc.message)
            raise typer.Exit(1) from None
        output.write_bytes(data)
        console.print(f"{name} 已导出到 {output}")

    @export_app.command("opinion")
    def export_opinion(
        declaration_id: int = typer.Argument(..., help="申报的编号（数据库 id）"),
        kind: str = typer.Argument(
            ..., help="county-preliminary（附件3）/ county-review（附件4）/ city-review（附件5）"
        ),
        username: str = AS_USER,
        output: Path = typer.Option(..., "-o", "--output", help="输出的 .docx 文件"),
    ) -> None:
        """审核意见文书（DOCX，取自已签章的审核记录；格式由平台整理，非官方正式格式）。"""
        user = user_named(username)
        from airgrade.platform.errors import ServiceError
        from airgrade.platform.workbooks import opinions

        try:
            data, name = opinions.review_opinion(user, declaration_id, kind)
        except ServiceError as exc:
            print_error(console, exc.message)
            raise typer.Exit(1) from None
        output.write_bytes(data)
        console.print(f"{name} 已导出到 {output}")

    @export_app.command("template")
    def export_template(
        kind: str = typer.Argument(..., help="emergency-list / registry / grade-history"),
        output: Path = typer.Option(..., "-o", "--output", help="输出的 .xlsx 文件"),
    ) -> None:
        """导入模板（含填写说明工作表）。"""
        if kind not in KINDS:
            print_error(console, f"未知的模板：{kind}（可选 {', '.join(KINDS)}）")
            raise typer.Exit(2)
        from airgrade.io.excel.layouts import IMPORT_LAYOUTS
        from airgrade.io.excel.writer import write_template

        output.write_bytes(write_template(IMPORT_LAYOUTS[KINDS[kind]]))
        console.print(f"模板已写入 {output}")
