"""Campaigns, declarations (one per site, REQ LC-4), their sealed review history, evidence, on-site checks,
experts and the reproducible B sample (REQ LC-2, LC-3, LC-6, SJZ-2, SJZ-7, H21-4, H23-3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from airgrade.core.rules.export import today
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import Grade
from airgrade.core.workflow import State

# Declared and decided grades; A+ is designated in the registry (grades.designations), never declared.
GRADE_CHOICES = [(g.value, g.value) for g in Grade if not g.is_designation]
STATE_CHOICES = [(s.value, s.label_zh) for s in State]


def policy_b_sample_ratio() -> str:
    """The B-sample ratio of the rule book's policy in force today (REQ LC-2); no copy of the number lives here."""
    return default_rulebook().policy(today()).b_sample_ratio.ratio


class Campaign(models.Model):
    """A grading campaign (评级批次) of one region: annual with stages and batches, or one monthly cycle."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "年度集中评级"
        MONTHLY = "monthly", "月度评级（全年开放申报）"
        ADJUSTMENT = "adjustment", "动态调整"

    name = models.CharField("名称", max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name="组织区划", on_delete=models.PROTECT)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.ANNUAL)
    template_code = models.CharField("模板", max_length=64, blank=True)
    rules_as_of = models.DateField("评级规则适用日期")
    application_deadline = models.DateTimeField("申报截止时间")
    # B sample ratio for city on-site checks: set per campaign, else the rule book's policy (common/policy.yaml,
    # provisional: LC-2 says only "抽查"). create_campaign asks the policy on the campaign's rules date.
    b_sample_ratio = models.CharField("B级抽查比例", max_length=16, default=policy_b_sample_ratio)
    cutoff_at = models.DateTimeField("截止处理时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-application_deadline", "id"]
        verbose_name = "评级批次"
        verbose_name_plural = "评级批次"

    def __str__(self) -> str:
        return self.name


class CampaignStage(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["campaign_id", "start", "id"]


class CampaignMilestone(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    due = models.DateTimeField()
    by = models.CharField(max_length=16)

    class Meta:
        ordering = ["campaign_id", "due", "id"]


class CampaignBatch(models.Model):
    """An industry batch (H21-4: VOCs, metal, building materials, local + 保障类) with its own due date."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="batches")
    order = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    families = models.JSONField(default=list)
    includes_guarantee = models.BooleanField(default=False)
    due = models.DateTimeField()

    class Meta:
        ordering = ["campaign_id", "order"]


class Declaration(models.Model):
    """One site's application in one campaign (REQ LC-4), with target grades per industry / process."""

    class DocumentKind(models.TextChoices):
        REPORT = "report", "申请报告"
        FORM = "form", "申请表（最低等级）"

    number = models.CharField("申报编号", max_length=32, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="declarations")
    site = models.ForeignKey("enterprises.Site", on_delete=models.PROTECT, related_name="declarations")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="declarations")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    state = models.CharField("状态", max_length=32, choices=STATE_CHOICES, default=State.DRAFT.value)
    version = models.PositiveIntegerField("版本", default=1)
    is_guarantee = models.BooleanField("保障类企业", default=False)
    commitment_text = models.TextField("减排承诺书", blank=True)
    commitment_signed_by = models.CharField("承诺人", max_length=64, blank=True)
    commitment_signed_at = models.DateTimeField(null=True, blank=True)
    document_kind = models.CharField(max_length=8, choices=DocumentKind.choices, blank=True)
    document = models.FileField(upload_to="declarations/documents/", blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    sampled_for_city = models.BooleanField("抽中市级现场核查", null=True, blank=True)
    decided_grade = models.CharField("最终等级", max_length=8, choices=GRADE_CHOICES, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "绩效分级申报"
        verbose_name_plural = "绩效分级申报"
        indexes = [models.Index(fields=["state", "region"]), models.Index(fields=["campaign", "state"])]
        constraints = [
            # One live application per site and campaign (REQ LC-4); a withdrawn one may be replaced.
            models.UniqueConstraint(
                fields=["campaign", "site"], condition=~models.Q(state="withdrawn"), name="one_declaration_per_site"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise.name}"

    @property
    def state_enum(self) -> State:
        return State(self.state)


class DeclarationItem(models.Model):
    """One industry (and process) of the declaration with its target grade and facts (REQ LC-5)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="items")
    industry_code = models.CharField("行业", max_length=64)
    process = models.CharField("工序/分支", max_length=100, blank=True)
    target_grade = models.CharField("申报等级", max_length=8, choices=GRADE_CHOICES)
    # The city's concluded grade when lower than declared (REQ LC-2): a recommendation for the province, never
    # entered in the grade registry by itself.
    recommended_grade = models.CharField("市级建议等级", max_length=8, choices=GRADE_CHOICES, blank=True)
    facts = models.JSONField("指标事实", default=dict)
    self_check = models.JSONField("自评结果", default=dict, blank=True)
    rules_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["declaration_id", "id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "industry_code", "process"], name="unique_item")]


class EvidenceFile(models.Model):
    """A proof file for one indicator: PDF, JPG or PNG, type checked by content, stored with its SHA-256."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="evidence")
    item = models.ForeignKey(DeclarationItem, null=True, blank=True, on_delete=models.CASCADE)
    indicator_id = models.CharField("指标", max_length=100, blank=True)
    file = models.FileField(upload_to="declarations/evidence/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declaration_id", "id"]


class ReviewEvent(models.Model):
    """One transition, sealed: who, role, region, opinion, time and grade, hash-linked to the previous event of
    the same declaration ("谁审核，谁签字，谁负责", REQ H23-3). Never updated."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=64)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reviewer_name = models.CharField(max_length=150)
    reviewer_role = models.CharField(max_length=16)
    reviewer_region = models.CharField(max_length=6, blank=True)
    opinion = models.TextField(blank=True)
    grade = models.CharField(max_length=8, blank=True)
    at = models.DateTimeField()
    previous_seal = models.CharField(max_length=64)
    seal = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["declaration_id", "id"]


class SampleDraw(models.Model):
    """The recorded B sample of a campaign in one city: ratio, seed, candidates and result (REQ LC-2)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="sample_draws")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    algorithm = models.CharField(max_length=32)
    ratio = models.CharField(max_length=16)
    seed = models.BigIntegerField()
    candidates = models.JSONField()
    drawn = models.JSONField()
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at"]


class CutoffRecord(models.Model):
    """A key-industry site that did not apply by the deadline, put at its industry's lowest grade (REQ LC-6)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="cutoff_records")
    site = models.ForeignKey("enterprises.Site", on_delete=models.PROTECT)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT)
    industry_code = models.CharField(max_length=64)
    grade = models.CharField(max_length=8, choices=GRADE_CHOICES)
    grade_record = models.ForeignKey("grades.GradeRecord", on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "site", "industry_code"], name="one_cutoff_per_site_industry")
        ]


class ExpertProfile(models.Model):
    """An expert of the volunteer team (REQ SJZ-7): region of service, and the blacklist."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    specialties = models.JSONField("专业行业", default=list, blank=True)
    blacklisted = models.BooleanField("列入黑名单", default=False)
    blacklist_reason = models.TextField(blank=True)
    blacklisted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "专家"
        verbose_name_plural = "专家"


class ExpertTie(models.Model):
    """A tie an expert declared to an enterprise (employment, consultancy, kinship): never assigned to it."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="ties")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE)
    note = models.CharField(max_length=255, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "enterprise"], name="unique_expert_tie")]


class OnsiteCheck(models.Model):
    """An on-site check (现场核查) of a declaration by the county or the city (REQ LC-2)."""

    class Level(models.TextChoices):
        COUNTY = "county", "县级现场核查"
        CITY = "city", "市级现场核查"

    class Conclusion(models.TextChoices):
        CONSISTENT = "consistent", "现场情况与申报一致"
        INCONSISTENT = "inconsistent", "现场情况与申报不符"

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="onsite_checks")
    level = models.CharField(max_length=8, choices=Level.choices)
    checklist = models.JSONField(default=list)
    experts = models.ManyToManyField(ExpertProfile, blank=True, related_name="checks")
    conclusion = models.CharField(max_length=16, choices=Conclusion.choices, blank=True)
    summary = models.TextField(blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    signature_name = models.CharField("签字人", max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declaration_id", "id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "level"], name="one_check_per_level")]

    @property
    def assignment_key(self) -> str:
        return f"onsite:{self.pk}"


class OnsiteFinding(models.Model):
    onsite_check = models.ForeignKey(OnsiteCheck, on_delete=models.CASCADE, related_name="findings")
    section = models.CharField(max_length=32)
    industry_code = models.CharField(max_length=64)
    indicator_id = models.CharField(max_length=100)
    result = models.CharField(max_length=16, choices=[("met", "符合"), ("not_met", "不符合"), ("na", "不适用")])
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["onsite_check", "industry_code", "indicator_id"], name="one_finding_per_item"
            )
        ]


class OnsitePhoto(models.Model):
    onsite_check = models.ForeignKey(OnsiteCheck, on_delete=models.CASCADE, related_name="photos")
    indicator_id = models.CharField(max_length=100, blank=True)
    file = models.FileField(upload_to="declarations/onsite/")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class ExpertSignoff(models.Model):
    """An assigned expert's signature under the findings of an on-site check. Experts record and sign their
    findings; the responsible official then signs the check itself ("谁审核，谁签字，谁负责", REQ H23-3, SJZ-7)."""

    onsite_check = models.ForeignKey(OnsiteCheck, on_delete=models.PROTECT, related_name="expert_signoffs")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="signoffs")
    signature_name = models.CharField("专家签字", max_length=64)
    opinion = models.TextField("专家意见", blank=True)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["onsite_check_id", "signed_at"]
        constraints = [models.UniqueConstraint(fields=["onsite_check", "expert"], name="one_signoff_per_expert")]
