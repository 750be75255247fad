"""Django app: gate ledger and mobile-source supervision (issue 11; REQ SJZ-5, SJZ-6, H23-6)."""

from django.apps import AppConfig


class GatesConfig(AppConfig):
    name = "airgrade.platform.gates"
    label = "gates"
    verbose_name = "门禁台账"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from airgrade.platform.gates import uploads

        uploads.register_job()  # gate-file uploads run as background jobs (dry run → commit)

    def declaration_panels(self, user: object, declaration: object) -> list[dict[str, object]]:
        """The ledger's transport figures next to the declared ones on the declaration page (issue 11 §4)."""
        from airgrade.platform.gates.panels import declaration_panels

        return declaration_panels(user, declaration)

    def declaration_fact_sources(self, declaration: object) -> list[dict[str, object]]:
        """The ledger's transport figures as the declaration's grading facts, with their source (issue 11 §4)."""
        from airgrade.platform.gates.services import declaration_fact_sources

        return declaration_fact_sources(declaration)
