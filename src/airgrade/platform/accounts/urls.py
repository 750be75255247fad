"""Account URLs."""

from django.urls import path

from airgrade.platform.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("reset/<str:token>/", views.reset_with_link, name="reset_with_link"),
    path("users/", views.account_list, name="users"),
    path("users/<int:account_id>/reset/", views.account_reset, name="account_reset"),
]
