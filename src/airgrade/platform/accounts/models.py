"""Users bound to a role and a scope: staff to one region, enterprise users to one enterprise (deny by default)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models

from airgrade.core.types import Role
from airgrade.platform.errors import ServiceError

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
    # Set when a superior gives the account a temporary password: every page asks for a new one until it is changed.
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        # Users are deactivated (is_active = False), never deleted: audit records name them and are hashed.
        raise ServiceError("用户不能删除，只能停用（取消“有效”）", field="is_active")


class Captcha(models.Model):
    """A one-use captcha question: the SHA-256 of its token and a digest of token + answer (never the answer)."""

    key = models.CharField(max_length=64, unique=True)
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)


class PasswordResetLink(models.Model):
    """A one-time password-reset link issued by an administrator or the account's superior (no mail server: the
    issuer passes it on). Only the SHA-256 of its token is stored; it expires and is used at most once."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.PROTECT, related_name="reset_links")
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User, verbose_name="签发人", on_delete=models.PROTECT, related_name="issued_reset_links"
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间", db_index=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "密码重置链接"
        verbose_name_plural = "密码重置链接"
