"""Workbook services: start an import (dry run, then commit from a clean dry run), imported measure texts and their
review, and the rows of each export — every read scoped, every write permission-checked, atomic and audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from airgrade.core.access import Target
from airgrade.core.emergency.measure_text import read_measures
from airgrade.core.types import Role
from airgrade.platform.audit import services as audit
from airgrade.platform.emergency import services as emergency
from airgrade.platform.emergency.models import ListEntry
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job
from airgrade.platform.permissions import actor_of, require
from airgrade.platform.workbooks.models import MeasureText

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
IMPORT_KINDS = {
    "emergency_list": "import.emergency_list",
    "registry": "import.registry",
    "grade_history": "import.grade_history",
}


# ---------------------------------------------------------------- imports


def start_import(user: Any, kind: str, filename: str, data: bytes, *, enqueue: bool = True) -> Job:
    """A dry run of `data` as a `kind` workbook, queued as a background job."""
    job_kind = IMPORT_KINDS.get(kind)
    if job_kind is None:
        raise ServiceError(f"未知的导入类型: {kind}", field="kind")
    actor = actor_of(user)
    require(actor, "workbook.import", Target(region_code=actor.region_code))
    if not data:
        raise ServiceError("请选择要上传的 Excel 文件", field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ServiceError("文件超过 50 MB，请拆分后分批导入", field="file")
    return jobs.start(
        user, job_kind, params={"commit": False}, input_name=filename[:200], input_data=data, enqueue=enqueue
    )


def commit_import(user: Any, job_id: int, *, enqueue: bool = True) -> Job:
    """Commit the file of a finished, error-free dry run (its own job: the dry run stays as the record)."""
    dry_run = jobs.get_job(user, job_id)
    if dry_run.owner_id != user.pk:
        raise ServiceError("只能提交本人上传并预检的文件", field="job")
    if not dry_run.kind.startswith("import.") or dry_run.params.get("commit"):
        raise ServiceError("该任务不是导入预检", field="job")
    if dry_run.state != Job.State.SUCCEEDED:
        raise ServiceError("预检尚未完成或未通过，不能提交", field="job")
    if dry_run.report.get("error_total"):
        raise ServiceError("预检发现错误，请修正文件后重新上传", field="job")
    if dry_run.children.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING, Job.State.SUCCEEDED]).exists():
        raise ServiceError("该文件已提交导入", field="job")
    return jobs.start(
        user,
        dry_run.kind,
        # The dry run's own parameters (a site, a device, a year) carry over: the commit writes what was checked.
        params={**(dry_run.params or {}), "commit": True},
        input_name=dry_run.input_name,
        input_data=bytes(dry_run.input_data or b""),
        parent=dry_run,
        enqueue=enqueue,
    )


# ---------------------------------------------------------------- imported measure texts


def replace_measure_texts(user: Any, entry: ListEntry, texts: list[tuple[str, str, str, str]], reason: str) -> None:
    """Keep the entry's measure texts as the file has them; a text already decided keeps its decision."""
    require(user, "emergency.list.edit", Target(region_code=entry.region_id, enterprise_id=entry.enterprise_id))
    with transaction.atomic():
        previous = {(t.level, t.line_key, t.industry_code, t.text): t for t in MeasureText.objects.filter(entry=entry)}
        wanted = set(texts)
        gone = [item.pk for key, item in previous.items() if key not in wanted]
        MeasureText.objects.filter(pk__in=gone).delete()
        created = []
        for level, line_key, industry_code, text in texts:
            if (level, line_key, industry_code, text) in previous:
                continue
            reading = read_measures(text)
            created.append(
                MeasureText(
                    entry=entry,
                    level=level,
                    line_key=line_key,
                    industry_code=industry_code,
                    text=text,
                    proposed=[measure.model_dump(mode="json") for measure in reading.measures],
                    reading=list(reading.notes),
                    status=MeasureText.Status.PROPOSED if reading.understood else MeasureText.Status.UNREAD,
                )
            )
        MeasureText.objects.bulk_create(created)
        if gone or created:
            audit.record(
                actor=user,
                action="emergency.measure_text.replace",
                obj=entry,
                region_code=entry.region_id,
                before={"removed": len(gone)},
                after={"texts": sorted(texts)},
                reason=reason,
            )


def add_measure_texts(user: Any, items: list[tuple[ListEntry, list[tuple[str, str, str, str]]]], reason: str) -> None:
    """The measure texts of new entries (no texts yet) in bulk: the rows and the audit record replace_measure_texts
    writes for each."""
    actor = actor_of(user)
    created, records = [], []
    readings: dict[str, Any] = {}  # a list repeats the same few texts on thousands of lines
    for entry, texts in items:
        require(actor, "emergency.list.edit", Target(region_code=entry.region_id, enterprise_id=entry.enterprise_id))
        if not texts:
            continue
        for level, line_key, industry_code, text in dict.fromkeys(texts):
            reading = readings.get(text)
            if reading is None:
                reading = readings[text] = read_measures(text)
            created.append(
                MeasureText(
                    entry=entry,
                    level=level,
                    line_key=line_key,
                    industry_code=industry_code,
                    text=text,
                    proposed=[measure.model_dump(mode="json") for measure in reading.measures],
                    reading=list(reading.notes),
                    status=MeasureText.Status.PROPOSED if reading.understood else MeasureText.Status.UNREAD,
                )
            )
        records.append(
            {
                "action": "emergency.measure_text.replace",
                "obj": entry,
                "region_code": entry.region_id,
                "before": {"removed": 0},
                "after": {"texts": sorted(texts)},
                "reason": reason,
            }
        )
    with transaction.atomic():
        MeasureText.objects.bulk_create(created, batch_size=1000)
        audit.record_many(actor=user, records=records)


def pending_measure_texts(user: Any, entry: ListEntry) -> list[MeasureText]:
    emergency.get_entry(user, entry.pk)
    return list(MeasureText.objects.filter(entry=entry).order_by("level", "line_key", "id"))


@transaction.atomic
def decide_measure_text(user: Any, text_id: int, accept: bool) -> MeasureText:
    """A reviewer accepts the quantified reading (it becomes the entry's proposed measures for that level and
    industry, checked stricter-than-minimum by save_entry) or rejects it (the text stays, nothing applies)."""
    item = MeasureText.objects.select_related("entry").filter(pk=text_id).first()
    if item is None:
        raise NotFound("措施原文不存在或不在您的管辖范围内")
    entry = emergency.get_entry(user, item.entry_id)
    require(
        user, "emergency.measure_text.decide", Target(region_code=entry.region_id, enterprise_id=entry.enterprise_id)
    )
    if item.status not in (MeasureText.Status.PROPOSED,):
        raise ServiceError("该措施原文没有待审核的量化结果", field="status")
    if accept:
        data = emergency.entry_data(entry)
        proposals = data.get("proposals") or {}
        by_industry = proposals.setdefault(item.level, {})
        by_industry[item.industry_code] = list(item.proposed)
        data["proposals"] = proposals
        emergency.save_entry(user, entry.site_id, entry.year, data, reason=f"采纳导入的措施原文：{item.text}")
    item.status = MeasureText.Status.ACCEPTED if accept else MeasureText.Status.REJECTED
    item.decided_by = user
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=user,
        action="emergency.measure_text.decide",
        obj=item,
        region_code=entry.region_id,
        after={"status": item.status, "proposed": item.proposed},
    )
    return item


# ---------------------------------------------------------------- exports


def emergency_list_rows(user: Any, year: int | None = None) -> Iterator[dict[str, Any]]:
    """The caller's list entries in the import layout: one row per line (round trip: export → import → no change)."""
    from airgrade.platform.workbooks.emergency_import import measure_text_rows
    from airgrade.platform.workbooks.resolve import industry_name

    actor = actor_of(user)
    if actor.role is Role.PUBLIC:
        return
    entries = (
        emergency.visible_entries(user, year=year)
        .prefetch_related("measure_texts")
        .order_by("region_id", "enterprise__name", "site__name", "year")
    )
    for entry in entries.iterator(chunk_size=500):
        base = {
            "year": entry.year,
            "credit_code": entry.enterprise.credit_code,
            "enterprise_name": entry.enterprise.name,
            "site_name": entry.site.name,
            "county": entry.region_id,
            "in_industrial_park": entry.in_industrial_park,
            "transport_mode": entry.transport_mode,
            "transport_volume_t": entry.transport_volume_t,
            "daily_heavy_trucks": entry.daily_heavy_trucks,
            "output_value_10k_yuan": entry.output_value_10k_yuan,
            "energy_use_tce": entry.energy_use_tce,
            "annual_output": entry.annual_output,
            "output_unit": entry.output_unit,
        }
        grades = {item.industry_code: item.grade for item in entry.industries.all()}
        texts = measure_text_rows(entry)
        lines = list(entry.lines.all())
        for line in lines:
            code = line.industry_code or next(iter(grades), "")
            row = {
                **base,
                "industry": industry_name(code),
                "grade": grades.get(code) or None,
                "line_key": line.key,
                "line_name": line.name,
                "kind": line.kind,
                "status": line.status,
                "capacity_unit": line.capacity_unit,
                "operating_days": line.operating_days,
                "eia_capacity": line.eia_capacity,
                "permit_capacity": line.permit_capacity,
                "actual_output": line.actual_output,
                "non_interruptible": line.non_interruptible,
                "key_parameters": line.key_parameters,
                **{p.value: getattr(line, field) for p, field in emergency.POLLUTANT_FIELDS.items()},
                **texts.get((line.key, code), {}),
            }
            yield row
        listed = {line.industry_code for line in lines}
        for code, grade in grades.items():
            if code not in listed:
                yield {**base, "industry": industry_name(code), "grade": grade or None, **texts.get(("", code), {})}
