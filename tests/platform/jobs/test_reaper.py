"""Stale-job reaper (issue 10): a job left "running" by a worker that died is marked failed, audited, and a job
whose worker still beats is left alone; the heartbeat runs while a handler works and is gone afterwards."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)
SEEN: dict[str, Any] = {}


def _probe(job: Job, progress: jobs.Progress) -> None:
    """A handler that records whether its worker's heartbeat is there while it runs."""
    SEEN["beat"] = jobs._cache().get(jobs._beat_key(job))


jobs.register("test.probe", "测试任务", _probe)


def _running(user: Any, minutes_ago: float) -> Job:
    job = jobs.start(user, "test.probe", enqueue=False)
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, started_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return Job.objects.get(pk=job.pk)


def test_a_running_job_without_a_worker_is_marked_failed(users: dict[str, Any]) -> None:
    county = users["county"]
    dead = _running(county, minutes_ago=30)  # its worker was killed: no heartbeat since
    fresh = _running(county, minutes_ago=0.1)  # just started: too early to tell
    busy = _running(county, minutes_ago=30)  # a long job whose worker still beats
    jobs._cache().set(jobs._beat_key(busy), time.time(), 60)
    lost = _running(county, minutes_ago=30)  # beat, then stopped beating
    jobs._cache().set(jobs._beat_key(lost), time.time() - jobs.STALE_AFTER - 5, 60)

    assert sorted(jobs.reap_stale()) == sorted([dead.pk, lost.pk])
    for job in (dead, lost):
        job.refresh_from_db()
        assert job.state == Job.State.FAILED and "后台进程已中止" in job.message and job.finished_at
        assert AuditRecord.objects.filter(action="job.reap", object_id=str(job.pk)).exists()
    for job in (fresh, busy):
        job.refresh_from_db()
        assert job.state == Job.State.RUNNING
    assert jobs.reap_stale() == []  # nothing twice
    # Later, with no heartbeat from the busy one's worker any more, it is stale too.
    assert sorted(jobs.reap_stale(now=time.time() + jobs.STALE_AFTER + 1)) == sorted([fresh.pk, busy.pk])


def test_the_heartbeat_runs_with_the_handler_and_stops_with_it(users: dict[str, Any]) -> None:
    SEEN.clear()
    job = jobs.start(users["county"], "test.probe", enqueue=False)
    done = jobs.execute(job.pk)
    assert done.state == Job.State.SUCCEEDED
    assert SEEN["beat"] is not None and abs(SEEN["beat"] - time.time()) < 60
    assert jobs._cache().get(jobs._beat_key(done)) is None
    assert jobs.reap_stale(now=time.time() + 10 * jobs.STALE_AFTER) == []  # finished jobs are never reaped
