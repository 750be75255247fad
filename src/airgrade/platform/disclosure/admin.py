"""Django admin for notices and objections."""

from django.contrib import admin

from airgrade.platform.disclosure import models


@admin.register(models.Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["reference", "enterprise", "city", "status", "filed_at"]
    list_filter = ["status"]


admin.site.register(models.ResultNotice)
