"""The audit log page for staff: the latest records of their region."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from airgrade.platform.audit.services import visible_records


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "audit/list.html", {"rows": list(visible_records(request.user)[:200])})
