"""Emergency-list entries per site and year, their lines, approved plans, alert events and enterprise tasks.

Every write goes through services.py; these models hold data only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from airgrade.core.emergency.model import GuaranteeCategory, LineStatus
from airgrade.core.types import AlertLevel

LEVEL_CHOICES = [(level.value, level.label_zh) for level in AlertLevel]


class ListEntry(models.Model):
    """One site's row in the emergency list of one year (REQ SJZ-9, H23-4, LC-10)."""

    class GradeSource(models.TextChoices):
        REGISTRY = "registry", "评级结果"
        DECLARED = "declared", "企业申报"

    class GuaranteeStatus(models.TextChoices):
        NONE = "", "非保障类"
        APPLIED = "applied", "已申请"
        LISTED = "listed", "已纳入"
        REJECTED = "rejected", "未通过"
        REMOVED = "removed", "已移出"

    class SmallMicroStatus(models.TextChoices):
        NONE = "", "—"
        FLAGGED = "flagged", "符合小微条件（待县级认定）"
        CERTIFIED = "certified", "县级已认定"
        REFUSED = "refused", "县级不予认定"

    site = models.ForeignKey(
        "enterprises.Site", verbose_name="厂区", on_delete=models.CASCADE, related_name="list_entries"
    )
    # Denormalised for scoped queries (region prefix, own enterprise) without joins.
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="list_entries")
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT)
    year = models.PositiveIntegerField("清单年度")
    in_industrial_park = models.BooleanField("是否在工业园区", default=False)
    transport_mode = models.CharField("运输方式", max_length=64, blank=True)
    transport_volume_t = models.FloatField("年运输量（吨）", null=True, blank=True)
    daily_heavy_trucks = models.PositiveIntegerField("日均重型车辆（辆次）", null=True, blank=True)
    output_value_10k_yuan = models.FloatField("工业产值（万元）", null=True, blank=True)
    energy_use_tce = models.FloatField("能源消耗量（吨标煤）", null=True, blank=True)
    annual_output = models.FloatField("年产量", null=True, blank=True)
    output_unit = models.CharField("产量单位", max_length=32, blank=True)
    guarantee_category = models.CharField(
        "保障类类别", max_length=40, blank=True, choices=[(c.value, c.label_zh) for c in GuaranteeCategory]
    )
    guarantee_task = models.CharField("保障任务", max_length=200, blank=True)
    guaranteed_daily_output = models.FloatField("保障任务日产量", null=True, blank=True)
    normal_daily_output = models.FloatField("正常生产日产量", null=True, blank=True)
    guarantee_status = models.CharField(
        "保障类状态", max_length=16, blank=True, choices=GuaranteeStatus.choices, default=GuaranteeStatus.NONE
    )
    guarantee_note = models.CharField("保障类说明", max_length=300, blank=True)
    small_micro_facts = models.JSONField("小微涉气认定材料", null=True, blank=True)
    small_micro_status = models.CharField(
        "小微涉气", max_length=16, blank=True, choices=SmallMicroStatus.choices, default=SmallMicroStatus.NONE
    )
    small_micro_opinion = models.CharField("县级认定意见", max_length=300, blank=True)
    # Stricter measures the enterprise proposes: {level: {industry_code: [measure, …]}} (never weaker, G-5).
    proposals = models.JSONField("自报措施", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_id", "enterprise_id", "site_id", "-year"]
        verbose_name = "应急减排清单条目"
        verbose_name_plural = "应急减排清单条目"
        constraints = [models.UniqueConstraint(fields=["site", "year"], name="unique_list_entry_site_year")]
        indexes = [models.Index(fields=["region", "year"])]

    def __str__(self) -> str:
        return f"{self.site} {self.year}"


class ListIndustry(models.Model):
    """One key industry of the entry and the grade that decides its measures (registry grade wins)."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="industries")
    industry_code = models.CharField("行业", max_length=64)
    grade = models.CharField("绩效等级", max_length=8, blank=True)
    grade_source = models.CharField(
        "等级来源", max_length=16, choices=ListEntry.GradeSource.choices, default=ListEntry.GradeSource.DECLARED
    )

    class Meta:
        ordering = ["entry_id", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "industry_code"], name="unique_list_industry")]


class ListLine(models.Model):
    """A line, process or piece of equipment of the entry with the three capacities and daily emissions."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="lines")
    registry_line = models.ForeignKey(
        "enterprises.ProductionLine", verbose_name="档案生产线", null=True, blank=True, on_delete=models.SET_NULL
    )
    key = models.CharField("编号", max_length=40)
    name = models.CharField("名称", max_length=200)
    industry_code = models.CharField("所属行业", max_length=64, blank=True)
    kind = models.CharField("类别", max_length=16, default="line")
    status = models.CharField(
        "状态", max_length=20, choices=[(s.value, s.label_zh) for s in LineStatus], default=LineStatus.RUNNING.value
    )
    capacity_unit = models.CharField("产能单位", max_length=32)
    operating_days = models.FloatField("年运行天数", null=True, blank=True)
    eia_capacity = models.FloatField("环评批复产能", null=True, blank=True)
    permit_capacity = models.FloatField("排污许可产能", null=True, blank=True)
    actual_output = models.FloatField("上年度实际产量", null=True, blank=True)
    so2_t_per_day = models.FloatField("SO2 (t/d)", default=0)
    nox_t_per_day = models.FloatField("NOx (t/d)", default=0)
    pm_t_per_day = models.FloatField("PM (t/d)", default=0)
    vocs_t_per_day = models.FloatField("VOCs (t/d)", default=0)
    non_interruptible = models.BooleanField("不可中断工序", default=False)
    key_parameters = models.CharField("关键参数", max_length=300, blank=True)

    class Meta:
        ordering = ["entry_id", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "key"], name="unique_list_line_key")]


class NonInterruptiblePlan(models.Model):
    """A city-approved curtailment plan for an industry's non-interruptible processes (REQ SJZ-10)."""

    industry_code = models.CharField("行业", max_length=64)
    region = models.ForeignKey("regions.Region", verbose_name="核定区域", on_delete=models.PROTECT)
    yellow_percent = models.FloatField("黄色预警限产%")
    orange_percent = models.FloatField("橙色预警限产%")
    red_percent = models.FloatField("红色预警限产%")
    note = models.CharField("方案说明", max_length=300, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["industry_code", "region"], name="unique_plan_industry_region")]


class AlertEvent(models.Model):
    """A heavy-pollution alert for a set of regions: issued, raised, lowered, lifted (REQ G-5, G-6)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "预警中"
        LIFTED = "lifted", "已解除"

    title = models.CharField("名称", max_length=200)
    region_codes = models.JSONField("预警区域")
    scope_region = models.ForeignKey(
        "regions.Region", verbose_name="发布单位区划", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField("预警级别", max_length=8, choices=LEVEL_CHOICES)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("预计结束时间", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.ACTIVE)
    rules_version = models.CharField("规则版本", max_length=40, blank=True)
    expected = models.JSONField("预期减排（按城市）", default=dict)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "预警事件"
        verbose_name_plural = "预警事件"

    def __str__(self) -> str:
        return self.title


class AlertChange(models.Model):
    """One step of an event's history: issue, raise, lower, lift."""

    class Action(models.TextChoices):
        ISSUE = "issue", "发布"
        RAISE = "raise", "升级"
        LOWER = "lower", "降级"
        LIFT = "lift", "解除"

    event = models.ForeignKey(AlertEvent, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField("操作", max_length=8, choices=Action.choices)
    level = models.CharField("级别", max_length=8, choices=LEVEL_CHOICES, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("原因", max_length=300, blank=True)

    class Meta:
        ordering = ["event_id", "id"]


class AlertTask(models.Model):
    """An enterprise's task list during an event, its acknowledgement and, afterwards, expected vs reported."""

    event = models.ForeignKey(AlertEvent, on_delete=models.CASCADE, related_name="tasks")
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="alert_tasks")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("级别", max_length=8, choices=LEVEL_CHOICES)
    plan = models.JSONField("任务清单")
    expected_so2 = models.FloatField(default=0)
    expected_nox = models.FloatField(default=0)
    expected_pm = models.FloatField(default=0)
    expected_vocs = models.FloatField(default=0)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # After the event: what the enterprise reports, and independent evidence recorded by the bureau (H23-6).
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)
    reported_lines_done = models.JSONField("已落实的生产线", default=list, blank=True)
    reported_note = models.TextField("执行情况说明", blank=True)
    reported_so2 = models.FloatField(null=True, blank=True)
    reported_nox = models.FloatField(null=True, blank=True)
    reported_pm = models.FloatField(null=True, blank=True)
    reported_vocs = models.FloatField(null=True, blank=True)
    evidence_online_monitoring = models.TextField("在线监测数据核查", blank=True)
    evidence_electricity_baseline_kwh = models.FloatField("平时日用电量 (kWh)", null=True, blank=True)
    evidence_electricity_alert_kwh = models.FloatField("预警期间日用电量 (kWh)", null=True, blank=True)
    evidence_note = models.TextField("核查意见", blank=True)
    evidence_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["event_id", "region_id", "enterprise_id", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "entry"], name="unique_alert_task")]
