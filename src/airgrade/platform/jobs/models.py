"""A background job: who started it, in which region, what it does, how far it got and what it produced.

The durable state lives here; the live progress and the cancel flag of a running job go through the `jobs` cache
(see services.py), because a commit that holds the database's write lock for a minute must still report progress.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("任务类型", max_length=64)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT)
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", null=True, on_delete=models.PROTECT)
    enterprise_id = models.BigIntegerField(null=True, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.QUEUED)
    phase = models.CharField("阶段", max_length=64, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    input_name = models.CharField("上传文件", max_length=255, blank=True)
    input_data = models.BinaryField(null=True, blank=True)
    result_name = models.CharField("结果文件", max_length=255, blank=True)
    result_data = models.BinaryField(null=True, blank=True)
    report = models.JSONField("结果", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["region", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED, self.State.CANCELLED)
