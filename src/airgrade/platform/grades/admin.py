"""Django admin for the grade registry (records are read-only: grades change through the services)."""

from django.contrib import admin

from airgrade.platform.grades import models


@admin.register(models.GradeRecord)
class GradeRecordAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "site", "industry_code", "grade", "valid_from", "valid_until", "source"]
    list_filter = ["grade", "source"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


for model in (
    models.AdjustmentWindow,
    models.Downgrade,
    models.ApplicationBan,
    models.IntegrityEntry,
    models.RectificationOrder,
    models.LookbackRound,
    models.LookbackItem,
):
    admin.site.register(model)
