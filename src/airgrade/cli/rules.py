"""`airgrade rules …` (browse, check, audit, what-if) and `airgrade grade FILE` — the rule book from the shell."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from airgrade.cli import print_error
from airgrade.core.grading import grade_enterprises, parse_enterprises
from airgrade.core.grading.enterprise import EnterpriseInput, GradingProblem
from airgrade.core.grading.impact import impact as impact_of
from airgrade.core.grading.serialise import report_dict
from airgrade.core.rules import schema
from airgrade.core.rules.export import catalogue_dicts, rules_dict, today
from airgrade.core.rules.loader import RuleBookError, load_rulebook
from airgrade.core.rules.rulebook import RuleBook, RuleLookupError, default_rulebook
from airgrade.core.rules.yamlio import InputFileError, load_data_file

console = Console()
errors_out = Console(stderr=True)
rules_app = typer.Typer(help="规则库：行业、指标、来源、校验、审计、影响分析 / the rule book", no_args_is_help=True)

PROVENANCE_BADGE = {"official": "[green]官方[/]", "secondary": "[yellow]转载[/]", "provisional": "[red]暂定[/]"}


def _book() -> RuleBook:
    try:
        return default_rulebook()
    except RuleBookError as error:
        for issue in error.issues:
            errors_out.print(str(issue), markup=False)
        raise typer.Exit(2) from None


def _date(text: str | None) -> dt.date:
    if not text:
        return today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors_out.print(f"日期无效 {text!r}，应为 YYYY-MM-DD (bad date)")
        raise typer.Exit(2) from None


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@rules_app.command("industries")
def industries(
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    region: str | None = typer.Option(None, help="只列出适用于该行政区划的行业"),
) -> None:
    """List the key industries (39 national + local ones) with their grade sets."""
    rows = catalogue_dicts(_book(), region)
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"重点行业（{len(rows)} 个）")
    for column in ("代码", "名称", "类别", "适用地区", "等级", "指标数"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["code"],
            row["name_zh"],
            row["family_zh"],
            row["jurisdiction"],
            "/".join(row["grades"]),
            str(row["indicators"]),
        )
    console.print(table)


@rules_app.command("show")
def show(
    code: str,
    as_of: str | None = typer.Option(None, "--as-of", help="规则生效日期 YYYY-MM-DD（默认今天）"),
    region: str | None = typer.Option(None, help="行政区划代码：叠加省、市规则"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """Show one industry's indicators, values per grade with sources, and measures, as in force on a date."""
    book = _book()
    try:
        data = rules_dict(book, book.rules_for(code, _date(as_of), region))
    except RuleLookupError as error:
        print_error(errors_out, error)
        raise typer.Exit(1) from None
    if as_json:
        _print_json(data)
        return
    industry = data["industry"]
    console.print(
        f"[bold]{industry['name_zh']}[/]（{industry['code']}）  等级 {'/'.join(data['grades'])}  "
        f"规则日期 {data['as_of']}  版本 {data['rules_version']}"
    )
    for aspect in data["aspects"]:
        table = Table(title=aspect["aspect_zh"], show_lines=True)
        for column in ("指标", "等级", "要求", "来源", "可信度"):
            table.add_column(column)
        for indicator in aspect["indicators"]:
            for position, requirement in enumerate(indicator["requirements"]):
                source = requirement["source"]
                table.add_row(
                    f"{indicator['label_zh']}\n[dim]{indicator['id']}[/]" if position == 0 else "",
                    requirement["grade"],
                    requirement["value_text"],
                    f"{source['document']} {source['section']}",
                    PROVENANCE_BADGE[source["provenance"]],
                )
        console.print(table)
    table = Table(title="减排措施")
    for column in ("等级", "黄色", "橙色", "红色", "可信度"):
        table.add_column(column)
    for grade, levels in data["measures"].items():
        cells = [levels[level]["text_zh"] for level in ("yellow", "orange", "red")]
        table.add_row(grade, *cells, PROVENANCE_BADGE[levels["red"]["source"]["provenance"]])
    console.print(table)


@rules_app.command("schema")
def print_schema() -> None:
    """Print the JSON Schema of every rule-book file type."""
    _print_json(schema.json_schemas())


@rules_app.command("check")
def check(path: Path | None = typer.Argument(None, help="规则库目录（默认：内置规则库）")) -> None:
    """Validate a rule book; every error with file, line, YAML path and reason."""
    # One load: it validates, and a sound book is then reported without parsing everything a second time.
    try:
        book = load_rulebook(path)
    except RuleBookError as error:
        for issue in error.issues:
            errors_out.print(str(issue), markup=False)
        errors_out.print(f"[red]共 {len(error.issues)} 处错误，规则库未加载。[/]")
        # A file that cannot be read at all (encoding, size, nesting) is an input error like in every reader.
        raise typer.Exit(2 if any(issue.unreadable for issue in error.issues) else 1) from None
    console.print(f"规则库无误：{len(book.catalogue)} 个行业，版本 {book.version}。")


@rules_app.command("audit")
def audit(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """List every provisional value (no public source found) with the reason it rests on."""
    found = _book().provisional_values()
    if as_json:
        _print_json([{"file": file, "where": where, "reason": reason} for file, where, reason in found])
        return
    for file, where, reason in found:
        console.print(f"[red]暂定[/] {where}  [dim]{file}[/]\n    {reason}", markup=True, highlight=False)
    console.print(f"共 {len(found)} 个暂定值（provisional），需管理员依据正式文本确认。")


def _input_failed(error: InputFileError) -> NoReturn:
    print_error(errors_out, f"无法读取输入文件 {error}")
    raise typer.Exit(2)


def _read_input(path: Path) -> tuple[Any, list[GradingProblem]]:
    try:
        loaded, issues = load_data_file(path)
    except InputFileError as error:
        _input_failed(error)
    return loaded.data, [GradingProblem(str(path), None, issue.path, issue.message) for issue in issues]


def _enterprises(path: Path) -> tuple[list[EnterpriseInput], list[GradingProblem], Any]:
    data, errors = _read_input(path)
    enterprises, parse_errors = parse_enterprises(data)
    return enterprises, errors + parse_errors, data


def _file_as_of(data: Any, option: str | None) -> dt.date:
    if option is None and isinstance(data, dict) and data.get("as_of"):
        return _date(str(data["as_of"]))
    return _date(option)


@rules_app.command("impact")
def impact(
    draft: Path = typer.Argument(..., help="草案叠加规则 overlay.yaml"),
    facts: Path = typer.Option(..., "--facts", help="企业事实文件（与 airgrade grade 相同格式）"),
    as_of: str | None = typer.Option(None, "--as-of", help="日期 YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """What-if: grade the enterprises under the current rules and under a draft overlay; list who changes."""
    current = _book()
    try:
        proposed = load_rulebook(overlays=[draft])
    except RuleBookError as error:
        for issue in error.issues:
            errors_out.print(str(issue), markup=False)
        raise typer.Exit(2) from None
    enterprises, errors, data = _enterprises(facts)
    day = _file_as_of(data, as_of)
    changes, compared, grading_errors = impact_of(enterprises, day, current, proposed)
    errors += grading_errors
    if as_json:
        _print_json(
            {
                "as_of": day.isoformat(),
                "rules_version": current.version,
                "draft_rules_version": proposed.version,
                "compared": compared,
                "changes": [
                    {
                        "id": change.id,
                        "name": change.name,
                        "before": change.before.value,
                        "after": change.after.value,
                        "industries": [
                            {"industry": code, "before": old.value, "after": new.value}
                            for code, old, new in change.industries
                        ],
                    }
                    for change in changes
                ],
                "errors": [
                    {"id": e.enterprise_id, "industry": e.industry, "key": e.key, "message": e.message} for e in errors
                ],
            }
        )
    else:
        table = Table(title=f"草案影响：{compared} 家企业中 {len(changes)} 家等级变化（{day}）")
        for column in ("企业", "名称", "现行", "草案", "变化", "行业"):
            table.add_column(column)
        for change in changes:
            industries_text = "，".join(f"{code} {old}→{new}" for code, old, new in change.industries)
            table.add_row(
                change.id, change.name, change.before.value, change.after.value, change.direction, industries_text
            )
        console.print(table)
        for error in errors:
            print_error(errors_out, f"错误 {error}")
    if errors:
        raise typer.Exit(1)


def grade(
    file: Path = typer.Argument(..., help="企业事实文件（YAML 或 JSON，格式见 docs/grading-io.md）"),
    as_of: str | None = typer.Option(None, "--as-of", help="规则日期 YYYY-MM-DD（默认：文件中的 as_of 或今天）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（含逐项追溯）"),
) -> None:
    """Grade enterprises from their facts: grade, caps, trace and gaps; exit code 1 if any enterprise failed."""
    book = _book()
    enterprises, errors, data = _enterprises(file)
    day = _file_as_of(data, as_of)
    results, grading_errors = grade_enterprises(enterprises, day, book)
    errors += grading_errors
    if as_json:
        _print_json(report_dict(results, errors, day, book.version))
    else:
        table = Table(title=f"评级结果（规则日期 {day}，版本 {book.version}）")
        for column in ("企业", "名称", "等级", "限制", "行业等级", "距上一级的差距"):
            table.add_column(column)
        for result in results:
            caps = "，".join(cap.label_zh for cap in result.caps)
            per_industry = "，".join(
                f"{item.industry_name_zh}{'（' + item.process + '）' if item.process else ''} {item.grade}"
                for item in result.industries
            )
            gaps = []
            for item in result.industries:
                better = [g for g in item.gaps if g.rank < item.grade.rank]
                if better:
                    target = better[-1]
                    gaps.extend(gap.problem_zh for gap in item.gaps[target])
            grade_text = result.grade.value + (" [red](含暂定值)[/]" if result.uses_provisional else "")
            table.add_row(result.id, result.name, grade_text, caps, per_industry, "\n".join(gaps[:5]))
        console.print(table)
        for error in errors:
            print_error(errors_out, f"错误 {error}")
        console.print(f"已评级 {len(results)} 家，失败 {len(errors)} 项。")
    if errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
    app.command("grade")(grade)
