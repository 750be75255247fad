"""Admin for users: role and scope shown and editable next to Django's fields."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html

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

    readonly_fields = ("password_reset",)
    fieldsets = (
        *UserAdmin.fieldsets,
        ("角色与范围", {"fields": ("role", "region", "enterprise", "display_name")}),
        ("忘记密码", {"fields": ("must_change_password", "password_reset")}),
    )

    @admin.display(description="重置密码")
    def password_reset(self, obj: Any) -> str:
        """No mail server: the administrator issues a one-time link (or a temporary password) on the platform page."""
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("accounts:account_reset", args=[obj.pk])
        return format_html('<a href="{}">签发一次性重置链接或设置临时密码</a>', url)
