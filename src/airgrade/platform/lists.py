"""One list mechanism for every list page: server-side search, filters, pagination and export (ADR 0006).

A page hands `list_page` a queryset that is *already scoped* to the caller (the app's `visible_…` service, which
uses `permissions.scoped` / `within`) and a `ScopedFilterSet` subclass (django-filter). The filters only ever
narrow that queryset, so neither the page nor its CSV / xlsx export can show a row outside the caller's scope; the
region filter offers only regions inside the caller's own region, by name, and narrows with `within()`.

    result = list_page(request, DeclarationFilter, queryset, actor=actor, columns=COLUMNS, filename="绩效分级申报")
    if isinstance(result, HttpResponse):        # ?export=csv or ?export=xlsx
        return result
    context.update(result)                      # filter, page, total, querystring, export links

Templates: `{% include "lists/_filters.html" %}` above the table and `{% include "lists/_pager.html" %}` below.
Every exported cell passes `airgrade.io.excel.cells.neutralise_cell` (no formula injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from airgrade.core.access import Actor
from airgrade.core.regions import RegionLevel, level_of
from airgrade.io.excel.cells import neutralise_cell
from airgrade.platform import params
from airgrade.platform.errors import ServiceError
from airgrade.platform.permissions import within

PER_PAGE = 50
PER_PAGE_CHOICES = (20, 50, 100)
# An export is of the filtered list, not a backup: past this many rows the caller narrows the filters.
EXPORT_LIMIT = 50_000


def region_choices(region_code: str | None) -> list[tuple[str, str]]:
    """The regions inside `region_code` (itself included) as (code, name) choices; counties indented under their
    city. Names, never codes: the code is only the option's value."""
    from airgrade.platform.regions.models import Region

    if not region_code:
        return []
    rows = Region.objects.filter(within(region_code, "code")).order_by("code").values_list("code", "name", "level")
    return [
        (
            code,
            ("\u3000" if level == RegionLevel.COUNTY.value and level_of(region_code) is not RegionLevel.COUNTY else "")
            + name,
        )
        for code, name, level in rows
    ]


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet that knows the caller: `region` offers the caller's regions by name and narrows with `within()`
    on `region_field`; `q` searches `search_fields` (case-insensitive containment, any of them)."""

    region_field = "region"
    search_fields: Sequence[str] = ()
    search_label = "搜索"

    q = django_filters.CharFilter(label="搜索", method="filter_search")
    region = django_filters.ChoiceFilter(label="区划", method="filter_region", empty_label="全部")

    def __init__(self, data: Any = None, queryset: Any = None, *, actor: Actor, **kwargs: Any) -> None:
        super().__init__(data, queryset, **kwargs)
        self.actor = actor
        choices = region_choices(actor.region_code)
        if len(choices) > 1:
            self.filters["region"].extra["choices"] = choices
        else:
            self.filters.pop("region")
        if self.search_fields:
            self.filters["q"].label = self.search_label
        else:
            self.filters.pop("q")

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()[:100]
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def filter_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(within(value, self.region_field)) if value else queryset


def choice_filter(label: str, choices: Iterable[tuple[str, str]], field_name: str, **kwargs: Any) -> Any:
    return django_filters.ChoiceFilter(
        label=label, choices=list(choices), field_name=field_name, empty_label="全部", **kwargs
    )


def date_filters(field_name: str, label: str) -> tuple[Any, Any]:
    """From / to (inclusive) on a date or date-time column."""
    widget = django_filters.widgets.forms.DateInput(attrs={"type": "date"})
    return (
        django_filters.DateFilter(label=f"{label}起", field_name=field_name, lookup_expr="date__gte", widget=widget),
        django_filters.DateFilter(label=f"{label}止", field_name=field_name, lookup_expr="date__lte", widget=widget),
    )


@dataclass(frozen=True)
class Column:
    """One exported column: its Chinese header and how to read the value from a row."""

    header: str
    value: Callable[[Any], Any]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    return neutralise_cell(str(value))


def export_rows(rows: Iterable[Any], columns: Sequence[Column]) -> Iterable[list[Any]]:
    for row in rows:
        yield [_cell(column.value(row)) for column in columns]


def export_response(rows: Iterable[Any], columns: Sequence[Column], filename: str, fmt: str) -> HttpResponse:
    """The filtered list as CSV (UTF-8 with BOM, so Excel reads Chinese) or xlsx; every cell neutralised."""
    headers = [neutralise_cell(column.header) for column in columns]
    if fmt == "xlsx":
        import xlsxwriter

        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet("列表")
        bold = book.add_format({"bold": True, "bg_color": "#EEF2F7"})
        for index, header in enumerate(headers):
            sheet.write_string(0, index, header, bold)
            sheet.set_column(index, index, 18)
        for row_index, values in enumerate(export_rows(rows, columns), start=1):
            for col_index, value in enumerate(values):
                if isinstance(value, int | float):
                    sheet.write_number(row_index, col_index, value)
                else:
                    sheet.write_string(row_index, col_index, value)
        sheet.freeze_panes(1, 0)
        book.close()
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        name = f"{filename}.xlsx"
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        writer.writerows(export_rows(rows, columns))
        response = HttpResponse(("\ufeff" + text.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
        name = f"{filename}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


def _querystring(request: HttpRequest, drop: Iterable[str]) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def _per_page(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("per_page", "")
    return int(raw) if raw.isdigit() and int(raw) in PER_PAGE_CHOICES else default


def _refusal(filterset: ScopedFilterSet) -> ServiceError:
    """A filter value the list cannot use (a typo'd region, a date that is not a date, a choice not offered) is
    refused with 400 naming the field and the reason, like every other bad parameter (issue 8, defect 7), rather
    than silently ignored: an official who exports "region 410102" must never get the whole city instead."""
    form = filterset.form
    name = next(iter(form.errors))
    if name == "region":
        raw = form.data.get(form.add_prefix(name), "")
        code = params.region_code(raw)  # refuses junk and unknown codes with their own reason
        return ServiceError(f"行政区划代码 {code} 不在您的管辖范围内", field="region")
    field = form.fields.get(name)
    label = str(field.label) if field is not None and field.label else name
    raw = str(form.data.get(form.add_prefix(name), ""))[:20]
    return ServiceError(
        f"筛选条件「{label}」无效：{_reason(form.errors.as_data()[name][0], raw, label, field)}", field=name
    )


def _reason(error: Any, raw: str, label: str, field: Any) -> str:
    """Our own words for the form's refusal (Django's stock text reads "选择一个有效的选项。 x 不在可用的选项中。")."""
    code = getattr(error, "code", "")
    if code == "invalid_choice":
        return f"“{raw}”不是可选的{label}，请从下拉列表中选择"
    if code == "invalid" and isinstance(field, forms.DateField):
        return f"须为日期（年-月-日），收到“{raw}”"
    return "；".join(str(message) for message in error.messages)


def _refuse_unoffered_region(request: HttpRequest, filterset: ScopedFilterSet, prefix: str | None) -> None:
    """A caller with one region only (a county) is offered no region filter; a region in the query string other
    than its own is still refused like any out-of-scope value, not silently ignored (the list would otherwise look
    like the neighbour's)."""
    if "region" in filterset.filters:
        return
    raw = request.GET.get(f"{prefix}-region" if prefix else "region", "").strip()
    if not raw or raw == (filterset.actor.region_code or ""):
        return
    code = params.region_code(raw)  # junk and unknown codes are refused with their own reason
    raise ServiceError(f"行政区划代码 {code} 不在您的管辖范围内", field="region")


def list_page(
    request: HttpRequest,
    filterset_class: type[ScopedFilterSet],
    queryset: QuerySet[Any],
    *,
    actor: Actor,
    columns: Sequence[Column] = (),
    filename: str = "列表",
    per_page: int = PER_PAGE,
    prefix: str | None = None,
    filter_kwargs: dict[str, Any] | None = None,
) -> dict[str, Any] | HttpResponse:
    """Filter the (already scoped) queryset by the query string; the export when `?export=csv|xlsx`, else the page.

    Returns the context: `filter` (the FilterSet; its form renders the fields), `page` (a Django Page), `total`
    (rows matching), `querystring` (the filters without page / export, for links) and `export_formats`."""
    filterset = filterset_class(
        request.GET or None, queryset=queryset, actor=actor, prefix=prefix, **(filter_kwargs or {})
    )
    try:
        if filterset.is_bound and not filterset.is_valid():
            raise _refusal(filterset)
        _refuse_unoffered_region(request, filterset, prefix)
    except ServiceError as exc:
        # The error page leads back to the list without the filters, so one bad value never strands the reader.
        exc.title = "筛选条件有误"
        exc.back = (request.path, "返回列表（清除筛选条件）")
        raise
    rows = filterset.qs
    fmt = request.GET.get("export", "")
    if columns and fmt in ("csv", "xlsx"):
        return export_response(rows[:EXPORT_LIMIT], columns, filename, fmt)
    paginator = Paginator(rows, _per_page(request, per_page))
    page = paginator.get_page(request.GET.get("page"))
    return {
        "filter": filterset,
        "page": page,
        "total": paginator.count,
        "querystring": _querystring(request, ("page", "export")),
        "export_formats": [("csv", "导出 CSV"), ("xlsx", "导出 Excel")] if columns else [],
    }
