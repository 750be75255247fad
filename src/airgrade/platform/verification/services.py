"""Alert verification services (issue 12; REQ H23-6, H21-6, LC-12): import monitoring and electricity readings
(idempotent, all or nothing), verdicts per alert task from the pure core, the county's case queue, and a confirmed
case into the grade registry's downgrade path. Every write runs in one transaction and leaves an audit record."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec
from zoneinfo import ZoneInfo

import numpy as np
import orjson
import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from airgrade.core import verification as core
from airgrade.core.access import Target, decide
from airgrade.core.regions import contains
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import Grade
from airgrade.platform import pgcopy
from airgrade.platform.audit import services as audit
from airgrade.platform.emergency import services as emergency
from airgrade.platform.emergency.models import AlertEvent, AlertTask, ListEntry
from airgrade.platform.enterprises.models import EmissionOutlet, Enterprise, Site
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import Downgrade
from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job
from airgrade.platform.permissions import actor_of, permissions_for, require, require_found, require_role, scoped
from airgrade.platform.verification import files, series
from airgrade.platform.verification.models import Case, MonitoringPoint, Reading, TaskVerdict

BEIJING = ZoneInfo("Asia/Shanghai")
POLLUTANT_LABELS = {"SO2": "二氧化硫", "NOx": "氮氧化物", "PM": "颗粒物", "VOCs": "挥发性有机物"}
CHART_MARGIN = dt.timedelta(days=2)  # hours shown before the alert on the evidence chart
CHART_AFTER = dt.timedelta(hours=12)  # and after it


def rules(on: dt.date) -> core.VerificationRules:
    return core.VerificationRules.from_entry(default_rulebook().alert_verification(on))


def local(moment: dt.datetime) -> dt.datetime:
    """A stored (aware) time as Beijing wall-clock time without tzinfo, as the core reads it."""
    return moment.astimezone(BEIJING).replace(tzinfo=None)


def aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=BEIJING)


# ------------------------------------------------------------------------------------------------ import


@dataclass
class ImportReport:
    kind: str
    file_name: str
    committed: bool = False
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    points_created: int = 0
    errors: list[files.RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self, limit: int = 200) -> list[str]:
        return [error.text(self.file_name) for error in self.errors[:limit]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_name": self.file_name,
            "committed": self.committed,
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "points_created": self.points_created,
            "errors": [error.as_dict() for error in self.errors],
        }


def _sites_for(user: Any, credit_codes: Iterable[str]) -> dict[str, list[Site]]:
    """Sites of the enterprises named in the file that the caller may import for; others look missing."""
    actor = actor_of(user)
    enterprises = Enterprise.objects.filter(credit_code__in=set(credit_codes))
    found: dict[str, list[Site]] = {}
    for enterprise in enterprises.prefetch_related("sites"):
        target = Target(region_code=enterprise.region_id, enterprise_id=enterprise.pk)
        if decide(actor, "verification.import", target):
            found[enterprise.credit_code] = list(enterprise.sites.all())
    return found


def _site_of(row: dict[str, Any], sites: dict[str, list[Site]]) -> Site | str:
    candidates = sites.get(row["credit_code"])
    if candidates is None:
        return "企业不存在或不在您的管辖范围内"
    if row["site"]:
        named = [site for site in candidates if site.name == row["site"]]
        return named[0] if named else f"该企业没有名为“{row['site']}”的厂区"
    if len(candidates) == 1:
        return candidates[0]
    return "该企业有多个厂区，须填写厂区名称"


def _row_values(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["minutes"], row.get("value"), row.get("concentration"), row.get("flow"), row["status"])


READING_COLUMNS = ("point_id", "pollutant", "at", "minutes", "value", "concentration", "flow", "status")


def _insert_readings(rows: Iterable[tuple[Any, ...]], batch: int = 5000) -> None:
    """The bulk path, without building model instances: COPY on PostgreSQL, elsewhere one prepared INSERT run over
    batches of rows (executemany; bulk_create compiles SQL per ~100 rows on SQLite, several times slower). Times are
    aware datetimes, stored as the ORM would store them."""
    fields = [
        Reading._meta.get_field(name.removesuffix("_id") if name == "point_id" else name) for name in READING_COLUMNS
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(Reading._meta.db_table)} ({columns}) VALUES ({marks})"
    if connection.vendor == "postgresql":
        # COPY is PostgreSQL's bulk path: about ten times the rows per second of executemany.
        table = connection.ops.quote_name(Reading._meta.db_table)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    adapt = connection.ops.adapt_datetimefield_value
    prepared: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            values = list(row)
            values[2] = adapt(values[2])
            prepared.append(tuple(values))
            if len(prepared) == batch:
                cursor.executemany(sql, prepared)
                prepared = []
        if prepared:
            cursor.executemany(sql, prepared)


def import_readings(
    user: Any,
    kind: str,
    file_name: str,
    content: bytes,
    *,
    commit: bool,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    max_rows: int = files.MAX_ROWS,
    step: Callable[[str], None] | None = None,
) -> ImportReport:
    """Check a monitoring or electricity file (dry run) or load it (commit): all rows or none. The same file twice
    changes nothing; a value that differs from the stored one for the same point and hour is a correction
    (counted as changed). On PostgreSQL a clean file goes through the bulk path (`bulk`: column checks, COPY, one
    upsert); a file with anything to report goes row by row, which names every bad cell. `max_rows`: the pages and
    the API keep files.MAX_ROWS, the CLI and background jobs pass files.BULK_MAX_ROWS. `step` is told each phase
    (a background job's progress and cancel check)."""
    require_role(user, "verification.import")
    if kind not in files.COLUMNS:
        raise ServiceError(f"未知的数据类别：{kind}", field="kind")
    digest = hashlib.sha256(content).hexdigest()
    table = None
    if series.uses_rollup():
        from airgrade.platform.verification import bulk

        table = bulk.csv_table(file_name, content, max_rows)  # a plain CSV read in compiled code, for the bulk path

    def cells() -> list[list[Any]]:
        try:
            rows = files.read_cells(file_name, content)
            if not rows:
                raise ValueError(f"{file_name}：文件为空")
            if len(rows) - 1 > max_rows:
                raise ValueError(f"{file_name}：超过 {max_rows} 行，请分文件导入")
        except ValueError as exc:
            raise ServiceError(str(exc), field="file") from None
        return rows

    return _load_table(
        user,
        kind,
        file_name,
        cells() if table is None else table,
        cells_of=cells,
        commit=commit,
        digest=digest,
        date_from=date_from,
        date_to=date_to,
        max_rows=max_rows,
        step=step or (lambda _: None),
    )


P = ParamSpec("P")
LOAD_ATTEMPTS = 3


def _retried_on_conflict(load: Callable[P, ImportReport]) -> Callable[P, ImportReport]:
    """Two imports of the same new hours at once (a feed resending while its first post is still being written) both
    find them absent; the unique index makes the second wait for the first and then refuse its rows. Its write is
    rolled back whole and it starts again, now seeing the first one's rows as stored."""

    @functools.wraps(load)
    def retried(*args: P.args, **kwargs: P.kwargs) -> ImportReport:
        attempt = 1
        while True:
            try:
                return load(*args, **kwargs)
            except (IntegrityError, psycopg.IntegrityError):  # the bulk path's COPY raises psycopg's own
                if attempt == LOAD_ATTEMPTS:
                    raise ServiceError("同一时段的数据正由另一次导入同时写入，请稍后重试", field="file") from None
                attempt += 1

    return retried


@_retried_on_conflict
def _load_table(
    user: Any,
    kind: str,
    file_name: str,
    source: list[list[Any]] | Any,
    *,
    cells_of: Callable[[], list[list[Any]]],
    commit: bool,
    digest: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    max_rows: int,
    step: Callable[[str], None],
) -> ImportReport:
    """A table of readings checked and loaded, all or none: the file import's and the data feed's common path.
    `source`: the cells (header row first), or a CSV already read into columns (`bulk.csv_table`); `cells_of` gives
    the cells when the rows must be read one by one. On PostgreSQL a clean table goes the bulk way (`bulk`: column
    checks, COPY, one upsert, rollup of the channel-days written); a table with anything to report, and SQLite, go
    row by row (`_load_rows`), which names every bad cell. Both give the same rows, counts and audit record. A write
    that meets another import's rows starts again (`_retried_on_conflict`)."""
    step("校验")
    if series.uses_rollup():
        from airgrade.platform.verification import bulk

        try:
            return bulk.load(
                user,
                kind,
                file_name,
                source,
                commit=commit,
                digest=digest,
                date_from=date_from,
                date_to=date_to,
                step=step,
            )
        except bulk.NotBulk:
            step("逐行校验")
    cells = source if isinstance(source, list) else cells_of()
    try:
        parsed = files.parse_cells(kind, file_name, cells, date_from=date_from, date_to=date_to, max_rows=max_rows)
    except ValueError as exc:
        raise ServiceError(str(exc), field="file") from None
    return _load_rows(user, kind, file_name, parsed, commit=commit, digest=digest, step=step)


def import_rows(user: Any, kind: str, rows: list[dict[str, Any]], *, source: str = "数据接口") -> ImportReport:
    """The API's data feed: the same columns as the file layouts, as JSON objects (keys: column headers or the
    layout's field names). Loaded all or none, like a file, by the same path (`_load_table`: the bulk COPY path on
    PostgreSQL for a clean batch); a batch sent again changes nothing."""
    require_role(user, "verification.import")
    if kind not in files.COLUMNS:
        raise ServiceError(f"未知的数据类别：{kind}", field="kind")
    columns = files.COLUMNS[kind]
    table: list[list[Any]] = [[column.header for column in columns]]
    for item in rows:
        if not isinstance(item, dict):
            raise ServiceError("每条记录须为对象", field="rows")
        table.append([item.get(column.key, item.get(column.header)) for column in columns])
    if len(table) - 1 > files.MAX_ROWS:
        raise ServiceError(f"一次最多 {files.MAX_ROWS} 条记录，请分批提交", field="rows")
    digest = hashlib.sha256(repr(table).encode("utf-8")).hexdigest()
    return _load_table(
        user,
        kind,
        source,
        table,
        cells_of=lambda: table,
        commit=True,
        digest=digest,
        date_from=None,
        date_to=None,
        max_rows=files.MAX_ROWS,
        step=lambda _: None,
    )


READINGS_JOB = "import.verification_readings"
MAX_JOB_BYTES = 50 * 1024 * 1024  # a job keeps its file in the database (ADR 0004)
REPORTED_ERRORS = 500


def start_readings_import(
    user: Any,
    kind: str,
    file_name: str,
    data: bytes,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    enqueue: bool = True,
) -> Job:
    """A large monitoring or electricity file as a background job (ADR 0004): first a dry run (errors by file, row,
    column and reason), then, from the job's page, the commit of exactly the file that was checked."""
    require_role(user, "verification.import")
    if kind not in files.COLUMNS:
        raise ServiceError(f"未知的数据类别：{kind}", field="kind")
    if not data:
        raise ServiceError("请选择要上传的文件", field="file")
    if len(data) > MAX_JOB_BYTES:
        raise ServiceError("文件超过 50 MB，请分文件导入", field="file")
    params = {
        "commit": False,
        "kind": kind,
        "date_from": date_from.isoformat() if date_from else "",
        "date_to": date_to.isoformat() if date_to else "",
    }
    return jobs.start(user, READINGS_JOB, params=params, input_name=file_name[:200], input_data=data, enqueue=enqueue)


def _job_report(report: ImportReport) -> dict[str, Any]:
    """The import report in the shape the job page shows (counts, errors by file, row, column, reason)."""
    return {
        "counts": {"new": report.new, "changed": report.changed, "unchanged": report.unchanged, "refused": 0},
        "rows": report.rows,
        "sheets": [f"{files.KIND_LABELS[report.kind]}（{report.file_name}）"],
        "error_total": len(report.errors),
        "errors": [{"sheet": report.file_name, **error.as_dict()} for error in report.errors[:REPORTED_ERRORS]],
        "points_created": report.points_created,
        "committed": report.committed and bool(report.ok),
        "verification": True,
    }


def run_readings_job(job: Job, progress: jobs.Progress) -> None:
    """The job handler: the same service as the CLI and the page (`import_readings`, bulk path on PostgreSQL), in
    one transaction that a cancel rolls back. A commit job reads its dry run's parameters."""
    params = {**(job.parent.params if job.parent is not None else {}), **job.params}
    commit = bool(job.params.get("commit"))
    with transaction.atomic():
        report = import_readings(
            job.owner,
            params.get("kind", ""),
            job.input_name,
            bytes(job.input_data or b""),
            commit=commit,
            date_from=dt.date.fromisoformat(params["date_from"]) if params.get("date_from") else None,
            date_to=dt.date.fromisoformat(params["date_to"]) if params.get("date_to") else None,
            max_rows=files.BULK_MAX_ROWS,
            step=progress.phase,
        )
        progress.errors = len(report.errors)
        progress.advance(report.rows)
        progress.check_cancel()  # the last step: a cancel up to here leaves nothing written
    job.report = _job_report(report)
    if commit and not report.ok:
        raise ServiceError(
            f"文件仍有 {len(report.errors)} 处错误，全部修正后才能导入；本次未写入任何数据", field="file"
        )


def _load_rows(
    user: Any,
    kind: str,
    file_name: str,
    parsed: files.ParsedFile,
    *,
    commit: bool,
    digest: str,
    step: Callable[[str], None] | None = None,
) -> ImportReport:
    report = ImportReport(kind, file_name, rows=len(parsed.rows) + len({e.row for e in parsed.errors if e.row}))
    report.errors.extend(parsed.errors)
    point_kind = MonitoringPoint.Kind.OUTLET if kind == files.MONITORING else MonitoringPoint.Kind.METER
    sites = _sites_for(user, (row["credit_code"] for row in parsed.rows))
    keyed: dict[tuple[int, str, str, dt.datetime], dict[str, Any]] = {}
    site_by_id: dict[int, Site] = {}
    for row in parsed.rows:
        site = _site_of(row, sites)
        if isinstance(site, str):
            report.errors.append(files.RowError(row["row"], "统一社会信用代码", row["credit_code"], site))
            continue
        site_by_id[site.pk] = site
        key = (site.pk, row["point"], row["pollutant"], row["at"])
        earlier = keyed.get(key)
        if earlier is not None:
            if _row_values(earlier) != _row_values(row):
                report.errors.append(
                    files.RowError(
                        row["row"], "监测时间", row["at"].isoformat(" "), f"与第 {earlier['row']} 行同一时段数值不同"
                    )
                )
            continue
        keyed[key] = row
    # Existing points, and registry outlets to link new ones to (a pollutant the outlet does not emit is refused).
    points = {
        (point.site_id, point.code): point
        for point in MonitoringPoint.objects.filter(site_id__in=site_by_id, kind=point_kind).select_related("outlet")
    }
    outlets = {
        (outlet.site_id, outlet.code): outlet for outlet in EmissionOutlet.objects.filter(site_id__in=site_by_id)
    }
    if kind == files.MONITORING:
        for (site_id, code, pollutant, _), row in list(keyed.items()):
            point = points.get((site_id, code))
            outlet = point.outlet if point else outlets.get((site_id, code))
            if outlet is not None and outlet.pollutants and pollutant not in outlet.pollutants:
                names = "、".join(POLLUTANT_LABELS.get(p, p) for p in outlet.pollutants)
                report.errors.append(
                    files.RowError(
                        row["row"],
                        "污染物",
                        POLLUTANT_LABELS.get(pollutant, pollutant),
                        f"排放口 {code} 在档案中只监测 {names}",
                    )
                )
    if report.errors:
        report.errors.sort(key=lambda error: error.row)
        return report
    # Stored values as plain tuples (no model instances): a re-import compares every row.
    existing: dict[tuple[int, str, str, dt.datetime], tuple[int, tuple[Any, ...]]] = {}
    by_point: dict[int, list[dt.datetime]] = defaultdict(list)
    point_keys = {point.pk: key for key, point in points.items()}
    for site_id, code, _, at in keyed:
        point = points.get((site_id, code))
        if point is not None:
            by_point[point.pk].append(at)
    for point_id, times in by_point.items():
        site_id, code = point_keys[point_id]
        stored_rows = Reading.objects.filter(
            point_id=point_id, at__gte=aware(min(times)), at__lte=aware(max(times))
        ).values_list("pk", "pollutant", "at", "minutes", "value", "concentration", "flow", "status")
        for pk, pollutant, at, *values in stored_rows.iterator(chunk_size=10_000):
            existing[(site_id, code, pollutant, local(at))] = (pk, tuple(values))
    new_rows, changed = [], []
    changed_keys: list[tuple[int, str, str, dt.datetime]] = []
    for key, row in keyed.items():
        stored = existing.get(key)
        if stored is None:
            new_rows.append((key, row))
        elif stored[1] != _row_values(row):
            changed.append((stored[0], row))
            changed_keys.append(key)
        else:
            report.unchanged += 1
    report.new, report.changed = len(new_rows), len(changed)
    report.points_created = len({(key[0], key[1]) for key, _ in new_rows if (key[0], key[1]) not in points})
    if not commit or (not new_rows and not changed):
        report.committed = commit
        return report
    if step is not None:
        step("写入")
    with transaction.atomic():
        for site_id, code in sorted({(key[0], key[1]) for key, _ in new_rows if (key[0], key[1]) not in points}):
            site = site_by_id[site_id]
            points[(site_id, code)] = MonitoringPoint.objects.create(
                site=site,
                enterprise_id=site.enterprise_id,
                region_id=site.region_id,
                kind=point_kind,
                code=code,
                outlet=outlets.get((site_id, code)) if point_kind == MonitoringPoint.Kind.OUTLET else None,
            )
        _insert_readings(
            (
                points[(key[0], key[1])].pk,
                key[2],
                aware(key[3]),
                row["minutes"],
                row.get("value"),
                row.get("concentration"),
                row.get("flow"),
                row["status"],
            )
            for key, row in new_rows
        )
        corrections = [
            Reading(
                pk=pk,
                minutes=row["minutes"],
                value=row.get("value"),
                concentration=row.get("concentration"),
                flow=row.get("flow"),
                status=row["status"],
            )
            for pk, row in changed
        ]
        Reading.objects.bulk_update(
            corrections, ["minutes", "value", "concentration", "flow", "status"], batch_size=2000
        )
        series.refresh_channel_days(
            {
                (points[(key[0], key[1])].pk, key[2], key[3].date())
                for key in [*(key for key, _ in new_rows), *changed_keys]
            }
        )
        _record_import(user, report, digest, {site_by_id[key[0]].region_id for key in keyed}, len(site_by_id))
    report.committed = True
    return report


def _record_import(user: Any, report: ImportReport, digest: str, region_codes: set[str], site_count: int) -> None:
    """The audit record of a committed readings import (row-by-row and bulk paths alike): the file, its SHA-256 and
    the counts; the region is the one region the file touched, else the importer's own."""
    regions = sorted(region_codes)
    audit.record(
        actor=user,
        action="verification.import",
        object_type="verification.reading",
        object_label=f"{files.KIND_LABELS[report.kind]} {report.file_name}",
        region_code=regions[0] if len(regions) == 1 else (actor_of(user).region_code or ""),
        after={
            "kind": report.kind,
            "file": report.file_name,
            "sha256": digest,
            "new": report.new,
            "changed": report.changed,
            "unchanged": report.unchanged,
            "sites": site_count,
        },
    )


# ------------------------------------------------------------------------------------------------ verdicts


def event_window(event: AlertEvent) -> tuple[dt.datetime, dt.datetime]:
    """The alert's window in local time: from its start to its end, its lifting, or now while it runs."""
    end = event.lifted_at or event.ends_at or timezone.now()
    if event.ends_at and event.lifted_at:
        end = min(event.ends_at, event.lifted_at)
    return local(event.starts_at), local(end)


def _other_alert_days(event: AlertEvent, region_code: str, first: dt.date, last: dt.date) -> set[dt.date]:
    """Days of other alerts over the region: not normal days, so never part of a baseline."""
    days: set[dt.date] = set()
    since = aware(dt.datetime.combine(first, dt.time()))
    for other in AlertEvent.objects.exclude(pk=event.pk).filter(
        starts_at__lte=aware(dt.datetime.combine(last, dt.time()))
    ):
        if not any(contains(code, region_code) for code in other.region_codes):
            continue
        start, end = event_window(other)
        if aware(end) < since:
            continue
        day = start.date()
        while day <= end.date():
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def _signals(
    task: AlertTask, start: dt.datetime, end: dt.datetime, on: core.VerificationRules
) -> list[core.SignalInput]:
    expected = core.expected_drops(task.plan, on)
    since = aware(start - dt.timedelta(days=on.lookback_days + 1))
    until = aware(end + CHART_AFTER)  # the hours after the alert only show on the chart; the verdict reads the window
    channels: dict[str, dict[str, list[core.Reading]]] = defaultdict(lambda: defaultdict(list))
    outlet = MonitoringPoint.Kind.OUTLET.value
    readings = (
        Reading.objects.filter(point__site_id=task.entry.site_id, at__gte=since, at__lt=until)
        .order_by("at")
        .values_list("point__code", "point__kind", "pollutant", "at", "minutes", "value", "status")
    )
    statuses = {status.value: status for status in core.ReadingStatus}
    for code, point_kind, pollutant, at, minutes, value, status in readings.iterator(chunk_size=5000):
        key = pollutant if point_kind == outlet else "electricity"
        channels[key][code].append(core.Reading(code, local(at), minutes, value, statuses[status]))
    signals = []
    for key in (*core.POLLUTANT_KEYS, "electricity"):
        if key not in channels:
            continue
        kind = core.SignalKind.ELECTRICITY if key == "electricity" else core.SignalKind.EMISSION
        label = "用电量" if key == "electricity" else POLLUTANT_LABELS[key]
        signals.append(core.SignalInput(key, label, kind, dict(channels[key]), expected.get(key)))
    return signals


def _visible_event(user: Any, event_id: int, action: str = "verification.view") -> AlertEvent:
    if action != "verification.view":
        require_role(user, action)
    event = emergency.get_event(user, event_id)  # out of scope looks missing
    actor = actor_of(user)
    if not decide(actor, "verification.view", Target(region_code=actor.region_code, enterprise_id=actor.enterprise_id)):
        raise NotFound("预警事件不存在或不在您的管辖范围内")
    return event


def excluded_days(event: AlertEvent, region_code: str, first: dt.date, last: dt.date) -> frozenset[dt.date]:
    """Days that are no normal production days for a baseline: other alerts over the region, and the official
    holidays of the rule book's calendar (adjusted working days count as working days; issue 12 item 2)."""
    return frozenset(_other_alert_days(event, region_code, first, last)) | default_rulebook().holidays(first, last)


@dataclass
class Computed:
    """One task's verdict from the core, and its evidence charts when they were asked for."""

    task: AlertTask
    result: core.TaskVerdict
    evidence: dict[str, Any] | None


EVIDENCE_ALL, EVIDENCE_SUSPECTED, EVIDENCE_NONE = "all", "suspected", "none"


def compute_verdicts(
    tasks: Sequence[AlertTask],
    event: AlertEvent,
    on: core.VerificationRules,
    *,
    evidence: str = EVIDENCE_ALL,
    site_of_entry: dict[int, int] | None = None,
) -> list[Computed]:
    """Verdicts for many tasks of one alert: one query per chunk of sites for their hourly series
    (`series.site_series`: the rollup on PostgreSQL), one vectorised pass of the core (`verify_block`) per chunk.
    Writes nothing. `evidence` says which tasks get their charts (all, the suspected ones, none); `site_of_entry`
    (list entry id → site id) spares loading each task's entry.

    On the rollup the baseline's most recent days are read first (the baseline's days and `series.SPARE_DAYS` more before the
    alert, not the whole `lookback_days`): a task whose every signal finds all its baseline days there, at a site with no channel
    that stopped reporting before them, has exactly the verdict of the full read (the baseline takes the most recent
    eligible days, so older days cannot change it); the other tasks are computed again over the whole lookback."""
    sites = site_of_entry or {task.entry_id: task.entry.site_id for task in tasks}
    start, end = event_window(event)
    first_day = start.date() - dt.timedelta(days=on.lookback_days)
    chart_start, chart_end = start - CHART_MARGIN, end + CHART_AFTER
    last_day = (chart_end - dt.timedelta(microseconds=1)).date()
    recent = dt.timedelta(days=on.baseline_max_days + series.SPARE_DAYS)
    recent_first = max(first_day, min(start.date() - recent, chart_start.date()))
    excluded: dict[str, frozenset[dt.date]] = {}
    for task in tasks:
        if task.region_id not in excluded:
            excluded[task.region_id] = excluded_days(event, task.region_id, first_day, end.date())
    window = _Window(start, end, chart_start, chart_end, last_day, evidence)
    computed: list[Computed] = []
    for begin in range(0, len(tasks), series.SITE_CHUNK):
        chunk = tasks[begin : begin + series.SITE_CHUNK]
        site_ids = sorted({sites[task.entry_id] for task in chunk})
        if recent_first == first_day or not series.uses_rollup():
            computed += _block_verdicts(chunk, sites, on, excluded, window, first_day)
            continue
        stale = series.sites_with_channels_ending_before(site_ids, first_day, recent_first, last_day)
        fresh = [task for task in chunk if sites[task.entry_id] not in stale]
        done = _block_verdicts(fresh, sites, on, excluded, window, recent_first)
        complete = [
            item for item in done if all(len(s.baseline.days) >= on.baseline_max_days for s in item.result.signals)
        ]
        kept = {item.task.pk for item in complete}
        again = [task for task in chunk if task.pk not in kept]
        by_task = {item.task.pk: item for item in complete}
        for item in _block_verdicts(again, sites, on, excluded, window, first_day):
            by_task[item.task.pk] = item
        computed += [by_task[task.pk] for task in chunk]
    return computed


@dataclass(frozen=True)
class _Window:
    """The alert's window, the chart's, and which tasks get their evidence charts."""

    start: dt.datetime
    end: dt.datetime
    chart_start: dt.datetime
    chart_end: dt.datetime
    last_day: dt.date
    evidence: str


def _block_verdicts(
    chunk: Sequence[AlertTask],
    sites: dict[int, int],
    on: core.VerificationRules,
    excluded: dict[str, frozenset[dt.date]],
    window: _Window,
    first_day: dt.date,
) -> list[Computed]:
    """One chunk of tasks over the days from `first_day` to the chart's end: read, vectorised verdicts, charts."""
    if not chunk:
        return []
    days = (window.last_day - first_day).days + 1
    order = (*core.POLLUTANT_KEYS, "electricity")
    arrays = series.site_series(sorted({sites[task.entry_id] for task in chunk}), first_day, days)
    keys, labels, kinds, expected, skip, values, owner = [], [], [], [], [], [], []
    for number, task in enumerate(chunk):
        drops = core.expected_drops(task.plan, on)
        for key in order:
            array = arrays.get((sites[task.entry_id], key))
            if array is None:
                continue
            electricity = key == "electricity"
            keys.append(key)
            labels.append("用电量" if electricity else POLLUTANT_LABELS[key])
            kinds.append(core.SignalKind.ELECTRICITY if electricity else core.SignalKind.EMISSION)
            expected.append(drops.get(key))
            skip.append(excluded[task.region_id])
            values.append(array)
            owner.append(number)
    stacked = np.stack(values) if values else np.zeros((0, days, core.HOURS_PER_DAY))
    block = core.SignalBlock(keys, labels, kinds, expected, skip, first_day, stacked)
    outcome = core.verify_block(block, window.start, window.end, on)
    frame = core.evidence_frame(block, window.chart_start, window.chart_end)
    per_task: list[list[int]] = [[] for _ in chunk]
    for index, number in enumerate(owner):
        per_task[number].append(index)
    computed = []
    for number, task in enumerate(chunk):
        result = core.task_result([outcome.results[index] for index in per_task[number]])
        charts = None
        if window.evidence == EVIDENCE_ALL or (
            window.evidence == EVIDENCE_SUSPECTED and result.verdict is core.Verdict.SUSPECTED
        ):
            charts = {
                "window": [window.start.isoformat(" ", "minutes"), window.end.isoformat(" ", "minutes")],
                "signals": {
                    outcome.results[index].key: {
                        "label_zh": outcome.results[index].label_zh,
                        "unit": "kWh/h" if outcome.results[index].kind is core.SignalKind.ELECTRICITY else "kg/h",
                        **core.block_evidence(block, outcome, index, window.chart_start, window.chart_end, frame),
                    }
                    for index in per_task[number]
                },
            }
        computed.append(Computed(task, result, charts))
    return computed


def _store(user: Any, event: AlertEvent, computed: Sequence[Computed]) -> None:
    """Verdicts written together (one upsert), and the cases they open, reopen or withdraw (audited together)."""
    now = timezone.now()
    version = str(default_rulebook().version)
    if connection.vendor == "postgresql":
        _copy_verdicts(user, event, computed, now, version)
    else:
        _bulk_verdicts(
            [
                TaskVerdict(
                    task=item.task,
                    event=event,
                    enterprise_id=item.task.enterprise_id,
                    region_id=item.task.region_id,
                    verdict=item.result.verdict.value,
                    reason=item.result.reason_zh,
                    details=item.result.as_dict(),
                    evidence=item.evidence or {},
                    rules_version=version,
                    computed_at=now,
                    computed_by=user,
                )
                for item in computed
            ]
        )
    _cases(user, event, computed)


VERDICT_FIELDS = (
    "task_id",
    "event_id",
    "enterprise_id",
    "region_id",
    "verdict",
    "reason",
    "details",
    "evidence",
    "rules_version",
    "computed_at",
    "computed_by_id",
)


def _copy_verdicts(user: Any, event: AlertEvent, computed: Sequence[Computed], now: dt.datetime, version: str) -> None:
    """PostgreSQL: the verdicts by COPY into a staging table and one upsert (a Django bulk upsert sends the JSON of
    every row inside one array literal, which psycopg escapes character by character). The rows go straight from the
    results to the stream: no model instance per verdict."""
    table = TaskVerdict._meta.db_table
    columns = ", ".join(VERDICT_FIELDS)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in VERDICT_FIELDS if name != "task_id")
    user_id = getattr(user, "pk", None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS _verdict_stage ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute("TRUNCATE _verdict_stage")
        # COPY's text format written here, in chunks: psycopg's write_row escapes every row's ~3 kB of JSON on its
        # own, which took as long as making the JSON.
        at = now.isoformat()
        user_text = pgcopy.NULL if user_id is None else str(user_id)
        lines: list[str] = []
        with cursor.cursor.copy(f"COPY _verdict_stage ({columns}) FROM STDIN") as copy:
            for item in computed:
                task, result = item.task, item.result
                lines.append(
                    f"{task.pk}\t{event.pk}\t{task.enterprise_id}\t{task.region_id}\t{result.verdict.value}\t"
                    f"{pgcopy.field(result.reason_zh)}\t{pgcopy.field(_json(result.as_dict()))}\t"
                    f"{pgcopy.field(_json(item.evidence or {}))}\t{version}\t{at}\t{user_text}\n"
                )
                if len(lines) >= 1000:
                    copy.write("".join(lines))
                    lines.clear()
            if lines:
                copy.write("".join(lines))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _verdict_stage "
            f"ON CONFLICT (task_id) DO UPDATE SET {updates}"
        )


def _json(value: Any) -> str:
    """JSON text of a verdict's details or evidence: orjson, ~8× faster than the standard library on the evidence's
    float lists (an alert writes ~10⁴ details and ~10³ charts of ~3,000 numbers); not-a-number is written null."""
    return orjson.dumps(value).decode()


def _bulk_verdicts(rows: Sequence[TaskVerdict]) -> None:
    TaskVerdict.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=[
            "event",
            "enterprise",
            "region",
            "verdict",
            "reason",
            "details",
            "evidence",
            "rules_version",
            "computed_at",
            "computed_by",
        ],
    )


def _cases(user: Any, event: AlertEvent, computed: Sequence[Computed]) -> None:
    wanted = {item.task.pk for item in computed}
    cases = {case.task_id: case for case in Case.objects.filter(event=event) if case.task_id in wanted}
    opened: list[Case] = []
    reopened: list[tuple[Case, str]] = []
    withdrawn: list[tuple[Case, str]] = []
    reasons: dict[int, str] = {}
    for item in computed:
        case = cases.get(item.task.pk)
        if item.result.verdict is core.Verdict.SUSPECTED:
            reasons[item.task.pk] = item.result.reason_zh[:500]
            if case is None:
                opened.append(
                    Case(
                        task=item.task,
                        event=event,
                        enterprise_id=item.task.enterprise_id,
                        region_id=item.task.region_id,
                    )
                )
            elif case.status == Case.Status.WITHDRAWN:
                reopened.append((case, item.result.reason_zh[:500]))
        elif case is not None and case.status == Case.Status.OPEN:
            withdrawn.append((case, item.result.verdict.value))
    Case.objects.bulk_create(opened, batch_size=1000)
    if reopened:
        Case.objects.filter(pk__in=[case.pk for case, _ in reopened]).update(status=Case.Status.OPEN)
    if withdrawn:
        Case.objects.filter(pk__in=[case.pk for case, _ in withdrawn]).update(status=Case.Status.WITHDRAWN)
    records: list[dict[str, Any]] = [
        {
            "action": "verification.case.open",
            "obj": case,
            "region_code": case.region_id,
            "after": {"task": case.task_id, "event": event.pk, "reason": reasons[case.task_id]},
        }
        for case in opened
    ]
    records += [
        {
            "action": "verification.case.open",
            "obj": case,
            "region_code": case.region_id,
            "before": {"status": "withdrawn"},
            "after": {"status": "open", "reason": reason},
        }
        for case, reason in reopened
    ]
    records += [
        {
            "action": "verification.case.withdraw",
            "obj": case,
            "region_code": case.region_id,
            "before": {"status": "open"},
            "after": {"status": "withdrawn", "verdict": verdict},
        }
        for case, verdict in withdrawn
    ]
    audit.record_many(actor=user, records=records)


@transaction.atomic
def verify_task(user: Any, task: AlertTask, on: core.VerificationRules | None = None) -> TaskVerdict:
    """Compute and store one task's verdict with its evidence charts; a suspected failure opens a case, a case no
    longer suspected is withdrawn (only while the county has not decided it)."""
    event = task.event
    on = on or rules(event_window(event)[0].date())
    _store(user, event, compute_verdicts([task], event, on, evidence=EVIDENCE_ALL))
    return TaskVerdict.objects.get(task=task)


@transaction.atomic
def verify_event(user: Any, event_id: int) -> dict[str, int]:
    """Verdicts for every task of the alert in the caller's region (REQ H23-6), computed together and written
    together; the suspected ones keep their evidence charts (the others' are drawn when opened). Counts per
    verdict."""
    event = _visible_event(user, event_id, "verification.run")
    actor = require(user, "verification.run", Target(region_code=actor_of(user).region_code))
    start, _ = event_window(event)
    on = rules(start.date())
    counts: dict[str, int] = {verdict.value: 0 for verdict in core.Verdict}
    tasks = list(
        scoped(event.tasks.all(), actor, enterprise_field="enterprise_id").only(
            "id", "event_id", "entry_id", "enterprise_id", "region_id", "plan"
        )
    )
    sites = dict(ListEntry.objects.filter(alert_tasks__event=event).values_list("pk", "site_id"))
    computed = compute_verdicts(tasks, event, on, evidence=EVIDENCE_SUSPECTED, site_of_entry=sites)
    _store(user, event, computed)
    for item in computed:
        counts[item.result.verdict.value] += 1
    audit.record(
        actor=user,
        action="verification.run",
        obj=event,
        region_code=actor.region_code or "",
        after={"counts": counts, "rules_version": str(default_rulebook().version)},
    )
    return counts


def evidence_of(task: AlertTask, verdict: TaskVerdict | None) -> dict[str, Any]:
    """The evidence charts of a verdict: stored with it (suspected ones), else drawn now from the stored data."""
    if verdict is None:
        return {}
    if verdict.evidence:
        return dict(verdict.evidence)
    event = task.event
    on = rules(event_window(event)[0].date())
    return compute_verdicts([task], event, on, evidence=EVIDENCE_ALL)[0].evidence or {}


def event_verdicts(user: Any, event_id: int) -> tuple[AlertEvent, list[AlertTask]]:
    """The alert's tasks in the caller's scope with their verdict and case (an enterprise sees only its own)."""
    event = _visible_event(user, event_id)
    tasks = emergency.event_tasks(user, event).select_related("verdict", "verification_case")
    return event, list(tasks)


def region_cut(tasks: Iterable[AlertTask]) -> dict[str, dict[str, Any]]:
    """The observed cut per pollutant over the enterprises with enough data: Σ(baseline − observed) / Σ baseline,
    beside the share the region must reach (REQ G-6). Only enterprises whose signal was judged count."""
    sums: dict[str, list[float]] = {key: [0.0, 0.0, 0.0] for key in core.POLLUTANT_KEYS}  # base, observed, n
    for task in tasks:
        verdict = getattr(task, "verdict", None)
        if verdict is None:
            continue
        for signal in verdict.details.get("signals", []):
            overall = signal["overall"]
            if signal["key"] in sums and overall["verdict"] in ("done", "suspected"):
                hours = overall["valid_hours"]
                sums[signal["key"]][0] += (overall["baseline"] or 0.0) * hours
                sums[signal["key"]][1] += (overall["observed"] or 0.0) * hours
                sums[signal["key"]][2] += 1
    return {
        key: {
            "enterprises": int(n),
            "cut": None if not base else round(1 - observed / base, 4),
        }
        for key, (base, observed, n) in sums.items()
    }


def get_task_verdict(user: Any, task_id: int) -> tuple[AlertTask, TaskVerdict | None, Case | None]:
    require_role(user, "verification.view")
    task = emergency.get_task(user, task_id)
    verdict = TaskVerdict.objects.filter(task=task).first()
    case = Case.objects.filter(task=task).prefetch_related("downgrades").first()
    return task, verdict, case


# ------------------------------------------------------------------------------------------------ cases


def visible_cases(user: Any, status: str = "") -> QuerySet[Case]:
    actor = require_role(user, "verification.view")
    cases = scoped(
        Case.objects.select_related("enterprise", "region", "event", "task__entry__site"),
        actor,
        enterprise_field="enterprise_id",
    )
    if status:
        cases = cases.filter(status=status)
    return cases


def case_work_items(user: Any) -> list[dict[str, Any]]:
    """Open cases for the county that decides them (home work queue)."""
    actor = actor_of(user)
    if "verification.case.decide" not in permissions_for(actor):
        return []

    items = []
    for case in visible_cases(user, Case.Status.OPEN):
        if decide(
            actor, "verification.case.decide", Target(region_code=case.region_id, enterprise_id=case.enterprise_id)
        ):
            items.append(
                {
                    "kind": "verification_case",
                    "id": case.pk,
                    "declaration_id": None,
                    "title": f"疑似未落实减排：{case.enterprise.name}（{case.event.title}）",
                    "url": reverse("verification:task", args=[case.task_id]),
                    "due": None,
                    "overdue": False,
                }
            )
    return items


def lower_grade(current: Grade, industry_code: str, on: dt.date, region_code: str, steps: int) -> Grade:
    """`steps` grades below `current` on the industry's scale, never below its floor."""
    scale = list(default_rulebook().rules_for(industry_code, on, region_code).grades)
    if current not in scale:
        return scale[-1]
    return scale[min(scale.index(current) + steps, len(scale) - 1)]


def earlier_downgrades(site: Site, reason_code: str, since: dt.date) -> list[Downgrade]:
    """Downgrades of the site for the same reason effective on or after `since`: the same cause already punished.
    One finding, one case: an alert case and a cross-check finding on the same alert (e.g. trucks that entered during
    it) never both downgrade (crosscheck.py)."""
    return list(Downgrade.objects.filter(site=site, reason_code=reason_code, effective__gte=since))


@transaction.atomic
def decide_case(user: Any, case_id: int, *, confirm: bool, reason: str, rectify_by: dt.date | None = None) -> Case:
    """The county confirms a suspected failure (→ a downgrade of every graded industry of the site through the grade
    registry, with the reason, and a rectification order when a deadline is given; REQ H21-6, H23-6) or dismisses it;
    both need a reason. A site already downgraded for not carrying out this alert (e.g. a confirmed alert-day gate
    finding) is linked to that downgrade, not downgraded twice."""
    require_role(user, "verification.case.decide")
    case = Case.objects.select_related("task__entry__site", "enterprise").filter(pk=case_id).first()
    missing = "核查问题不存在或不在您的管辖范围内"
    if case is None:
        raise NotFound(missing)
    target = Target(region_code=case.region_id, enterprise_id=case.enterprise_id)
    require_found(user, "verification.case.decide", target, view="verification.view", missing=missing)
    case = Case.objects.select_for_update(no_key=True).select_related("task__entry__site", "event").get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ServiceError(f"该问题已{case.get_status_display()}，不能再处理", field="status")
    reason = str(reason or "").strip()
    if not reason:
        raise ServiceError("须写明核实意见", field="reason")
    site = case.task.entry.site
    downgrades: list[Downgrade] = []
    already = (
        earlier_downgrades(site, Downgrade.Reason.ALERT_NOT_EXECUTED.value, local(case.event.starts_at).date())
        if confirm
        else []
    )
    if confirm and not already:
        today = grades.today()
        steps = rules(today).downgrade_steps
        for record in site.industries.all():
            current = grades.grade_on(site, record.industry_code, today)
            if current is None:
                continue
            target_grade = lower_grade(Grade(current.grade), record.industry_code, today, site.region_id, steps)
            if target_grade == Grade(current.grade):
                continue
            downgrades.append(
                grades.downgrade(
                    user,
                    site_id=site.pk,
                    industry_code=record.industry_code,
                    reason_code=Downgrade.Reason.ALERT_NOT_EXECUTED.value,
                    description=f"{case.event.title}：{reason}"[:2000],
                    to_grade=target_grade.value,
                    effective=today,
                )
            )
    if rectify_by is not None and not confirm:
        raise ServiceError("不予认定时不能下达整改通知", field="rectify_by")
    if confirm and rectify_by is not None:
        case.rectification = grades.order_rectification(
            user,
            site_id=site.pk,
            problem=f"预警期间未落实应急减排措施（{case.event.title}）：{reason}"[:2000],
            deadline=rectify_by,
        )
    case.status = Case.Status.CONFIRMED if confirm else Case.Status.DISMISSED
    case.decision_reason = reason[:2000]
    case.decided_by = user
    case.decided_at = timezone.now()
    case.save()
    if downgrades or already:
        case.downgrades.set([*downgrades, *already])
    audit.record(
        actor=user,
        action="verification.case.decide",
        obj=case,
        region_code=case.region_id,
        before={"status": "open"},
        after={
            "status": case.status,
            "downgrades": [d.pk for d in downgrades],
            "rectification": case.rectification_id,
        },
        reason=reason,
    )
    return case
