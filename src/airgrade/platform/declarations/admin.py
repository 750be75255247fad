"""Django admin for campaigns, declarations (read-only history), experts and on-site checks."""

from django.contrib import admin

from airgrade.platform.declarations import models


class ReadOnlyEvents(admin.TabularInline):
    model = models.ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in models.ReviewEvent._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "kind", "application_deadline", "cutoff_at"]
    list_filter = ["kind"]


@admin.register(models.Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = ["number", "enterprise", "site", "state", "decided_grade", "submitted_at"]
    list_filter = ["state"]
    search_fields = ["number", "enterprise__name", "enterprise__credit_code"]
    # State, grade and history change only through the workflow services (sealed, audited).
    readonly_fields = [
        "state",
        "version",
        "decided_grade",
        "decided_at",
        "submitted_at",
        "document_sha256",
        "sampled_for_city",
    ]
    inlines = [ReadOnlyEvents]


@admin.register(models.ExpertProfile)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "blacklisted"]
    readonly_fields = ["blacklisted", "blacklist_reason", "blacklisted_at"]


admin.site.register(models.OnsiteCheck)
admin.site.register(models.SampleDraw)
admin.site.register(models.CutoffRecord)
