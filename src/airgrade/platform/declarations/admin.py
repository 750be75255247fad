"""Read-only Django admin for campaigns, declarations (with their history), experts and on-site checks: every
change goes through the workflow services (permission, seal, audit), never the admin."""

from django.contrib import admin

from airgrade.platform.admin_base import ReadOnlyAdmin, ReadOnlyInline
from airgrade.platform.declarations import models


class ReadOnlyEvents(ReadOnlyInline):
    model = models.ReviewEvent


@admin.register(models.Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "kind", "application_deadline", "cutoff_at"]
    list_filter = ["kind"]


@admin.register(models.Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ["number", "enterprise", "site", "state", "decided_grade", "submitted_at"]
    list_filter = ["state"]
    search_fields = ["number", "enterprise__name", "enterprise__credit_code"]
    inlines = [ReadOnlyEvents]


@admin.register(models.ExpertProfile)
class ExpertAdmin(ReadOnlyAdmin):
    list_display = ["user", "region", "blacklisted"]


for model in (models.OnsiteCheck, models.ExpertSignoff, models.SampleDraw, models.CutoffRecord):
    admin.site.register(model, ReadOnlyAdmin)
