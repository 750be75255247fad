"""Grade pages and downloads: the improvement-enterprise list (附件3) as the official workbook."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from airgrade.io.excel.improvement_list import write_improvement_list
from airgrade.platform.grades import services


@login_required
def improvement_list(request: HttpRequest) -> HttpResponse:
    on = services.today()
    rows = services.improvement_rows(request.user, on)
    response = HttpResponse(
        write_improvement_list(rows, on),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''improvement-list-{on.isoformat()}.xlsx"
    return response
