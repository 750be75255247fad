"""Audit app config."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "airgrade.platform.audit"
    label = "audit"
    verbose_name = "审计日志"
