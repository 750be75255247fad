"""`airgrade alert simulate`: one alert level over a region's emergency list — per-city cuts against REQ G-6.

Works on the platform database (list entries of the demo or production data) or, with `--list FILE`, on a JSON or
YAML list file without any database. The JSON output is documented in docs/emergency.md.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from airgrade.cli import print_error
from airgrade.core.rules.export import today as shanghai_today
from airgrade.core.rules.rulebook import RuleBook, default_rulebook
from airgrade.core.types import AlertLevel

alert_app = typer.Typer(help="重污染天气预警应对 / heavy-pollution alerts", no_args_is_help=True)
err_console = Console(stderr=True)
out_console = Console()

# Lists bigger than this show a progress bar while they are read (on stderr, so --json stays clean).
PROGRESS_THRESHOLD = 2000


def _fail(message: str, as_json: bool, code: int = 2) -> None:
    if as_json:
        print(json.dumps({"ok": False, "errors": message.splitlines()}, ensure_ascii=False, indent=2))
    else:
        print_error(err_console, message)
    raise typer.Exit(code)


def _read_list_file(path: Path) -> Any:
    from airgrade.core.emergency.model import ListInputError
    from airgrade.core.rules.yamlio import load_data_file

    loaded, issues = load_data_file(path)
    if issues:
        raise ListInputError([str(issue) for issue in issues])
    return loaded.data


def _region_names() -> dict[str, str]:
    import csv
    from importlib import resources

    names: dict[str, str] = {}
    text = resources.files("airgrade.platform.regions").joinpath("data/regions_cn.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        names[row["code"]] = row["name"]
    return names


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _rulebook(overlays: list[Path], as_json: bool) -> RuleBook:
    """The per-process book (in database mode the platform services may already have loaded it), or the packaged
    book with draft overlays on top: a what-if of a province's or city's changed shares or measures."""
    if not overlays:
        return default_rulebook()
    from airgrade.core.rules.loader import RuleBookError, load_rulebook

    for path in overlays:
        if not path.is_file():
            _fail(f"--overlay: 文件不存在: {path}", as_json)
    try:
        return load_rulebook(None, overlays)
    except RuleBookError as exc:
        _fail("\n".join(str(issue) for issue in exc.issues), as_json)
        raise  # _fail exits; this line is for the type checker


@alert_app.command("simulate")
def simulate_command(
    region: str = typer.Option(..., "--region", help="行政区划代码（省、市或县），如 410100"),
    level: AlertLevel = typer.Option(..., "--level", help="预警级别 yellow / orange / red"),
    as_of: str = typer.Option("", "--as-of", help="规则生效日期 YYYY-MM-DD，默认今天"),
    list_file: Path | None = typer.Option(None, "--list", help="清单文件（JSON 或 YAML），不读数据库"),
    year: int | None = typer.Option(None, "--year", help="清单年度（数据库模式），默认各厂区最新年度"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（结构见 docs/emergency.md）"),
    enterprises: bool = typer.Option(False, "--enterprises", help="同时输出每家企业的任务清单"),
    overlays: list[Path] = typer.Option([], "--overlay", help="草案叠加规则文件（可多次），在规则库之上模拟"),
) -> None:
    """Simulate one alert level: measures per enterprise, cuts per city and pollutant, shortfalls, list checks."""
    from airgrade.core.emergency.model import ListInputError, parse_list
    from airgrade.core.regions import contains, level_of
    from airgrade.core.rules.yamlio import InputFileError

    try:
        level_of(region)
    except ValueError as exc:
        _fail(f"--region: {exc}", as_json)
    try:
        as_of_date = dt.date.fromisoformat(as_of) if as_of else shanghai_today()
    except ValueError:
        _fail(f"--as-of: 日期格式应为 YYYY-MM-DD，收到 {as_of!r}", as_json)
    rulebook = _rulebook(overlays, as_json)
    if list_file is not None:
        if not list_file.is_file():
            _fail(f"--list: 文件不存在: {list_file}", as_json)
        try:
            raw = _read_list_file(list_file)
        except InputFileError as exc:
            _fail(f"无法读取清单文件 {exc}", as_json)
        except ListInputError as exc:
            _fail("\n".join(exc.messages), as_json)
        try:
            parsed = parse_list(raw, where=list_file.name)
        except ListInputError as exc:
            _fail("\n".join(exc.messages), as_json)
        entries = [entry for entry in parsed.entries if contains(region, entry.region_code)]
        plans = parsed.plans
        source = f"list:{list_file.name}"
    else:
        from airgrade.cli import setup_django

        setup_django()
        from airgrade.platform.emergency.services import region_list_for_simulation

        entries, plans = region_list_for_simulation(region, year)
        source = "database"

    # A big list: no cyclic GC while it is tabled, simulated and reported — every collection walks the 600,000 core
    # objects of a province, and they stay alive until the report (emergency.services.gc_paused; kept here because
    # the list may come from a file, without Django).
    paused = gc.isenabled() and len(entries) > PROGRESS_THRESHOLD
    if paused:
        gc.disable()
    try:
        _simulate_and_print(entries, plans, source, region, level, as_of_date, rulebook, as_json, enterprises)
    finally:
        if paused:
            gc.enable()


def _simulate_and_print(
    entries: list[Any],
    plans: list[Any],
    source: str,
    region: str,
    level: AlertLevel,
    as_of_date: dt.date,
    rulebook: RuleBook,
    as_json: bool,
    enterprises: bool,
) -> None:
    from airgrade.core.emergency.engine import simulate
    from airgrade.core.emergency.model import ListInputError
    from airgrade.core.emergency.report import simulation_report
    from airgrade.core.emergency.table import build_table

    try:
        small_micro = rulebook.policy(as_of_date).small_micro
    except LookupError:
        small_micro = None  # no policy in force: an entry claiming small / micro is refused by build_table
    try:
        if len(entries) > PROGRESS_THRESHOLD:
            with _progress() as progress:
                task = progress.add_task("读取清单", total=len(entries))

                def advance(done: int) -> None:
                    # Every 1,000 entries: an update per entry cost seconds over a province's 100,000.
                    if done % 1000 == 0 or done == len(entries):
                        progress.update(task, completed=done)

                table, load_issues = build_table(
                    entries,
                    plans,
                    progress=advance,
                    lowest_grade=rulebook.floor,
                    small_micro_limits=small_micro,
                )
        else:
            table, load_issues = build_table(
                entries, plans, lowest_grade=rulebook.floor, small_micro_limits=small_micro
            )
    except ListInputError as exc:
        _fail("\n".join(exc.messages), as_json)
    try:
        simulation = simulate(table, level, as_of_date, rulebook.measures, rulebook.regional_reduction_percent)
    except LookupError as exc:
        _fail(str(exc.args[0] if exc.args else exc), as_json)
    report = simulation_report(
        simulation, region, _region_names(), str(rulebook.version), source, load_issues, with_enterprises=enterprises
    )
    if not entries:
        report["issues"].append(
            {
                "severity": "warning",
                "code": "empty_region",
                "message": f"区域 {region} 内没有清单企业",
                "entry": "",
                "line": "",
            }
        )
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    region = report["region"]
    out_console.print(
        f"[bold]{region['name'] or region['code']} {report['level_zh']}（{report['response']}级响应）模拟[/bold]"
        f"  规则日期 {report['as_of']}  要求减排比例 {_shares_zh(report['required_share'])}"
    )
    counts = report["counts"]
    out_console.print(
        f"企业 {counts['enterprises']} 家，生产线 {counts['lines']} 条（计入基数 {counts['lines_in_base']} 条），"
        f"保障类 {counts['guaranteed']} 家，小微 {counts['small_micro_flagged']} 家"
    )
    table = Table(title="各城市减排量与要求 (t/d)")
    for column in ("区域", "企业", "污染物", "基数", "减排量", "要求减排", "缺口", "减排比例"):
        table.add_column(column, justify="left" if column in ("区域", "污染物") else "right")
    for city in [*report["cities"], report["total"]]:
        name = city["name"] or city["region"]
        for position, pollutant in enumerate(("SO2", "NOx", "PM", "VOCs")):
            short = city["shortfall_t_per_day"][pollutant]
            share = city["achieved_share"][pollutant]
            table.add_row(
                name if position == 0 else "",
                str(city["enterprises"]) if position == 0 else "",
                pollutant,
                f"{city['base_t_per_day'][pollutant]:.3f}",
                f"{city['reduction_t_per_day'][pollutant]:.3f}",
                f"{city['required_t_per_day'][pollutant]:.3f}",
                f"[red]{short:.3f}[/red]" if short > 0 else "—",
                "—" if share is None else f"{share:.1%}",
                end_section=position == 3,
            )
    out_console.print(table)
    if report["issues"]:
        out_console.print(f"[bold]问题 {counts['errors']} 个错误、{counts['warnings']} 个提示[/bold]（前 20 条）")
        for issue in report["issues"][:20]:
            colour = "red" if issue["severity"] == "error" else "yellow"
            out_console.print(f"[{colour}]· {issue['message']}[/{colour}]", highlight=False)
    if report["outliers"]:
        out_console.print(f"[bold]同区域同行业同等级措施不一致 {len(report['outliers'])} 家[/bold] (REQ SJZ-8, H23-4)")
        for outlier in report["outliers"][:20]:
            out_console.print(
                f"· {outlier['enterprise']}（{outlier['industry']} {outlier['grade']}）：{outlier['direction']}",
                highlight=False,
            )


def _shares_zh(shares: dict[str, float]) -> str:
    """ "SO2 20%、NOx 20%、…", or one figure when every pollutant has the same share."""
    if len(set(shares.values())) == 1:
        return f"{next(iter(shares.values())):.0%}"
    return "、".join(f"{pollutant} {share:.0%}" for pollutant, share in shares.items())


def register(app: typer.Typer) -> None:
    app.add_typer(alert_app, name="alert")
