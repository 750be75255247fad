"""Read-only Django admin for notices and objections: a published notice is frozen and objections are handled
through the services (audit, published result)."""

from django.contrib import admin

from airgrade.platform.admin_base import ReadOnlyAdmin
from airgrade.platform.disclosure import models


@admin.register(models.Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "enterprise", "city", "status", "filed_at"]
    list_filter = ["status"]


admin.site.register(models.ResultNotice, ReadOnlyAdmin)
