"""Admin for users: role and scope shown and editable next to Django's fields."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from airgrade.platform.accounts.models import User


@admin.register(User)
class AirgradeUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "region", "enterprise", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("enterprise",)
    raw_id_fields = ("region",)
    actions = None  # no bulk "delete selected"

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # users are deactivated, never deleted (their audit records are hash-chained)

    fieldsets = (
        *UserAdmin.fieldsets,
        ("角色与范围", {"fields": ("role", "region", "enterprise", "display_name")}),
    )
