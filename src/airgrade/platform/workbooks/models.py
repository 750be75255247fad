"""Free-text measures imported with an emergency list, kept as written, with the quantified reading a reviewer
accepts or rejects (REQ G-5, H23-4). Written only by workbooks.services."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from airgrade.platform.emergency.models import LEVEL_CHOICES


class MeasureText(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审核"
        UNREAD = "unread", "未能识别（保留原文）"
        ACCEPTED = "accepted", "已采纳"
        REJECTED = "rejected", "不采纳"

    entry = models.ForeignKey("emergency.ListEntry", on_delete=models.CASCADE, related_name="measure_texts")
    level = models.CharField("预警级别", max_length=8, choices=LEVEL_CHOICES)
    line_key = models.CharField("生产线编号", max_length=40, blank=True)
    industry_code = models.CharField("行业", max_length=64)
    text = models.TextField("原文")
    proposed = models.JSONField("识别出的量化措施", default=list, blank=True)
    reading = models.JSONField("识别说明", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entry_id", "level", "line_key", "id"]
        verbose_name = "导入的减排措施原文"
        verbose_name_plural = "导入的减排措施原文"
