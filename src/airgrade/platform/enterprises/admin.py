"""Admin for the registry (superusers only). Routine edits go through the pages and API, which audit them."""

from django.contrib import admin

from airgrade.platform.enterprises.models import (
    EmissionOutlet,
    Enterprise,
    IndustryAssignment,
    ProductionLine,
    Site,
)


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    raw_id_fields = ("region",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region", "status")
    list_filter = ("status",)
    search_fields = ("name", "credit_code")
    raw_id_fields = ("region",)
    inlines = [SiteInline]


@admin.register(ProductionLine)
class ProductionLineAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "kind", "capacity", "capacity_unit", "status", "non_interruptible")
    list_filter = ("kind", "status", "non_interruptible")
    raw_id_fields = ("site", "parent")


admin.site.register(
    IndustryAssignment, list_display=("site", "industry_code", "branch"), raw_id_fields=("site", "enterprise")
)
admin.site.register(EmissionOutlet, list_display=("site", "code", "name"), raw_id_fields=("site",))
