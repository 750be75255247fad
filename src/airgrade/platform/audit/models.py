"""The append-only, hash-chained audit log: every write through a service leaves one record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditRecord(models.Model):
    at = models.DateTimeField("时间", db_index=True)
    # PROTECT: actor_id is hashed, so a user who acted is deactivated, never deleted (SET_NULL broke the chain).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField("操作人（记录时）", max_length=200)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    object_label = models.CharField("对象", max_length=255, blank=True)
    region_code = models.CharField("所属区划", max_length=6, blank=True, db_index=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    previous_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("审计记录只能追加，不能删除")


class AuditChainHead(models.Model):
    """One row locked by every append, so concurrent writers extend the chain one after another."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
