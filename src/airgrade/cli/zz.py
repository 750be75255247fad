"""`airgrade zz …`: the Zhengzhou green-performance scorecard from the command line (REQ ZZ-1 … ZZ-7).

`zz score FILE` scores a round written as YAML/JSON (pure core, no database); `zz assess FILE` pre-assesses an
investment project (ZZ-6); `zz rank --region 410100` prints the platform's ranked table of the latest round.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from airgrade.cli import print_error
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.rules.yamlio import InputFileError, load_data_file
from airgrade.core.scoring import RECOMMENDATION_LABELS, ScoreInputError, ScoreSheet, pre_assess, score_round
from airgrade.core.scoring.inputs import parse_project, parse_round
from airgrade.core.types import AlertLevel

zz_app = typer.Typer(help="郑州市工业企业绿色绩效评价 / Zhengzhou green-performance scorecards", no_args_is_help=True)
console = Console()
errors_out = Console(stderr=True)


def _fail(lines: list[str], code: int = 1) -> NoReturn:
    for line in lines[:200]:
        print_error(errors_out, f"错误 {line}")
    raise typer.Exit(code)


def _read(path: Path) -> Any:
    try:
        loaded, issues = load_data_file(path)
    except InputFileError as error:
        _fail([str(error)], 2)
    if issues:
        _fail([f"{path}:{issue.line or ''} {issue.message}" for issue in issues])
    return loaded.data


def _card(region: str, as_of: Any) -> Any:
    return default_rulebook().scorecard(region, as_of)


def _sheet_json(sheet: ScoreSheet, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "key": sheet.key,
        "name": sheet.name,
        "industry": sheet.industry,
        "score": sheet.score,
        "raw": sheet.raw_total,
        "dimensions": sheet.dimension_points,
        "class": sheet.zz_class.value if sheet.zz_class else None,
        "class_reasons": list(sheet.class_reasons),
        "recommendation": sheet.recommendation,
        "control": {level.value: ratio for level, ratio in sheet.control.items()},
        "indicators": [
            {
                "indicator": item.indicator,
                "points": item.points,
                "max": item.max_points,
                "source": item.chosen.source.value if item.chosen else None,
                "disagreements": [{"source": d.source.value, "value": d.value} for d in item.disagreements],
                "provisional": item.provisional,
            }
            for item in sheet.indicators
        ],
    }


def _table(rows: list[tuple[int, str, str, float, str, str, dict[str, float]]]) -> Table:
    table = Table("名次", "企业", "行业", "得分", "类别", "推荐", *(level.label_zh for level in AlertLevel))
    for position, name, industry, score, zz_class, recommendation, control in rows:
        table.add_row(
            str(position),
            name,
            industry,
            f"{score:g}",
            zz_class,
            recommendation,
            *(f"{control[level.value]:g}%" if level.value in control else "—" for level in AlertLevel),
        )
    return table


def _industry_name(code: str) -> str:
    entry = default_rulebook().industry_or_none(code) if code else None
    return entry.name_zh if entry else (code or "—")


@zz_app.command("score")
def score_command(
    path: Path = typer.Argument(..., help="评价数据文件（YAML 或 JSON，见 docs/examples/zz-round.yaml）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（含逐项得分与来源）"),
) -> None:
    """Score every enterprise of the file: points, class, recommendation, control ratios, best first."""
    parsed, subjects, problems = parse_round(_read(path), _card)
    if problems or parsed is None:
        _fail(problems)
    try:
        sheets = score_round(_card(parsed.region, parsed.as_of), subjects)
    except (RuleLookupError, ScoreInputError) as error:
        _fail([str(error)])
    if as_json:
        json.dump([_sheet_json(s, i) for i, s in enumerate(sheets, start=1)], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    console.print(
        _table(
            [
                (
                    i,
                    s.name,
                    _industry_name(s.industry),
                    s.score,
                    s.zz_class.label_zh if s.zz_class else "不分档",
                    RECOMMENDATION_LABELS[s.recommendation],
                    {level.value: ratio for level, ratio in s.control.items()},
                )
                for i, s in enumerate(sheets, start=1)
            ]
        )
    )


@zz_app.command("assess")
def assess_command(path: Path = typer.Argument(..., help="拟引进项目数据文件（YAML 或 JSON）")) -> None:
    """招商引资准入评价 (ZZ-6): below the admission score not admitted, above it the band of the score."""
    project, problems = parse_project(_read(path))
    if problems or project is None:
        _fail(problems)
    try:
        result = pre_assess(_card(project.region, project.as_of), project.industry, project.stated)
    except (RuleLookupError, ScoreInputError) as error:
        _fail([str(error)])
    console.print(("准予引进：" if result.admitted else "不予引进：") + result.reason_zh, highlight=False)


@zz_app.command("rank")
def rank_command(
    region: str = typer.Option(..., "--region", help="城市区划代码，如 410100"),
    year: int = typer.Option(0, "--year", help="评价年度（默认最近一次）"),
) -> None:
    """The platform's ranked table of a city's round (the operator's view, every enterprise of the city)."""
    from airgrade.cli import setup_django

    setup_django()
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.scorecards import services

    try:
        rows = services.ranking_for_operator(region, year or None)
    except ServiceError as error:
        _fail([error.message], 2)
    console.print(
        _table(
            [
                (
                    row.position,
                    row.scorecard.enterprise.name,
                    _industry_name(row.scorecard.industry_code),
                    row.score,
                    row.class_label,
                    RECOMMENDATION_LABELS[row.recommendation],
                    row.control,
                )
                for row in rows
            ]
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(zz_app, name="zz")
