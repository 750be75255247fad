"""Gate ledger models (issue 11): vehicle registers, gate devices, the append-only hash-chained passage ledger per
site with its chain head, daily counts kept with every append, verification runs and inspection samples."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from airgrade.core.gates import FUEL_LABELS, VehicleKind
from airgrade.core.types import EmissionStage

KIND_CHOICES = [(kind.value, kind.label_zh) for kind in VehicleKind]
STAGE_CHOICES = [(stage.value, stage.value) for stage in EmissionStage]
FUEL_CHOICES = [(fuel.value, label) for fuel, label in FUEL_LABELS.items()]
DIRECTION_CHOICES = [("in", "进厂"), ("out", "出厂")]


class Vehicle(models.Model):
    """One register row: a road truck, an in-plant vehicle or a non-road machine of a site (REQ SJZ-5)."""

    site = models.ForeignKey("enterprises.Site", verbose_name="厂区", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类别", max_length=8, choices=KIND_CHOICES)
    # Road and in-plant vehicles are keyed by plate, machinery by its environmental registration code.
    plate = models.CharField("车牌号", max_length=16, blank=True)
    plate_colour = models.CharField("车牌颜色", max_length=16, blank=True)
    vin = models.CharField("车辆识别代号（VIN）", max_length=17, blank=True)
    vehicle_type = models.CharField("车辆/机械类型", max_length=64, blank=True)
    registration_date = models.DateField("注册登记日期", null=True, blank=True)
    fuel = models.CharField("燃料类型", max_length=16, choices=FUEL_CHOICES)
    stage = models.CharField("排放阶段", max_length=8, choices=STAGE_CHOICES)
    env_code = models.CharField("环保登记编码", max_length=32, blank=True)
    pin = models.CharField("机械识别号（PIN）", max_length=32, blank=True)
    engine = models.CharField("发动机型号", max_length=64, blank=True)
    evidence = models.CharField("随车清单/行驶证", max_length=200, blank=True)
    owner = models.CharField("所有人/车队", max_length=100, blank=True)
    active = models.BooleanField("在册", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["site_id", "kind", "plate", "env_code"]
        verbose_name = "车辆/机械登记"
        verbose_name_plural = "车辆/机械登记"
        indexes = [models.Index(fields=["site", "plate"])]

    def __str__(self) -> str:
        return self.plate or self.env_code or self.pin


class GateDevice(models.Model):
    """A gate lane's plate-recognition device with its own API credential (only its SHA-256 stored)."""

    site = models.ForeignKey("enterprises.Site", verbose_name="厂区", on_delete=models.CASCADE, related_name="+")
    code = models.CharField("设备编号", max_length=32)
    entrance = models.CharField("出入口", max_length=64)
    lane = models.CharField("车道", max_length=32, blank=True)
    vendor = models.CharField("厂商", max_length=64, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField("凭证吊销时间", null=True, blank=True)
    # Kept with every append (under the site's chain-head lock) so status pages never count the ledger.
    received = models.BigIntegerField("已接收记录", default=0)
    first_sequence = models.BigIntegerField("最小序号", null=True, blank=True)
    last_sequence = models.BigIntegerField("最大序号", null=True, blank=True)
    last_passed_at = models.DateTimeField("最近通行时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site_id", "code"]
        verbose_name = "门禁设备"
        verbose_name_plural = "门禁设备"
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="unique_gate_device_code")]

    def __str__(self) -> str:
        return f"{self.entrance} {self.code}"


class LedgerHead(models.Model):
    """The chain head of one site's ledger: locked by every append so batches extend it one after another."""

    site = models.OneToOneField("enterprises.Site", on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)
    # The archive checkpoint (retention, `services.archive`): records 1 … base_position moved to the archive, the
    # hash of record base_position, from which the live chain continues. 0 / GENESIS before any archiving.
    base_position = models.BigIntegerField(default=0)
    base_hash = models.CharField(max_length=64, default="0" * 64)


class Passage(models.Model):
    """One ledger record: a vehicle passing a gate. Append-only: corrections are new records (`corrects`).

    The site and device keys carry no database foreign-key constraint and no single-column index (ADR 0008): every
    row is written by `services.ingest` from the locked chain head and the authenticated device, the unique keys
    beginning with `site` serve every lookup, and a row whose device is not the site's fails verification. The
    per-row constraint checks and index entries were half of PostgreSQL's cost per record."""

    site = models.ForeignKey(
        "enterprises.Site", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    device = models.ForeignKey(
        GateDevice, on_delete=models.PROTECT, related_name="passages", db_constraint=False, db_index=False
    )
    sequence = models.BigIntegerField("设备序号")
    position = models.BigIntegerField("台账序号")  # 1, 2, … per site: the chain order (ingest order)
    plate = models.CharField("车牌号", max_length=16)
    plate_colour = models.CharField("车牌颜色", max_length=16, blank=True)
    direction = models.CharField("方向", max_length=3, choices=DIRECTION_CHOICES)
    passed_at = models.DateTimeField("通行时间")
    lane = models.CharField("车道", max_length=64, blank=True)
    photo_hash = models.CharField("照片哈希", max_length=64, blank=True)
    recognised_stage = models.CharField("识别排放阶段", max_length=8, blank=True)
    # The stage and fuel the figures count: the register's when the plate is registered, else the gate's reading.
    stage = models.CharField("排放阶段", max_length=8, blank=True)
    fuel = models.CharField("燃料", max_length=16, blank=True)
    kind = models.CharField("类别", max_length=8, default=VehicleKind.ROAD.value)
    cargo = models.CharField("货物", max_length=64, blank=True)
    tonnage = models.FloatField("载重（吨）", null=True, blank=True)
    allowed = models.BooleanField("放行", default=True)
    flags = models.JSONField("标记", default=list)
    corrects = models.BigIntegerField("更正的设备序号", null=True, blank=True)
    received_at = models.DateTimeField("接收时间")
    previous_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["site_id", "position"]
        verbose_name = "门禁通行记录"
        verbose_name_plural = "门禁通行记录"
        constraints = [
            # site first: every unique key holds the distribution column when the ledger is sharded by site (docs/gates.md).
            models.UniqueConstraint(fields=["site", "device", "sequence"], name="unique_passage_device_sequence"),
            models.UniqueConstraint(fields=["site", "position"], name="unique_passage_site_position"),
        ]
        indexes = [models.Index(fields=["site", "passed_at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("门禁台账只能追加，不能修改（更正请追加一条更正记录）")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("门禁台账只能追加，不能删除")


class LedgerArchive(models.Model):
    """One retention run of a site's ledger (issue 11 §7): records first … last position moved from the live table
    to `PassageArchive` and exported to a file with their hashes; `boundary_hash` (the last archived record's hash)
    is the checkpoint the live chain continues from. Nothing leaves the live table without one of these."""

    site = models.ForeignKey("enterprises.Site", verbose_name="厂区", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("归档时间", auto_now_add=True)
    actor = models.CharField("执行人", max_length=100)
    before = models.DateField("归档截止日期（通行时间早于此日）")
    first_position = models.BigIntegerField("起始台账序号")
    last_position = models.BigIntegerField("截止台账序号")
    count = models.BigIntegerField("归档条数")
    start_hash = models.CharField("起始前序哈希", max_length=64)
    boundary_hash = models.CharField("边界哈希（检查点）", max_length=64)
    file_name = models.CharField("归档文件", max_length=255)
    file_sha256 = models.CharField("归档文件 SHA-256", max_length=64)
    videos_expired = models.IntegerField("标记过期的视频索引", default=0)

    class Meta:
        ordering = ["site_id", "first_position"]
        verbose_name = "门禁台账归档"
        verbose_name_plural = "门禁台账归档"


class PassageArchive(models.Model):
    """An archived ledger record: the live record's columns unchanged (so its hash still verifies), moved here by a
    `LedgerArchive` run. Read-only like the ledger."""

    site = models.ForeignKey(
        "enterprises.Site", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    device = models.ForeignKey(
        GateDevice, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    archive = models.ForeignKey(LedgerArchive, on_delete=models.PROTECT, related_name="records", db_index=False)
    sequence = models.BigIntegerField("设备序号")
    position = models.BigIntegerField("台账序号")
    plate = models.CharField("车牌号", max_length=16)
    plate_colour = models.CharField("车牌颜色", max_length=16, blank=True)
    direction = models.CharField("方向", max_length=3, choices=DIRECTION_CHOICES)
    passed_at = models.DateTimeField("通行时间")
    lane = models.CharField("车道", max_length=64, blank=True)
    photo_hash = models.CharField("照片哈希", max_length=64, blank=True)
    recognised_stage = models.CharField("识别排放阶段", max_length=8, blank=True)
    stage = models.CharField("排放阶段", max_length=8, blank=True)
    fuel = models.CharField("燃料", max_length=16, blank=True)
    kind = models.CharField("类别", max_length=8)
    cargo = models.CharField("货物", max_length=64, blank=True)
    tonnage = models.FloatField("载重（吨）", null=True, blank=True)
    allowed = models.BooleanField("放行")
    flags = models.JSONField("标记", default=list)
    corrects = models.BigIntegerField("更正的设备序号", null=True, blank=True)
    received_at = models.DateTimeField("接收时间")
    previous_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["site_id", "position"]
        verbose_name = "门禁通行记录（已归档）"
        verbose_name_plural = "门禁通行记录（已归档）"
        constraints = [models.UniqueConstraint(fields=["site", "position"], name="unique_archived_passage_position")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("归档台账只由归档服务写入，不能修改")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("归档台账不能删除")


class VideoReference(models.Model):
    """A reference to a video clip kept at a loading place or gate (REQ SJZ-5: video kept, deleted video is a
    finding): where and when, the file's location and SHA-256. Past the video retention it is marked expired by the
    archive run, never deleted, so a missing clip within retention stays visible."""

    site = models.ForeignKey("enterprises.Site", verbose_name="厂区", on_delete=models.PROTECT, related_name="+")
    place = models.CharField("位置（装卸点/出入口）", max_length=64)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    uri = models.CharField("存储位置", max_length=500)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    expired_at = models.DateTimeField("保存期满时间", null=True, blank=True)
    # The gate device whose credential registered it (the site's video system posts with it); None from the CLI.
    device = models.ForeignKey(
        GateDevice, verbose_name="登记凭证的设备", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["site_id", "started_at"]
        verbose_name = "视频索引"
        verbose_name_plural = "视频索引"
        indexes = [models.Index(fields=["site", "ended_at"])]
        # One reference per stored file: a resend is a duplicate, a changed one is refused (references only append).
        constraints = [models.UniqueConstraint(fields=["site", "uri"], name="unique_video_reference_uri")]


class DailyCount(models.Model):
    """Entries per site, day (Beijing time), kind, stage and fuel: maintained with every append so six months of
    figures read ~10³ rows instead of 10⁶ records."""

    site = models.ForeignKey("enterprises.Site", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=8)
    direction = models.CharField(max_length=3)
    stage = models.CharField(max_length=8, blank=True)
    fuel = models.CharField(max_length=16, blank=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day", "kind", "direction", "stage", "fuel"], name="unique_gate_daily_count"
            )
        ]


class LedgerCheck(models.Model):
    """One verification of a site's ledger: what was checked and every problem found (a finding when not ok)."""

    site = models.ForeignKey("enterprises.Site", verbose_name="厂区", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField("核验时间", auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked = models.BigIntegerField("核验条数")
    ok = models.BooleanField("完整")
    problems = models.JSONField("问题", default=list)

    class Meta:
        ordering = ["-at", "-id"]


class LedgerFinding(models.Model):
    """A failed verification as a finding (REQ SJZ-5, H23-6): altered or missing records, sequence gaps. The county or
    city confirms it (→ the grade registry's downgrade: lowest grade, one-year ban, integrity file) or dismisses it,
    with a reason; nothing happens to a grade without that decision."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        CONFIRMED = "confirmed", "已确认（降级）"
        DISMISSED = "dismissed", "不予认定"

    site = models.ForeignKey("enterprises.Site", verbose_name="厂区", on_delete=models.CASCADE, related_name="+")
    check_run = models.ForeignKey(LedgerCheck, verbose_name="核验", on_delete=models.PROTECT, related_name="findings")
    kinds = models.JSONField("问题类别", default=list)
    summary = models.TextField("核验发现")
    signature = models.CharField(max_length=64)  # SHA-256 of the problems: a repeated check adds no new finding
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    decision_reason = models.TextField("处理意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    downgrades = models.ManyToManyField("grades.Downgrade", blank=True, related_name="+")
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "门禁台账核验发现"
        verbose_name_plural = "门禁台账核验发现"
        indexes = [models.Index(fields=["site", "status"])]


class InspectionSample(models.Model):
    """An inspector's reproducible sample of ledger records (seeded and recorded, like the B sample; issue 11 §6)."""

    site = models.ForeignKey("enterprises.Site", verbose_name="厂区", on_delete=models.CASCADE, related_name="+")
    seed = models.BigIntegerField("随机种子")
    period_from = models.DateField("起始日期")
    period_to = models.DateField("截止日期")
    record_ids = models.JSONField("抽查记录")
    finding = models.TextField("核查结论", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]


class LogisticsPark(models.Model):
    """A logistics park or freight hub (REQ SJZ-6): not a graded enterprise, but it runs the same registers, gates and
    ledger. It is a site of its operating company (the ledger machinery is per site); no industry is assigned to it,
    so nothing grades it; the gate pages label it 物流园区 / 货运枢纽."""

    class Kind(models.TextChoices):
        PARK = "park", "物流园区"
        HUB = "hub", "货运枢纽"

    site = models.OneToOneField("enterprises.Site", on_delete=models.CASCADE, primary_key=True, related_name="+")
    kind = models.CharField("类别", max_length=8, choices=Kind.choices)
    operator = models.CharField("运营单位", max_length=200)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "物流园区/货运枢纽"
        verbose_name_plural = "物流园区/货运枢纽"
