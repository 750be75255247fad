"""Monitoring points (outlet monitors, electricity meters), their readings, verdicts per alert task and the cases a
suspected failure opens for the county (issue 12; REQ H23-6, H21-6). Every write goes through services.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from airgrade.core.verification import ReadingStatus, Verdict

STATUS_CHOICES = [(status.value, status.label_zh) for status in ReadingStatus]
VERDICT_CHOICES = [(verdict.value, verdict.label_zh) for verdict in Verdict]


class MonitoringPoint(models.Model):
    """An outlet's automatic monitor (污染源自动在线监控) or an electricity meter (工业用电量) of one site."""

    class Kind(models.TextChoices):
        OUTLET = "outlet", "排放口在线监测"
        METER = "meter", "电表"

    site = models.ForeignKey(
        "enterprises.Site", verbose_name="厂区", on_delete=models.CASCADE, related_name="monitoring_points"
    )
    # Denormalised for scoped queries.
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=8, choices=Kind.choices)
    code = models.CharField("编号", max_length=40)
    outlet = models.ForeignKey(
        "enterprises.EmissionOutlet", verbose_name="档案排放口", null=True, blank=True, on_delete=models.SET_NULL
    )
    line = models.ForeignKey(
        "enterprises.ProductionLine", verbose_name="档案生产线", null=True, blank=True, on_delete=models.SET_NULL
    )
    # True once the enterprise or county entered the point in the meter register (meters.py); a point the import
    # created for an unknown code stays False: its readings are kept and it is flagged 未登记.
    registered = models.BooleanField("已登记", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site_id", "kind", "code"]
        verbose_name = "监测点位"
        verbose_name_plural = "监测点位"
        constraints = [models.UniqueConstraint(fields=["site", "kind", "code"], name="unique_monitoring_point")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"


class Reading(models.Model):
    """One reading: an hourly emission rate of one pollutant at an outlet, or a meter's energy over an interval."""

    # Keyed by (point, pollutant, time) — the key every import, verdict and cross-check reads by — with no surrogate
    # id: at province scale (10⁸ rows) an id column and its index cost ~8 bytes a row and 3 GB, and every imported
    # row one more index entry (issue 12's import rate; docs/verification.md). No database-level foreign
    # key (PostgreSQL would check every row of a bulk import at commit): the import writes readings only for
    # the points it has just read or created in the same transaction, and deleting a point deletes its readings
    # through Django's cascade. Readings are a time series written at data-feed rates (issue 12).
    pk = models.CompositePrimaryKey("point", "pollutant", "at")
    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.CASCADE, related_name="readings", db_index=False, db_constraint=False
    )
    pollutant = models.CharField("污染物", max_length=8, blank=True)  # blank for meters
    at = models.DateTimeField("时间")
    minutes = models.PositiveSmallIntegerField("时段（分钟）")
    value = models.FloatField("排放速率 kg/h 或用电量 kWh", null=True, blank=True)
    concentration = models.FloatField("折算浓度 mg/m³", null=True, blank=True)
    flow = models.FloatField("标干流量 m³/h", null=True, blank=True)
    status = models.CharField("状态标记", max_length=12, choices=STATUS_CHOICES, default=ReadingStatus.NORMAL.value)

    class Meta:
        ordering = ["point_id", "pollutant", "at"]
        verbose_name = "监测数据"
        verbose_name_plural = "监测数据"


class TaskVerdict(models.Model):
    """The verdict on one alert task: 落实 / 疑似未落实 / 数据不足, with the signals and the evidence series."""

    task = models.OneToOneField("emergency.AlertTask", on_delete=models.CASCADE, related_name="verdict")
    event = models.ForeignKey("emergency.AlertEvent", on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField("核查结论", max_length=16, choices=VERDICT_CHOICES)
    reason = models.TextField("依据")
    details = models.JSONField("各项指标", default=dict)
    evidence = models.JSONField("证据曲线", default=dict)
    rules_version = models.CharField("规则版本", max_length=40)
    computed_at = models.DateTimeField("核查时间")
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["event_id", "region_id", "enterprise_id"]
        verbose_name = "预警执行核查结论"
        verbose_name_plural = "预警执行核查结论"


class Case(models.Model):
    """A suspected failure to cut, for the county to confirm or dismiss with a reason — never a punishment by itself.
    A confirmed case goes into the grade registry's downgrade path (REQ H21-6, H23-6)."""

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        CONFIRMED = "confirmed", "确认未落实"
        DISMISSED = "dismissed", "不予认定"
        WITHDRAWN = "withdrawn", "复核后不再疑似"

    task = models.OneToOneField("emergency.AlertTask", on_delete=models.CASCADE, related_name="verification_case")
    event = models.ForeignKey("emergency.AlertEvent", on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField("立案时间", auto_now_add=True)
    decision_reason = models.TextField("核实意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    downgrades = models.ManyToManyField("grades.Downgrade", blank=True, related_name="+")
    rectification = models.ForeignKey(
        "grades.RectificationOrder",
        verbose_name="整改通知",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["status", "-opened_at"]
        verbose_name = "预警执行疑似问题"
        verbose_name_plural = "预警执行疑似问题"


class Finding(models.Model):
    """A cross-check finding outside alerts (issue 12 item 4) or an alert-day gate violation, with its evidence: for the
    county to confirm (→ the grade registry's downgrade / rectification paths, REQ H21-6, LC-12, H23-6) or dismiss
    with a reason — never a punishment by itself. `key` names what was found, so a re-run updates, never duplicates."""

    class Kind(models.TextChoices):
        EXCEEDANCE = "exceedance", "超过绩效等级排放限值"
        SILENCE = "silence", "在线监测或电表长时间无有效数据"
        IDLE_LINE = "idle_line", "申报运行的生产线电表显示未生产"
        GATE_ALERT = "gate_alert", "预警期间违规车辆进出"

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        CONFIRMED = "confirmed", "已确认"
        DISMISSED = "dismissed", "不予认定"
        WITHDRAWN = "withdrawn", "复核后不再成立"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    month = models.DateField("核查月份", null=True, blank=True)  # first day of the month checked
    site = models.ForeignKey("enterprises.Site", verbose_name="厂区", on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey(MonitoringPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event = models.ForeignKey("emergency.AlertEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    summary = models.TextField("发现")
    details = models.JSONField("依据", default=dict)
    evidence = models.JSONField("证据曲线", default=dict)
    rules_version = models.CharField("规则版本", max_length=40)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField("发现时间", auto_now_add=True)
    computed_at = models.DateTimeField("核查时间")
    decision_reason = models.TextField("核实意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    downgrades = models.ManyToManyField("grades.Downgrade", blank=True, related_name="+")
    rectification = models.ForeignKey(
        "grades.RectificationOrder",
        verbose_name="整改通知",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["status", "kind", "-opened_at", "id"]
        verbose_name = "交叉核查发现"
        verbose_name_plural = "交叉核查发现"
        indexes = [models.Index(fields=["region", "status"]), models.Index(fields=["month", "kind"])]


class CrossCheckRun(models.Model):
    """The latest cross-check of a month over a region: counts, and the monitored pollutants the rule book sets no
    limit for (listed, never given an invented one)."""

    month = models.DateField("核查月份")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    ran_at = models.DateTimeField("核查时间")
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.JSONField("结果", default=dict)
    rules_version = models.CharField("规则版本", max_length=40)

    class Meta:
        ordering = ["-month", "region_id"]
        verbose_name = "交叉核查记录"
        verbose_name_plural = "交叉核查记录"
        constraints = [models.UniqueConstraint(fields=["month", "region"], name="unique_crosscheck_run")]


class ChannelDay(models.Model):
    """Rollup of one channel (a point's pollutant, or a meter) over one local day: its 24 hourly values as they enter
    a verdict (valid hour → emission rate kg/h or energy kWh; NaN → no valid hour), 24 big-endian float8. Kept by
    every import on PostgreSQL (`series.refresh_channel_days`) so that verdicts over a whole alert read 24 times
    fewer rows than the readings; the readings stay the record."""

    point = models.ForeignKey(MonitoringPoint, on_delete=models.CASCADE, related_name="+")
    pollutant = models.CharField("污染物", max_length=8, blank=True)
    day = models.DateField("日期")
    hours = models.BinaryField("逐时值")

    class Meta:
        verbose_name = "监测日汇总"
        verbose_name_plural = "监测日汇总"
        constraints = [models.UniqueConstraint(fields=["point", "pollutant", "day"], name="unique_channel_day")]
