"""Django app: alert execution verified against online monitoring and electricity use (issue 12; REQ H23-6)."""

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "airgrade.platform.verification"
    label = "verification"
    verbose_name = "预警执行核查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The county's case queue joins the home work queue (hook read by home.services.work_queue).
        from airgrade.platform.verification import crosscheck, services

        def work_items(user: object) -> list[dict[str, object]]:
            return [*services.case_work_items(user), *crosscheck.finding_work_items(user)]

        self.work_items = work_items  # type: ignore[attr-defined]
        # Large monitoring / electricity files run as background jobs (ADR 0004), dry run then commit.
        from airgrade.platform.jobs import services as jobs

        jobs.register(services.READINGS_JOB, "导入在线监测 / 用电量数据", services.run_readings_job)
