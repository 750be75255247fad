"""The grade registry (绩效等级库) and dynamic management: grades with validity, downgrades, bans, the integrity
file, rectification orders, adjustment windows and the 回头看 look-back (REQ LC-5, LC-6, LC-12, H21-6, H23-1,
H23-7, LC-8, SJZ-3, SJZ-5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from airgrade.core.types import Grade

GRADE_CHOICES = [(g.value, g.value) for g in Grade]


class GradeRecord(models.Model):
    """One grade of one site and industry for a period. Records are never edited: a new grade closes the old
    one's period (valid_until), so the full history stays and 'grade on date X' is a range query."""

    class Source(models.TextChoices):
        CAMPAIGN = "campaign", "评级批次审核"
        REVIEW = "review", "复核/核定调整"
        DOWNGRADE = "downgrade", "动态降级"
        DEFAULT_LOWEST = "default_lowest", "未申报按最低等级管理"
        LOOKBACK = "lookback", "回头看"
        DESIGNATION = "designation", "部级认定"
        HISTORY = "history", "历年公开结果导入"

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="grade_records")
    site = models.ForeignKey("enterprises.Site", on_delete=models.PROTECT, related_name="grade_records")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    industry_code = models.CharField("行业", max_length=64)
    grade = models.CharField("绩效等级", max_length=8, choices=GRADE_CHOICES)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("失效日期", null=True, blank=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    declaration = models.ForeignKey(
        "declarations.Declaration", null=True, blank=True, on_delete=models.PROTECT, related_name="grade_records"
    )
    campaign = models.ForeignKey("declarations.Campaign", null=True, blank=True, on_delete=models.PROTECT)
    rules_version = models.CharField("规则版本", max_length=64, blank=True)
    reason = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["enterprise_id", "site_id", "industry_code", "valid_from", "id"]
        verbose_name = "绩效等级记录"
        verbose_name_plural = "绩效等级记录"
        indexes = [
            models.Index(fields=["site", "industry_code", "valid_from"]),
            models.Index(fields=["region", "industry_code", "grade"]),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.industry_code} {self.grade} ({self.valid_from}–{self.valid_until or ''})"


class Designation(models.Model):
    """An A+ designation (REQ G-8, 环办大气〔2026〕2号): the ministry selects from A enterprises the province
    proposes; the platform has no ministry users, so a province user records the ministry's decision with its
    document number, date and the evidence for each condition. The A+ grade itself is the GradeRecord `record`."""

    record = models.OneToOneField(GradeRecord, on_delete=models.PROTECT, related_name="designation")
    base_record = models.ForeignKey(GradeRecord, on_delete=models.PROTECT, related_name="designations_on")
    framework = models.CharField("分级框架", max_length=32)
    decision_document = models.CharField("部级认定文号", max_length=128)
    decided_on = models.DateField("认定日期")
    technology = models.TextField("国际领先的装备或技术")
    stable_since = models.DateField("稳定运行起始日期")
    evidence = models.TextField("证明材料")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "A+级认定"
        verbose_name_plural = "A+级认定"


class AdjustmentWindow(models.Model):
    """The one dynamic-adjustment window a region may open per period (REQ H23-7 10/31, LC-8 12/10)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    period = models.PositiveIntegerField("年度")
    opens = models.DateField("开始")
    closes = models.DateField("截止")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    opened_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = "动态调整窗口"
        verbose_name_plural = "动态调整窗口"
        constraints = [models.UniqueConstraint(fields=["region", "period"], name="one_adjustment_window_per_period")]


class Downgrade(models.Model):
    class Reason(models.TextChoices):
        EXCESS_EMISSION = "excess_emission", "超标排放"
        ILLEGAL_DISCHARGE = "illegal_discharge", "偷排偷放"
        FACILITY_NOT_RUNNING = "facility_not_running", "治理设施不正常运行"
        LOOKBACK_FAILED = "lookback_failed", "回头看不合格"
        FALSE_MATERIAL = "false_material", "虚假材料"
        GATE_DATA_TAMPERED = "gate_data_tampered", "篡改门禁/视频数据"
        ALERT_NOT_EXECUTED = "alert_not_executed", "未落实应急减排措施"

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="downgrades")
    site = models.ForeignKey("enterprises.Site", on_delete=models.PROTECT)
    industry_code = models.CharField(max_length=64)
    reason_code = models.CharField("降级原因", max_length=32, choices=Reason.choices)
    description = models.TextField("事实与依据")
    from_grade = models.CharField(max_length=8, choices=GRADE_CHOICES)
    to_grade = models.CharField(max_length=8, choices=GRADE_CHOICES)
    effective = models.DateField("生效日期")
    grade_record = models.OneToOneField(GradeRecord, on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = "降级记录"
        verbose_name_plural = "降级记录"


class ApplicationBan(models.Model):
    """No application for one year after falsification or tampered gate data (REQ SJZ-3, SJZ-5)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="bans")
    starts = models.DateField()
    ends = models.DateField()
    reason = models.TextField()
    downgrade = models.ForeignKey(Downgrade, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "禁止申报"
        verbose_name_plural = "禁止申报"


class IntegrityEntry(models.Model):
    """An entry in the enterprise integrity file (诚信档案, REQ SJZ-3, H21-6)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="integrity")
    kind = models.CharField(max_length=32)
    description = models.TextField()
    downgrade = models.ForeignKey(Downgrade, null=True, blank=True, on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "诚信档案"
        verbose_name_plural = "诚信档案"


class RectificationOrder(models.Model):
    """A rectification order with a deadline, followed to closure (REQ H23-1)."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        REPORTED = "reported", "企业已报告整改完成"
        CLOSED = "closed", "已销号"

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="rectifications")
    site = models.ForeignKey("enterprises.Site", on_delete=models.PROTECT)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    problem = models.TextField("问题")
    deadline = models.DateField("整改时限")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    lookback_item = models.ForeignKey("LookbackItem", null=True, blank=True, on_delete=models.PROTECT)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField(auto_now_add=True)
    report = models.TextField("整改报告", blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = "整改通知"
        verbose_name_plural = "整改通知"


class LookbackRound(models.Model):
    """A 回头看 of every A / B / 引领性 enterprise of a region (REQ H23-1)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    year = models.PositiveIntegerField()
    qualification_due = models.DateField("资格审查截止")
    onsite_due = models.DateField("现场核查截止")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "回头看"
        verbose_name_plural = "回头看"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_lookback_per_region_year")]


class LookbackItem(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", "未开展"
        PASS = "pass", "合格"
        MINOR = "minor", "问题轻微"
        SERIOUS = "serious", "问题严重"

    class Outcome(models.TextChoices):
        NONE = "none", "无需处理"
        RECTIFY = "rectify", "限期整改"
        DOWNGRADE = "downgrade", "降级"

    round = models.ForeignKey(LookbackRound, on_delete=models.CASCADE, related_name="items")
    grade_record = models.ForeignKey(GradeRecord, on_delete=models.PROTECT)
    qualification_result = models.CharField(max_length=16, choices=Result.choices, default=Result.PENDING)
    qualification_note = models.TextField(blank=True)
    onsite_result = models.CharField(max_length=16, choices=Result.choices, default=Result.PENDING)
    onsite_note = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round_id", "id"]
        verbose_name = "回头看企业"
        verbose_name_plural = "回头看企业"
