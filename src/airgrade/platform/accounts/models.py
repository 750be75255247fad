"""Users bound to a role and a scope: staff to one region, enterprise users to one enterprise (deny by default)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from airgrade.core.types import Role

USER_ROLES = [(role.value, role.label_zh) for role in Role if role is not Role.PUBLIC]


class User(AbstractUser):
    role = models.CharField("角色", max_length=16, choices=USER_ROLES, default=Role.ENTERPRISE.value)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField("姓名", max_length=64, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class LoginAttempt(models.Model):
    """Failed logins, kept in the database so throttling holds across server processes."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
