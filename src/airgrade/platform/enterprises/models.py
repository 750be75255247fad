"""The enterprise registry: enterprises, sites (厂区), industry assignments, production lines and emission outlets."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from airgrade.core.types import Pollutant
from airgrade.platform.numbers import ReadableDecimalField


class Enterprise(models.Model):
    class Status(models.TextChoices):
        OPERATING = "operating", "正常生产"
        SUSPENDED = "suspended", "停产"
        CLOSED = "closed", "关停"

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=200, db_index=True)
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT)
    address = models.CharField("地址", max_length=255, blank=True)
    contact_name = models.CharField("联系人", max_length=64, blank=True)
    contact_phone = models.CharField("联系电话", max_length=32, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPERATING)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = "企业"
        verbose_name_plural = "企业"
        indexes = [models.Index(fields=["region", "name"]), models.Index(fields=["status", "region"])]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A plant site (厂区); declarations and emergency lists are per site (REQ LC-4)."""

    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="sites")
    name = models.CharField("厂区名称", max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT)
    address = models.CharField("地址", max_length=255, blank=True)

    class Meta:
        ordering = ["enterprise_id", "id"]
        verbose_name = "厂区"
        verbose_name_plural = "厂区"
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"], name="unique_site_name")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.name}"


class IndustryAssignment(models.Model):
    """A key-industry type and branch for a site; a site may have several (REQ G-1, LC-5)."""

    site = models.ForeignKey(Site, verbose_name="厂区", on_delete=models.CASCADE, related_name="industries")
    # Denormalised from the site so the registry list can filter by industry without a second join.
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="industry_assignments")
    industry_code = models.CharField("重点行业类型", max_length=64)
    branch = models.CharField("重点行业分支", max_length=100, blank=True)

    class Meta:
        verbose_name = "行业归属"
        verbose_name_plural = "行业归属"
        indexes = [models.Index(fields=["industry_code", "enterprise"])]
        constraints = [models.UniqueConstraint(fields=["site", "industry_code", "branch"], name="unique_site_industry")]


class ProductionLine(models.Model):
    """A production line, process step or piece of equipment: the unit that emergency measures name (REQ H23-4)."""

    class Kind(models.TextChoices):
        LINE = "line", "生产线"
        PROCESS = "process", "工序"
        EQUIPMENT = "equipment", "设备"

    class Status(models.TextChoices):
        RUNNING = "running", "运行"
        STOPPED = "stopped", "停运"
        BACKUP = "backup", "备用"

    site = models.ForeignKey(Site, verbose_name="厂区", on_delete=models.CASCADE, related_name="lines")
    parent = models.ForeignKey(
        "self",
        verbose_name="所属生产线",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
    )
    industry_code = models.CharField("所属行业", max_length=64, blank=True)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.LINE)
    process_type = models.CharField("工艺类型", max_length=100, blank=True)
    capacity = ReadableDecimalField("产能", max_digits=16, decimal_places=3)
    capacity_unit = models.CharField("产能单位", max_length=32)
    energy_type = models.CharField("能源类型", max_length=64, blank=True)
    status = models.CharField("运行状态", max_length=16, choices=Status.choices, default=Status.RUNNING)
    non_interruptible = models.BooleanField("不可中断工序", default=False)

    class Meta:
        ordering = ["site_id", "id"]
        verbose_name = "生产线/工序/设备"
        verbose_name_plural = "生产线/工序/设备"

    def __str__(self) -> str:
        return self.name


class LineStatusChange(models.Model):
    """One declared status of a production line from a moment on (who declared it, why): the registry's history of
    line status, so a past month's cross-check judges each hour against the status then in force (REQ H23-6).
    Written only by the registry's line services, in the transaction that changes the status."""

    line = models.ForeignKey(
        ProductionLine, verbose_name="生产线", on_delete=models.CASCADE, related_name="status_history"
    )
    status = models.CharField("运行状态", max_length=16, choices=ProductionLine.Status.choices)
    since = models.DateTimeField("起始时间")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="变更人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField("变更原因", blank=True)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["line_id", "since", "id"]
        indexes = [models.Index(fields=["line", "since"], name="line_status_since")]
        verbose_name = "生产线状态记录"
        verbose_name_plural = "生产线状态记录"

    def __str__(self) -> str:
        return f"{self.line_id} {self.status} {self.since:%Y-%m-%d %H:%M}"


class EmissionOutlet(models.Model):
    site = models.ForeignKey(Site, verbose_name="厂区", on_delete=models.CASCADE, related_name="outlets")
    code = models.CharField("排放口编号", max_length=32)
    name = models.CharField("排放口名称", max_length=200)
    pollutants = models.JSONField("污染物", default=list)

    class Meta:
        verbose_name = "排放口"
        verbose_name_plural = "排放口"
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="unique_outlet_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndustryListing(models.Model):
    """Read model for the registry list: one row per enterprise and industry, with the columns the list filters
    and sorts on, so an industry-filtered page and its count come from one index instead of a join over the whole
    registry. Kept in step by the registry services (the only writers of enterprises and industry assignments)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="industry_listing")
    industry_code = models.CharField(max_length=64)
    region_code = models.CharField(max_length=6)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "industry_code"], name="unique_listing_industry")]
        indexes = [
            models.Index(fields=["industry_code", "region_code", "name", "enterprise"], name="listing_industry_region"),
            models.Index(fields=["industry_code", "status", "region_code", "name"], name="listing_industry_status"),
        ]


class RegistryTally(models.Model):
    """Exact enterprise counts per county, industry ('' = all industries) and status, kept by the registry services,
    so the list's total for a province or city is a sum of a few hundred rows rather than a count of the registry."""

    region_code = models.CharField(max_length=6)
    industry_code = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["industry_code", "region_code", "status"], name="unique_registry_tally")
        ]


POLLUTANT_CHOICES = [(p.value, p.value) for p in Pollutant]
