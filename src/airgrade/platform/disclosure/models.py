"""Published result notices and public objections / reports (REQ LC-14, H21-7, SJZ-8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ResultNotice(models.Model):
    """A per-campaign result notice (评级结果公示): a frozen list of the grades decided in the campaign."""

    campaign = models.ForeignKey("declarations.Campaign", on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    entries = models.JSONField(default=list)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = "结果公示"
        verbose_name_plural = "结果公示"


class Objection(models.Model):
    """A report by anyone that a published grade is wrong; routed to the responsible city (REQ LC-14)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "已受理"
        INVESTIGATING = "investigating", "调查中"
        CLOSED = "closed", "已办结"

    reference = models.CharField("受理编号", max_length=24, unique=True)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="objections")
    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    content = models.TextField("举报内容")
    reporter_name = models.CharField(max_length=64, blank=True)
    reporter_contact = models.CharField(max_length=64, blank=True)
    client_key = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    filed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    investigation = models.TextField("调查情况", blank=True)
    result = models.TextField("处理结果（公开）", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = "举报"
        verbose_name_plural = "举报"
