"""Django app: emergency emission-reduction lists, alert events and enterprise task lists (issue 5)."""

from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "airgrade.platform.emergency"
    label = "emergency"
    verbose_name = "应急减排清单"
    default_auto_field = "django.db.models.BigAutoField"
