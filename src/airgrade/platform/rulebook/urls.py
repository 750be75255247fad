"""Rule browser and self-assessment page URLs."""

from django.urls import path

from airgrade.platform.rulebook import views

app_name = "rulebook"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("assess/", views.assess, name="assess"),
    path("<slug:code>/", views.industry, name="industry"),
]
