"""Sign-in and sign-out pages."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from airgrade.platform.accounts import services
from airgrade.platform.accounts.captcha import new_captcha
from airgrade.platform.errors import ServiceError


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return next_url


def _login_page(request: HttpRequest, username: str, error: str, status: int) -> HttpResponse:
    context = {"next": _next_url(request), "username": username, "error": error}
    if username and services.captcha_required(username):
        context["captcha_question"], context["captcha_token"] = new_captcha()
    return render(request, "accounts/login.html", context, status=status)


def login_view(request: HttpRequest) -> HttpResponse:
    """The one sign-in form of the platform (the admin's login redirects here), throttled by django-axes."""
    if request.method != "POST":
        return _login_page(request, "", "", 200)
    username = request.POST.get("username", "")
    try:
        user = services.sign_in(
            request,
            username,
            request.POST.get("password", ""),
            captcha_token=request.POST.get("captcha_token", ""),
            captcha_answer=request.POST.get("captcha_answer", ""),
        )
    except ServiceError as exc:
        return _login_page(request, username.strip(), exc.message, exc.status if exc.status != 400 else 200)
    login(request, user)
    return redirect(_next_url(request))


def locked_out(request: HttpRequest, response: HttpResponse | None, credentials: dict | None) -> HttpResponse:
    """django-axes' lock-out answer (AXES_LOCKOUT_CALLABLE): the sign-in page with the reason, 429."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    return _login_page(request, username.strip(), services.throttled_message(), 429)


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/ checks no password itself: it sends staff to the throttled sign-in form."""
    next_url = request.GET.get("next") or "/admin/"
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")
