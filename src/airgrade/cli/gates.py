"""`airgrade gates …`: verify a site's ledger chain, ingest a gate's exported file, register a video system's clip
references, report ledger figures, and simulate a gate for the demo (issue 11; REQ SJZ-5, SJZ-6, H23-6)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from airgrade.cli import print_error

gates_app = typer.Typer(help="门禁台账 / gate ledger", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


def _django() -> None:
    from airgrade.cli import setup_django

    setup_django()


def _site(site_id: int) -> Any:
    from airgrade.platform.enterprises.models import Site

    site = Site.objects.select_related("enterprise").filter(pk=site_id).first()
    if site is None:
        err_console.print(f"[red]厂区 {site_id} 不存在[/red]")
        raise typer.Exit(2)
    return site


def _device(site_id: int, device_code: str) -> Any:
    from airgrade.platform.gates.models import GateDevice

    site = _site(site_id)
    device = GateDevice.objects.select_related("site__enterprise").filter(site=site, code=device_code).first()
    if device is None:
        print_error(err_console, f"厂区 {site_id} 没有编号为 {device_code} 的设备")
        raise typer.Exit(2)
    return device


@gates_app.command("verify")
def verify(
    site_id: int = typer.Argument(..., help="厂区编号"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    record: bool = typer.Option(True, "--record/--no-record", help="把核验结果记入台账核验记录（审计）"),
) -> None:
    """Walk a site's ledger: name the first altered or missing record and every sequence gap (exit 1 if any)."""
    _django()
    from airgrade.platform.gates import services

    site = _site(site_id)
    report = services.verify(site)
    if record:
        services.record_system_check(site, report)
    if as_json:
        print(
            json.dumps(
                {
                    "site": site.pk,
                    "checked": report.checked,
                    "ok": report.ok,
                    "problems": [
                        {"kind": p.kind, "position": p.position, "message": p.message} for p in report.problems
                    ],
                    "gaps": {code: [list(g) for g in gaps] for code, gaps in report.gaps.items()},
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    elif report.ok:
        console.print(f"{site.enterprise.name} {site.name}：门禁台账完整，已核验 {report.checked} 条记录。")
    else:
        first = report.problems[0]
        print_error(console, f"{site.enterprise.name} {site.name}：门禁台账有 {len(report.problems)} 处问题")
        print_error(console, f"首个问题：{first.message}")
        for problem in report.problems[1:]:
            console.print(f"- {problem.message}", soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


@gates_app.command("ingest")
def ingest(
    file: Path = typer.Argument(..., help="门禁导出文件：JSON（记录数组或 {records: [...]}）、CSV 或 xlsx"),
    site_id: int = typer.Option(..., "--site", help="厂区编号"),
    device_code: str = typer.Option(..., "--device", help="设备编号"),
) -> None:
    """Append a gate's exported file to the site's ledger (idempotent: a resent file adds nothing)."""
    _django()
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.gates import files, services

    device = _device(site_id, device_code)
    try:
        records = files.read_records(file.name, file.read_bytes())
        # The bulk path: the whole file checked, then written in one transaction (nothing half-written).
        total = services.ingest_file(device, records, actor="命令行导入", source=f"{file.name} ")
    except (ServiceError, OSError) as exc:
        print_error(err_console, f"{file.name}：{exc}")
        raise typer.Exit(2) from None
    console.print(f"写入 {total.accepted} 条，重复 {total.duplicates} 条，标记待核 {total.flagged} 条。")


@gates_app.command("videos")
def videos(
    file: Path = typer.Argument(..., help="视频系统导出的视频索引：JSON（数组或 {videos: [...]}）或 CSV"),
    site_id: int = typer.Option(..., "--site", help="厂区编号"),
    device_code: str = typer.Option(..., "--device", help="登记所用的设备编号（其凭证决定厂区）"),
) -> None:
    """Register a video system's clip references for a site, as `POST /api/gates/videos` does (all or none;
    a resent file adds nothing)."""
    _django()
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.gates import files, services

    device = _device(site_id, device_code)
    try:
        items = files.read_videos(file.name, file.read_bytes())
        result = services.record_videos(device, items, max_batch=services.MAX_VIDEO_FILE)
    except (ServiceError, OSError) as exc:
        print_error(err_console, f"{file.name}：{exc}")
        raise typer.Exit(2) from None
    console.print(f"登记视频索引 {result.accepted} 条，重复 {result.duplicates} 条。")


@gates_app.command("archive")
def archive(
    before: str = typer.Option(
        "", "--before", help="归档通行时间早于此日（YYYY-MM-DD）的记录；默认且最晚为今天减去台账保存期"
    ),
    site_id: int = typer.Option(0, "--site", help="只归档这个厂区（默认全部有台账的厂区）"),
    to: Path | None = typer.Option(None, "--to", help="归档文件目录（默认 var/gate-archive）"),
) -> None:
    """Retention: move ledger records older than the retention out of the live table into the archive (table and a
    gzip JSON-lines file with their hashes), keep the boundary hash as the chain's checkpoint, and mark video
    references past their retention expired. Nothing is deleted without an archive record; a re-run adds nothing."""
    _django()
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.gates import services
    from airgrade.platform.gates.models import LedgerHead

    try:
        cut = dt.date.fromisoformat(before) if before else None
    except ValueError:
        err_console.print("[red]日期格式应为 YYYY-MM-DD[/red]")
        raise typer.Exit(2) from None
    sites = (
        [_site(site_id)]
        if site_id
        else [head.site for head in LedgerHead.objects.select_related("site__enterprise").order_by("site_id")]
    )
    failed = False
    for site in sites:
        try:
            result = services.archive(site, before=cut, directory=to)
        except ServiceError as exc:
            print_error(err_console, f"{site.enterprise.name} {site.name}：{exc}")
            failed = True
            continue
        if result.archived:
            console.print(
                f"{site.enterprise.name} {site.name}：归档第 {result.first_position}–{result.last_position} 条共 "
                f"{result.archived} 条（通行时间早于 {result.before}），检查点 {result.boundary_hash}，文件 {result.file}；"
                f"视频索引标记过期 {result.videos_expired} 条。",
                soft_wrap=True,
            )
        else:
            console.print(
                f"{site.enterprise.name} {site.name}：没有早于 {result.before} 的记录可归档；"
                f"视频索引标记过期 {result.videos_expired} 条。"
            )
    if failed:
        raise typer.Exit(1)


@gates_app.command("verify-archive")
def verify_archive(file: Path = typer.Argument(..., help="归档导出文件（.jsonl.gz）")) -> None:
    """Check an exported archive file: each record's hash and link from the file's start hash, and (when this
    database made it) the file's SHA-256 and boundary hash against its archive record (exit 1 on any problem)."""
    _django()
    from airgrade.platform.gates import services

    report = services.verify_archive_file(file)
    if report.ok:
        console.print(f"{file.name}：归档文件完整，已核验 {report.checked} 条记录。")
        return
    print_error(console, f"{file.name}：归档文件有 {len(report.problems)} 处问题")
    for problem in report.problems:
        console.print(f"- {problem.message}", soft_wrap=True)
    raise typer.Exit(1)


@gates_app.command("report")
def report(
    site_id: int = typer.Argument(..., help="厂区编号"),
    date_from: str = typer.Option(..., "--from", help="起始日期 YYYY-MM-DD"),
    date_to: str = typer.Option(..., "--to", help="截止日期 YYYY-MM-DD"),
) -> None:
    """Ledger figures of a site over a period: entries by stage, clean share, worst stage (JSON)."""
    _django()
    from airgrade.platform.gates import services

    try:
        start, end = dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)
    except ValueError:
        err_console.print("[red]日期格式应为 YYYY-MM-DD[/red]")
        raise typer.Exit(2) from None
    figures = services.site_figures(_site(site_id), start, end)
    out = {k: v for k, v in figures.items() if k not in ("daily", "clean_source", "start", "end")}
    out["daily"] = {day.isoformat(): n for day, n in figures["daily"]}
    print(json.dumps(out, ensure_ascii=False, indent=2))


@gates_app.command("simulate")
def simulate(
    site_id: int = typer.Argument(..., help="厂区编号"),
    device_code: str = typer.Option("SIM-1", "--device", help="设备编号（不存在则登记）"),
    days: int = typer.Option(1, "--days", min=1, max=400, help="模拟天数（截至今天）"),
    per_day: int = typer.Option(200, "--per-day", min=2, max=20000, help="每天通行记录数"),
    seed: int = typer.Option(1, "--seed"),
) -> None:
    """Feed a site's ledger with simulated gate records (a fleet from its register, or a new one)."""
    _django()
    from django.utils import timezone

    from airgrade.platform.gates import services
    from airgrade.platform.gates import simulate as sim
    from airgrade.platform.gates.models import GateDevice, Passage, Vehicle

    site = _site(site_id)
    device = GateDevice.objects.select_related("site__enterprise").filter(site=site, code=device_code).first()
    if device is None:
        device = services.create_device_unchecked(site, device_code, "模拟出入口")
    trucks = [
        sim.Truck(v.plate, v.stage, v.fuel) for v in Vehicle.objects.filter(site=site, kind="road", active=True)
    ] or sim.fleet(60, seed)
    last = Passage.objects.filter(device=device).order_by("-sequence").values_list("sequence", flat=True).first()
    start = timezone.localdate() - dt.timedelta(days=days - 1)
    records = list(
        sim.passages(trucks, start, days, per_day, seed, first_sequence=(last or 0) + 1, until=timezone.now())
    )
    total = 0
    for begin in range(0, len(records), 1000):
        total += services.ingest(device, records[begin : begin + 1000], actor="门禁模拟器").accepted
    console.print(f"{site.enterprise.name} {site.name}：模拟写入 {total} 条门禁记录（设备 {device.code}）。")


def register(app: typer.Typer) -> None:
    app.add_typer(gates_app, name="gates")
