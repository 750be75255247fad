"""URL map: pages per app, the API at /api/, Django admin at /admin/."""

from django.contrib import admin
from django.urls import include, path

from airgrade.platform.accounts import views as account_views
from airgrade.platform.api import api
from airgrade.platform.home import overview
from airgrade.platform.home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accounts/", include("airgrade.platform.accounts.urls")),
    # The 360° page reads every feature app, so it lives on top (home), under the registry's URL.
    path("enterprises/<int:enterprise_id>/overview/", overview.enterprise_overview, name="enterprise_overview"),
    path("enterprises/", include("airgrade.platform.enterprises.urls")),
    path("grades/", include("airgrade.platform.grades.urls")),
    path("audit/", include("airgrade.platform.audit.urls")),
    path("declarations/", include("airgrade.platform.declarations.urls")),
    path("public/", include("airgrade.platform.disclosure.urls")),
    path("objections/", include("airgrade.platform.disclosure.staff_urls")),
    path("emergency/", include("airgrade.platform.emergency.urls")),
    path("gates/", include("airgrade.platform.gates.urls")),
    path("rules/", include("airgrade.platform.rulebook.urls")),
    path("verification/", include("airgrade.platform.verification.urls")),
    path("targets/", include("airgrade.platform.targets.urls")),
    path("jobs/", include("airgrade.platform.jobs.urls")),
    path("workbooks/", include("airgrade.platform.workbooks.urls")),
    path("scorecards/", include("airgrade.platform.scorecards.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own URLs: its login form would check passwords outside the throttled sign-in.
    path("admin/login/", account_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler400 = "airgrade.platform.errors.bad_request"

admin.site.site_header = "airgrade 管理后台"
admin.site.site_title = "airgrade"
