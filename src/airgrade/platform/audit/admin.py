"""Read-only admin for the audit log: it is append-only, so nobody edits or deletes records here."""

from django.contrib import admin

from airgrade.platform.admin_base import ReadOnlyAdmin
from airgrade.platform.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "actor_label", "action", "object_type", "object_id", "region_code")
    list_filter = ("action", "object_type")
    search_fields = ("object_label", "actor_label", "object_id")
