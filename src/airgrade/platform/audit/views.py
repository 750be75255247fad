"""The audit log page for staff: their region's records, searched, filtered, paged and exported (ADR 0006); each
change shown as "字段：旧值 → 新值" in Chinese (`audit.labels`)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from airgrade.platform import lists
from airgrade.platform.audit.labels import ACTION_LABELS, ChangeReader, action_label
from airgrade.platform.audit.services import visible_records
from airgrade.platform.permissions import actor_of


class AuditFilter(lists.ScopedFilterSet):
    region_field = "region_code"
    search_fields = ("object_label", "actor_label", "reason")
    search_label = "对象、操作人或原因"
    action = django_filters.ChoiceFilter(label="操作", field_name="action", empty_label="全部")
    object_type = django_filters.ChoiceFilter(label="对象类型", field_name="object_type", empty_label="全部")
    at_from, at_to = lists.date_filters("at", "日期")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from airgrade.core.workflow.transitions import TRANSITIONS

        actions = {**ACTION_LABELS, **{t.action: t.label_zh for t in TRANSITIONS}}
        self.filters["action"].extra["choices"] = sorted(actions.items(), key=lambda item: item[1])
        self.filters["object_type"].extra["choices"] = ChangeReader.object_type_choices()


def _columns(reader: ChangeReader) -> list[lists.Column]:
    return [
        lists.Column("序号", lambda r: r.pk),
        lists.Column("时间", lambda r: timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S")),
        lists.Column("操作人", lambda r: r.actor_label),
        lists.Column("操作", lambda r: action_label(r.action)),
        lists.Column("对象类型", lambda r: reader.type_label(r.object_type)),
        lists.Column("对象", lambda r: reader.object_label(r)),
        lists.Column("变更", lambda r: "；".join(reader.change_lines(r))),
        lists.Column("原因", lambda r: r.reason),
        lists.Column("哈希", lambda r: r.record_hash),
    ]


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    reader = ChangeReader()
    result = lists.list_page(
        request,
        AuditFilter,
        visible_records(request.user),
        actor=actor_of(request.user),
        columns=_columns(reader),
        filename="审计日志",
    )
    if isinstance(result, HttpResponse):
        return result
    records = list(result["page"])
    reader.preload(records)
    rows = [(record, reader.object_label(record), reader.changes(record)) for record in records]
    return render(request, "audit/list.html", {**result, "rows": rows, "reader": reader})
