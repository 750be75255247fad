"""The one task the worker runs: execute a recorded job (django-tasks, database backend; see ADR 0004)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from airgrade.platform.jobs.services import execute

    execute(job_id)
