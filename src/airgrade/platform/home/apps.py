"""Home app config: the top layer, which gathers the other apps' work through registration hooks."""

from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "airgrade.platform.home"
    label = "home"
    verbose_name = "工作台"
