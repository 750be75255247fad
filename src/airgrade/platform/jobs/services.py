"""Background jobs: start (recorded, audited, queued on the django-tasks database backend), run with progress and
cancel checks, read back scoped like everything else.

A job kind is registered by the app that owns the work (`register`); the worker calls `execute`, which runs the
kind's handler with a `Progress`. Live progress and the cancel flag go through the `jobs` cache (a file cache on
local disk, shared by the web and worker processes): while an import commits inside one transaction the database
is locked for writing on SQLite, so neither could be written to the job row until the end.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from airgrade.core.access import Target, decide
from airgrade.core.errors import AirgradeError
from airgrade.core.types import Role
from airgrade.platform.audit import services as audit
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.jobs.models import Job
from airgrade.platform.permissions import actor_of, require, scoped

logger = logging.getLogger(__name__)
# Progress is written at most this often (seconds): a 100,000-row import must not spend its time reporting.
PROGRESS_INTERVAL = 0.3
LIVE_TTL = 24 * 3600
# A running job's worker writes a heartbeat this often (seconds), from a thread of its own, so that a job whose
# process died (server restart, out of memory, kill) can be told from one still busy in a long step.
HEARTBEAT_INTERVAL = 10.0
# A running job without a heartbeat for this long (seconds) is stale: its worker is gone.
STALE_AFTER = 120.0
STALE_MESSAGE = "任务所在的后台进程已中止（服务器重启或进程崩溃），任务未完成，未写入任何数据；请重新提交"


class JobCancelled(AirgradeError):
    """Raised inside a handler when the user cancelled: the handler's transaction rolls back."""


@dataclass(frozen=True)
class Handler:
    kind: str
    label_zh: str
    run: Callable[[Job, Progress], None]


HANDLERS: dict[str, Handler] = {}


def register(kind: str, label_zh: str, run: Callable[[Job, Progress], None]) -> None:
    HANDLERS[kind] = Handler(kind, label_zh, run)


def label_of(kind: str) -> str:
    handler = HANDLERS.get(kind)
    return handler.label_zh if handler else kind


def _cache() -> Any:
    return caches["jobs"]


def _live_key(job: Job) -> str:
    return f"job:{job.token}:progress"


def _cancel_key(job: Job) -> str:
    return f"job:{job.token}:cancel"


def _beat_key(job: Job) -> str:
    return f"job:{job.token}:beat"


class _Heartbeat:
    """Writes the job's heartbeat (wall-clock time) until stopped; dies with its process, which is the point."""

    def __init__(self, job: Job, interval: float = HEARTBEAT_INTERVAL):
        self.job, self.interval = job, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job.pk}-heartbeat", daemon=True)

    def _beat(self) -> None:
        _cache().set(_beat_key(self.job), time.time(), LIVE_TTL)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._beat()

    def __enter__(self) -> _Heartbeat:
        self._beat()  # the first one before the handler starts, so a reaper never sees a running job without one
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        _cache().delete(_beat_key(self.job))


class Progress:
    """What a handler reports while it runs: phase, rows done of total, errors so far; and the cancel check."""

    def __init__(self, job: Job, listener: Callable[[dict[str, Any]], None] | None = None):
        self.job = job
        self.listener = listener
        self.phase_name = ""
        self.done = 0
        self.total = 0
        self.errors = 0
        self._last = 0.0

    def snapshot(self) -> dict[str, Any]:
        return {"phase": self.phase_name, "done": self.done, "total": self.total, "errors": self.errors}

    def phase(self, name: str, total: int = 0) -> None:
        self.phase_name, self.done, self.total = name, 0, total
        self._publish(force=True)

    def advance(self, done: int, errors: int | None = None) -> None:
        self.done = done
        if errors is not None:
            self.errors = errors
        self._publish()

    def check_cancel(self) -> None:
        if _cache().get(_cancel_key(self.job)):
            raise JobCancelled()

    def _publish(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_INTERVAL and self.done < self.total:
            return
        self._last = now
        _cache().set(_live_key(self.job), self.snapshot(), LIVE_TTL)
        if self.listener is not None:
            self.listener(self.snapshot())
        # Cancellation is checked at every published step: often enough to stop within a second.
        self.check_cancel()


# ---------------------------------------------------------------- reads


def _target(job: Job) -> Target:
    return Target(region_code=job.region_id, enterprise_id=job.enterprise_id)


def visible_jobs(user: Any) -> QuerySet[Job]:
    """The caller's own jobs and, for staff, the jobs of their region."""
    actor = actor_of(user)
    if actor.role is Role.PUBLIC:
        return Job.objects.none()
    in_scope = scoped(Job.objects.all(), actor, "region", "enterprise_id")
    return (in_scope | Job.objects.filter(owner_id=actor.user_id)).select_related("owner", "region").distinct()


def get_job(user: Any, job_id: int) -> Job:
    """One job if the caller may see it; out of scope it does not exist."""
    job = Job.objects.select_related("owner", "region").filter(pk=job_id).first()
    if job is None:
        raise NotFound("任务不存在或不在您的管辖范围内")
    actor = actor_of(user)
    if job.owner_id != actor.user_id and not decide(actor, "job.view", _target(job)):
        raise NotFound("任务不存在或不在您的管辖范围内")
    return job


def live(job: Job) -> dict[str, Any]:
    """Progress as the page shows it: the live figures while running, the stored ones once finished."""
    stored = {"phase": job.phase, "done": job.rows_done, "total": job.rows_total, "errors": job.error_count}
    if job.finished:
        return stored
    return _cache().get(_live_key(job)) or stored


# ---------------------------------------------------------------- writes


@transaction.atomic
def start(
    user: Any,
    kind: str,
    *,
    params: dict[str, Any] | None = None,
    input_name: str = "",
    input_data: bytes | None = None,
    parent: Job | None = None,
    enqueue: bool = True,
) -> Job:
    """Record a job and queue it for the worker (unless `enqueue` is False: the CLI runs it in its own process)."""
    if kind not in HANDLERS:
        raise ServiceError(f"未知的任务类型: {kind}", field="kind")
    actor = actor_of(user)
    region_id = actor.region_code
    if actor.role is Role.ENTERPRISE and user.enterprise is not None:
        region_id = user.enterprise.region_id
    require(actor, "job.start", Target(region_code=region_id, enterprise_id=actor.enterprise_id))
    job = Job.objects.create(
        kind=kind,
        owner=user,
        region_id=region_id,
        enterprise_id=actor.enterprise_id,
        params=params or {},
        parent=parent,
        input_name=input_name,
        input_data=input_data,
        phase="排队中",
    )
    audit.record(
        actor=user,
        action="job.start",
        obj=job,
        region_code=region_id or "",
        after={"kind": kind, "input_name": input_name, "params": params or {}, "parent": parent.pk if parent else None},
    )
    if enqueue:
        from airgrade.platform.jobs.tasks import run_job

        job_id = job.pk
        transaction.on_commit(lambda: run_job.enqueue(job_id))
    return job


@transaction.atomic
def cancel(user: Any, job_id: int) -> Job:
    """Ask a queued or running job to stop; the handler rolls back what it started."""
    job = get_job(user, job_id)
    actor = actor_of(user)
    if job.owner_id != actor.user_id:
        require(actor, "job.cancel", _target(job))
    if job.finished:
        raise ServiceError("任务已结束，无法取消", field="job")
    _cache().set(_cancel_key(job), True, LIVE_TTL)
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    audit.record(actor=user, action="job.cancel", obj=job, region_code=job.region_id or "", after={"cancel": True})
    job.cancel_requested = True
    return job


def _finish(job: Job, state: str, progress: Progress, message: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        state=state,
        phase=progress.phase_name,
        rows_done=progress.done,
        rows_total=progress.total,
        error_count=progress.errors,
        report=job.report,
        result_name=job.result_name,
        result_data=job.result_data,
        message=message,
        finished_at=timezone.now(),
    )
    _cache().delete(_live_key(job))


def execute(job_id: int, listener: Callable[[dict[str, Any]], None] | None = None) -> Job:
    """Run one job to its end (the worker's task body; the CLI calls it in-process). Never raises for the job's
    own failures: they end up in its state and message."""
    job = Job.objects.select_related("owner", "region").get(pk=job_id)
    if job.state != Job.State.QUEUED:
        return job
    progress = Progress(job, listener)
    if job.cancel_requested or _cache().get(_cancel_key(job)):
        _finish(job, Job.State.CANCELLED, progress, "任务在开始前已取消")
        return Job.objects.get(pk=job.pk)
    with transaction.atomic():  # the state commits on its own; the handler runs its own transaction
        Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=timezone.now())
    try:
        with _Heartbeat(job):
            HANDLERS[job.kind].run(job, progress)
    except JobCancelled:
        job.report, job.result_data, job.result_name = {}, None, ""
        _finish(job, Job.State.CANCELLED, progress, "已按用户要求取消，未写入任何数据")
    except ServiceError as exc:
        _finish(job, Job.State.FAILED, progress, exc.message)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, Job.State.FAILED, progress, "任务执行出错，未写入任何数据；请联系管理员查看日志")
    else:
        _finish(job, Job.State.SUCCEEDED, progress)
    return Job.objects.get(pk=job.pk)


def stale_jobs(now: float | None = None, stale_after: float = STALE_AFTER) -> list[Job]:
    """Jobs recorded as running whose worker stopped beating for `stale_after` seconds (or never beat and started
    that long ago): the process that ran them is gone."""
    now = time.time() if now is None else now
    found = []
    for job in Job.objects.filter(state=Job.State.RUNNING).select_related("region"):
        beat = _cache().get(_beat_key(job))
        started = job.started_at.timestamp() if job.started_at else 0.0
        last = float(beat) if beat is not None else started
        if now - last > stale_after:
            found.append(job)
    return found


def reap_stale(now: float | None = None, stale_after: float = STALE_AFTER) -> list[int]:
    """Mark stale running jobs failed (their handler's transaction died with their process, so nothing of theirs
    was written) and audit it; the worker calls this when it starts. Returns the reaped job ids."""
    reaped = []
    for job in stale_jobs(now, stale_after):
        with transaction.atomic():
            updated = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
                state=Job.State.FAILED, message=STALE_MESSAGE, finished_at=timezone.now()
            )
            if not updated:  # finished meanwhile
                continue
            audit.record(
                actor=None,
                action="job.reap",
                obj=job,
                region_code=job.region_id or "",
                before={"state": Job.State.RUNNING.value},
                after={"state": Job.State.FAILED.value},
                reason=STALE_MESSAGE,
            )
        _cache().delete_many([_live_key(job), _beat_key(job)])  # cache keys only; the job row was written above
        reaped.append(job.pk)
        logger.warning("job %s (%s) was running without a worker: marked failed", job.pk, job.kind)
    return reaped
