"""Read-only admin for the registry: every registry write goes through the services (audit, read model, tallies)."""

from django.contrib import admin

from airgrade.platform.admin_base import ReadOnlyAdmin, ReadOnlyInline
from airgrade.platform.enterprises.models import EmissionOutlet, Enterprise, IndustryAssignment, ProductionLine, Site


class SiteInline(ReadOnlyInline):
    model = Site


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ("name", "credit_code", "region", "status")
    list_filter = ("status",)
    search_fields = ("name", "credit_code")
    inlines = [SiteInline]


@admin.register(ProductionLine)
class ProductionLineAdmin(ReadOnlyAdmin):
    list_display = ("name", "site", "kind", "capacity", "capacity_unit", "status", "non_interruptible")
    list_filter = ("kind", "status", "non_interruptible")


admin.site.register(IndustryAssignment, ReadOnlyAdmin, list_display=("site", "industry_code", "branch"))
admin.site.register(EmissionOutlet, ReadOnlyAdmin, list_display=("site", "code", "name"))
