"""Platform commands: serve, setup, demo, regions, audit and Django's manage.py commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import typer
from rich.console import Console

from airgrade.cli import print_error

console = Console()
audit_app = typer.Typer(help="审计日志 / audit log", no_args_is_help=True)
regions_app = typer.Typer(help="行政区划 / regions", no_args_is_help=True)


def _django() -> None:
    from airgrade.cli import setup_django

    setup_django()


def setup() -> None:
    """Migrate the database and collect static files (idempotent)."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    console.print("数据库已迁移，静态文件已就绪。")


def demo(enterprises: int = typer.Option(300, help="演示企业数量")) -> None:
    """Load the demo: regions, users, enterprises, the Zhengzhou grading workflow and grades, then the emergency
    lists (which read the grade registry). Skipped where already loaded."""
    setup()
    from airgrade.platform import demo as demo_data

    with console.status("正在生成演示数据（企业、评级申报、等级、应急减排清单）…"):
        result = demo_data.load_demo(enterprises)
    console.print(f"企业：新建 {result['created']} 家，共 {result['enterprises']} 家。")
    console.print(
        f"绩效分级申报：新建 {result['declarations_created']} 份，共 {result['declarations']} 份；等级记录 {result['grades']} 条。"
    )
    console.print(f"应急减排清单：新建 {result['list_entries_created']} 条，共 {result['list_entries']} 条。")
    console.print(f"门禁台账（巩义水泥企业，六个月模拟记录）：新写入 {result['gate_records']} 条。")
    if result.get("verification"):
        counts = result["verification"]
        console.print(
            f"演示预警执行核查：落实 {counts['done']} 家，疑似未落实 {counts['suspected']} 家，"
            f"数据不足 {counts['insufficient']} 家（/verification/）。"
        )
    if result.get("crosschecks"):
        found = result["crosschecks"]
        console.print(
            f"交叉核查（巩义）：超限 {found.get('exceedance', 0)} 项，监测无数据 {found.get('silence', 0)} 项，"
            f"生产线未生产 {found.get('idle_line', 0)} 项，门禁台账 {found.get('ledger', 0)} 项（/verification/findings/）。"
        )
    if result.get("scorecards"):
        console.print(f"郑州绿色绩效评价：{result['scorecards']} 家演示企业已有三类数据。")


def serve(
    host: str = typer.Option("127.0.0.1", help="监听地址"),
    port: int = typer.Option(8000, help="端口"),
    workers: int = typer.Option(2, help="gunicorn 工作进程数"),
    job_worker: bool = typer.Option(True, "--job-worker/--no-job-worker", help="同时启动后台任务进程（导入、导出）"),
) -> None:
    """Serve the platform with gunicorn (a production-grade WSGI server) and the background-job worker."""
    _django()
    from airgrade.platform import demo as demo_data

    console.print(f"airgrade 已启动: http://{host}:{port}/")
    console.print(
        f"演示账号（仅供演示）: province / city / county / enterprise / expert / admin，密码 {demo_data.DEMO_PASSWORD}"
    )
    # The worker runs beside gunicorn and stops with it: imports and exports queued by the pages need it.
    worker = subprocess.Popen([sys.executable, "-m", "airgrade.cli", "worker"]) if job_worker else None
    try:
        subprocess.run(_gunicorn_command(host, port, workers), check=False)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


def _gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "airgrade.platform.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--chdir",
        str(Path.cwd()),
    ]


def manage(args: list[str] = typer.Argument(None, help="Django manage.py arguments")) -> None:
    """Run a Django management command (e.g. `airgrade manage createsuperuser`)."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["airgrade manage", *(args or [])])


@regions_app.command("load")
def regions_load(path: Path = typer.Argument(..., help="CSV: code,name,level,parent")) -> None:
    """Load more GB/T 2260 regions from a CSV (all rows or none); a bad file changes nothing (exit 2)."""
    _django()
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.regions.services import load_regions

    try:
        count = load_regions(path)
    except ServiceError as exc:
        print_error(Console(stderr=True), exc.message)
        raise typer.Exit(2) from None
    console.print(f"已载入 {count} 个行政区划。")


CHECKPOINT_MAX_BYTES = 64 * 1024


@audit_app.command("verify")
def audit_verify(
    checkpoint_file: Path | None = typer.Option(
        None, "--checkpoint", help="由 `airgrade audit checkpoint` 写出的检查点文件：核验日志仍从它延续"
    ),
) -> None:
    """Check the audit hash chain and report every broken link (exit 1 if broken)."""
    _django()
    from airgrade.platform.audit.services import Checkpoint, verify

    checkpoint = None
    if checkpoint_file is not None:
        try:
            if checkpoint_file.stat().st_size > CHECKPOINT_MAX_BYTES:
                raise ValueError("文件过大，不是检查点文件")
            checkpoint = Checkpoint.from_dict(json.loads(checkpoint_file.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                message = "不是 UTF-8 文本"
            elif isinstance(exc, json.JSONDecodeError):
                message = f"不是 JSON：第 {exc.lineno} 行第 {exc.colno} 列"
            elif isinstance(exc, OSError):
                message = "文件无法打开"
            else:
                message = str(exc)
            print_error(console, f"{checkpoint_file}：无法读取检查点（{message}）")
            raise typer.Exit(2) from None
    report = verify(checkpoint)
    if report.ok:
        extends = f"，且从检查点（{checkpoint.at}，{checkpoint.count} 条）延续" if checkpoint else ""
        console.print(f"审计链完整：已核验 {report.checked} 条记录{extends}。", soft_wrap=True)
        return
    console.print(
        f"[red]审计链损坏：发现 {len(report.breaks)} 处问题（共 {report.checked} 条记录）[/red]", soft_wrap=True
    )
    for item in report.breaks:
        print_error(console, f"- {item.problem}")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    output: Path | None = typer.Option(
        None, "-o", "--output", help="写入检查点的文件（应在数据库之外保存，例如另一台机器或打印存档）"
    ),
) -> None:
    """Record the chain head's hash, the record count and the time; print it and write it to a file."""
    _django()
    from airgrade.platform.audit.services import checkpoint

    try:
        point = checkpoint()
    except ValueError as exc:
        print_error(console, exc)
        raise typer.Exit(1) from None
    text = json.dumps(point.as_dict(), ensure_ascii=False, indent=2)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    console.print(text, markup=False, highlight=False)
    if output is not None:
        console.print(f"检查点已写入 {output}；请保存在数据库之外。")


def backup(file: Path = typer.Argument(..., help="备份文件（zip）")) -> None:
    """Back up every table, the uploaded files and the audit chain into one portable file (SQLite or PostgreSQL)."""
    _django()
    from airgrade.platform.backup import BackupError
    from airgrade.platform.backup import backup as write_backup

    try:
        summary = write_backup(file)
    except (BackupError, OSError) as exc:
        Console(stderr=True).print(f"备份失败：{exc}", style="red", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(
        f"已备份 {summary.tables} 个表 {summary.rows} 行、{summary.files} 个上传文件、"
        f"{summary.audit_records} 条审计记录到 {file}"
    )


def restore(
    file: Path = typer.Argument(..., help="airgrade backup 写出的备份文件"),
    force: bool = typer.Option(False, "--force", help="目标数据库已有数据时仍然覆盖"),
) -> None:
    """Restore a backup into this database (migrated to the same version); refuses a non-empty one unless --force."""
    _django()
    from airgrade.platform.audit.services import verify
    from airgrade.platform.backup import BackupError
    from airgrade.platform.backup import restore as read_backup

    try:
        summary = read_backup(file, force=force)
    except (BackupError, OSError) as exc:
        Console(stderr=True).print(f"恢复失败：{exc}", style="red", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    report = verify()
    console.print(
        f"已恢复 {summary.tables} 个表 {summary.rows} 行、{summary.files} 个上传文件；"
        f"审计链{'完整' if report.ok else '损坏'}（{report.checked} 条记录）。"
    )
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
    app.command()(setup)
    app.command()(demo)
    app.command()(serve)
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(manage)
    app.add_typer(audit_app, name="audit")
    app.add_typer(regions_app, name="regions")
    from airgrade.cli.registry import enterprises_app

    app.add_typer(enterprises_app, name="enterprises")
    from airgrade.cli.exports import export_app

    app.add_typer(export_app, name="export")
    from airgrade.cli import workbooks

    workbooks.register(app, export_app)
