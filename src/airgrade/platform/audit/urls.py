"""Audit page URLs."""

from django.urls import path

from airgrade.platform.audit import views

app_name = "audit"
urlpatterns = [path("", views.audit_list, name="list")]
