"""Registry commands: list and show enterprises as a named user would see them (same services, same scope)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from airgrade.cli import print_error

console = Console()
enterprises_app = typer.Typer(help="企业档案 / enterprise registry", no_args_is_help=True)
AS_USER = typer.Option(..., "--as", help="以哪个账号的权限查看（按其角色和区划过滤）")


def user_named(username: str) -> Any:
    from airgrade.cli import setup_django

    setup_django()
    from airgrade.platform.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        print_error(console, f"账号 {username} 不存在或已停用")
        raise typer.Exit(2)
    return user


@enterprises_app.command("list")
def list_enterprises(
    username: str = AS_USER,
    query: str = typer.Option("", "--q", help="名称关键字或信用代码"),
    region: str = typer.Option("", help="区划代码"),
    industry: str = typer.Option("", help="重点行业代码，如 cement"),
    status: str = typer.Option("", help="operating / suspended / closed"),
    page: int = typer.Option(1, min=1),
    page_size: int = typer.Option(50, min=1, max=200),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """List the enterprises the user may see, filtered and paginated."""
    user = user_named(username)
    from airgrade.platform.enterprises import services

    filters = services.EnterpriseFilter(query, region, industry, status)
    rows, count, pages = services.list_page(user, filters, page, page_size)
    if as_json:
        payload = {
            "count": count,
            "pages": pages,
            "results": [
                {"id": e.pk, "credit_code": e.credit_code, "name": e.name, "region": e.region_id, "status": e.status}
                for e in rows
            ],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"企业档案（共 {count} 家，第 {min(page, max(pages, 1))}/{pages} 页）")
    for column in ("编号", "企业名称", "统一社会信用代码", "区划", "状态"):
        table.add_column(column)
    for e in rows:
        table.add_row(str(e.pk), e.name, e.credit_code, e.region.name, e.get_status_display())
    console.print(table)


@enterprises_app.command("show")
def show_enterprise(enterprise_id: int, username: str = AS_USER) -> None:
    """Show one enterprise with its sites, industries and lines (if the user may see it)."""
    user = user_named(username)
    from airgrade.platform.enterprises import services
    from airgrade.platform.errors import ServiceError

    try:
        enterprise = services.get_enterprise(user, enterprise_id)
    except ServiceError as exc:
        print_error(console, exc.message)
        raise typer.Exit(1) from None
    console.print(f"[bold]{enterprise.name}[/bold]  {enterprise.credit_code}  {enterprise.region.full_name()}")
    for site in enterprise.sites.prefetch_related("industries", "lines"):
        codes = "、".join(a.industry_code for a in site.industries.all()) or "未登记"
        console.print(f"  厂区 {site.name}（行业: {codes}）")
        for line in site.lines.all():
            console.print(
                f"    - {line.name}  {line.capacity} {line.capacity_unit}  {line.get_status_display()}"
                + ("  不可中断" if line.non_interruptible else "")
            )
