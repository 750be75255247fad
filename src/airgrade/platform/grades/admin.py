"""Read-only Django admin for the grade registry: grades, downgrades, bans, rectification and look-backs change
only through the services (permission, audit)."""

from django.contrib import admin

from airgrade.platform.admin_base import ReadOnlyAdmin
from airgrade.platform.grades import models


@admin.register(models.GradeRecord)
class GradeRecordAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "site", "industry_code", "grade", "valid_from", "valid_until", "source"]
    list_filter = ["grade", "source"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]


for model in (
    models.AdjustmentWindow,
    models.Designation,
    models.Downgrade,
    models.ApplicationBan,
    models.IntegrityEntry,
    models.RectificationOrder,
    models.LookbackRound,
    models.LookbackItem,
):
    admin.site.register(model, ReadOnlyAdmin)
