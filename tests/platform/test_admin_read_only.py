"""The Django admin never writes service-owned data: every airgrade model but users and regions is read-only
there, so no change can skip a service's permission check and audit record."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from airgrade.platform.accounts.models import User
from airgrade.platform.regions.models import Region

pytestmark = pytest.mark.django_db
EDITABLE_IN_ADMIN = {User, Region}


def test_service_owned_models_are_read_only_in_the_admin() -> None:
    request = RequestFactory().get("/admin/")
    request.user = User(username="root", is_staff=True, is_superuser=True)
    checked = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("airgrade.") or model in EDITABLE_IN_ADMIN:
            continue
        checked.append(model.__name__)
        assert not model_admin.has_add_permission(request), model.__name__
        assert not model_admin.has_change_permission(request), model.__name__
        assert not model_admin.has_delete_permission(request), model.__name__
    assert {"AuditRecord", "GradeRecord", "Declaration", "Objection", "ResultNotice"} <= set(checked)
