"""Scoring rounds, each enterprise's scorecard in a round, the values of its indicators from three sources, and the
recorded decisions that change a published result (REQ ZZ-1 … ZZ-7). Written only by scorecards.services."""

from __future__ import annotations

from django.conf import settings
from django.db import models

SOURCE_CHOICES = (("declared", "企业申报"), ("department", "部门数据"), ("onsite", "现场核查"))
CLASS_CHOICES = (("A", "A类"), ("B", "B类"), ("C1", "C′档"), ("C2", "C″档"))


class ScoreRound(models.Model):
    """One year's evaluation in a city: enterprises declare by the deadline; the city publishes the results."""

    region = models.ForeignKey("regions.Region", verbose_name="城市", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("评价年度")
    deadline = models.DateField("申报截止日期")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "region_id"]
        verbose_name = "绿色绩效评价批次"
        verbose_name_plural = "绿色绩效评价批次"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_score_round_per_city_year")]

    def __str__(self) -> str:
        return f"{self.year}年度绿色绩效评价"


class Scorecard(models.Model):
    """One enterprise in one round: its industry, whether it declared, red lines, integrity, the on-site check, and
    its published result (changed afterwards only by a ResultDecision)."""

    round = models.ForeignKey(ScoreRound, on_delete=models.PROTECT, related_name="scorecards")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="scorecards")
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT)
    industry_code = models.CharField("行业", max_length=64, blank=True)
    declared_at = models.DateTimeField("申报时间", null=True, blank=True)
    red_lines = models.JSONField("红线原因", default=list, blank=True)
    false_data = models.BooleanField("申报数据弄虚作假", default=False)
    onsite_expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    onsite_at = models.DateTimeField("现场核查时间", null=True, blank=True)
    published = models.JSONField("发布结果", null=True, blank=True)

    class Meta:
        ordering = ["round_id", "region_id", "enterprise__name"]
        verbose_name = "绿色绩效评分表"
        verbose_name_plural = "绿色绩效评分表"
        constraints = [models.UniqueConstraint(fields=["round", "enterprise"], name="one_scorecard_per_round")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.round.year}年度绿色绩效评分"


class ScoreValue(models.Model):
    """One value of one indicator as one source gave it, with who and when (REQ ZZ-2). Never edited: a newer value
    of the same source supersedes it."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField("指标", max_length=80)
    source = models.CharField("数据来源", max_length=16, choices=SOURCE_CHOICES)
    value = models.JSONField("数值")
    evidence = models.CharField("证明材料/说明", max_length=500, blank=True)
    department = models.CharField("提供部门", max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        ordering = ["scorecard_id", "indicator", "source", "recorded_at", "id"]
        verbose_name = "评价指标数值"
        verbose_name_plural = "评价指标数值"
        indexes = [models.Index(fields=["scorecard", "indicator", "source"])]


class ResultDecision(models.Model):
    """A recorded, reasoned change of a published result (REQ ZZ-7: 结果一经确定不得随意更改)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="decisions")
    before = models.JSONField("原结果")
    after = models.JSONField("新结果")
    reason = models.TextField("决定理由")
    document = models.CharField("决定文号", max_length=200)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scorecard_id", "decided_at"]
        verbose_name = "评价结果变更决定"
        verbose_name_plural = "评价结果变更决定"
