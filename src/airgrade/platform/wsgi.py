"""WSGI entry point for gunicorn: the application, warmed so that no user's first request pays for start-up."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "airgrade.platform.settings")
application = get_wsgi_application()


def _warm() -> None:
    """Parse the rule book (YAML and validation, ~0.5 s; it is otherwise parsed on first use) and import the URL
    conf with every view and API router (Django imports it on the first request). A gunicorn worker does this at
    boot; tests and management commands never import this module (benchmarks/cold_rulebook.py measures it)."""
    from django.urls import get_resolver

    from airgrade.core.rules.rulebook import default_rulebook

    default_rulebook()
    get_resolver().url_patterns  # noqa: B018  (the attribute imports the URL conf)


_warm()
