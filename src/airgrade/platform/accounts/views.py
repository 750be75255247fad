"""Sign-in and sign-out pages, the account list of a superior with its password reset, the one-time reset link and
changing one's own password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from airgrade.platform.accounts import services
from airgrade.platform.accounts.captcha import new_captcha
from airgrade.platform.accounts.forms import (
    AccountResetForm,
    NewPasswordForm,
    PasswordChangeForm,
    SignInForm,
    signed_in_field,
)
from airgrade.platform.errors import NotFound, ServiceError, form_values


def _next_url(request: HttpRequest) -> str:
    next_url = signed_in_field(request.POST, "next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return next_url


def _login_page(request: HttpRequest, username: str, error: str, status: int) -> HttpResponse:
    # The typed name is shown again and looked up for the captcha rule: a NUL in it (refused by the form) must not
    # reach the query, since PostgreSQL text cannot hold one.
    username = username.replace("\x00", "")
    context = {"next": _next_url(request), "username": username, "error": error}
    if username and services.captcha_required(username):
        context["captcha_question"], context["captcha_token"] = new_captcha()
    return render(request, "accounts/login.html", context, status=status)


def login_view(request: HttpRequest) -> HttpResponse:
    """The one sign-in form of the platform (the admin's login redirects here), throttled by django-axes."""
    if request.method != "POST":
        return _login_page(request, "", "", 200)
    form = SignInForm(request.POST)
    username = str(form.data.get("username", ""))
    try:
        values = form_values(form)
        user = services.sign_in(
            request,
            values["username"],
            values["password"],
            captcha_token=values["captcha_token"],
            captcha_answer=values["captcha_answer"],
        )
    except ServiceError as exc:
        return _login_page(request, username.strip(), exc.message, exc.status if exc.status != 400 else 200)
    login(request, user)
    return redirect(_next_url(request))


def locked_out(request: HttpRequest, response: HttpResponse | None, credentials: dict | None) -> HttpResponse:
    """django-axes' lock-out answer (AXES_LOCKOUT_CALLABLE): the sign-in page with the reason, 429."""
    if request.path.startswith("/accounts/reset/"):
        return _reset_throttled(request)
    username = str((credentials or {}).get("username") or signed_in_field(request.POST, "username"))
    return _login_page(request, username.strip(), services.throttled_message(), 429)


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/ checks no password itself: it sends staff to the throttled sign-in form."""
    next_url = request.GET.get("next") or "/admin/"
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


# ---------------------------------------------------------------- password reset (issue 8)


def _reset_throttled(request: HttpRequest) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"error": f"尝试次数过多，请 {minutes} 分钟后再试", "invalid": True}
    return render(request, "accounts/reset_link.html", context, status=429)


@never_cache
def reset_with_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page a one-time link opens: a new password, twice. Throttled per client address like the sign-in form:
    every unknown, spent or expired link counts as a failed try."""
    if not services.reset_link_allowed(request):
        return _reset_throttled(request)
    account = services.reset_link_account(token)
    if account is None:
        services.record_reset_link_failure(request)
        return render(
            request, "accounts/reset_link.html", {"error": services.INVALID_LINK, "invalid": True}, status=404
        )
    context: dict[str, Any] = {"account": account}
    if request.method == "POST":
        try:
            values = form_values(NewPasswordForm(request.POST))
            services.redeem_reset_link(token, values["password1"], values["password2"])
        except NotFound as exc:
            services.record_reset_link_failure(request)
            return render(request, "accounts/reset_link.html", {"error": exc.message, "invalid": True}, status=404)
        except ServiceError as exc:
            context["error"] = exc.message
        else:
            return render(request, "accounts/reset_link.html", {"done": True})
    return render(request, "accounts/reset_link.html", context)


@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; an account with a temporary password is sent here until it does."""
    context: dict[str, Any] = {"temporary": request.user.must_change_password}  # type: ignore[union-attr]
    if request.method == "POST":
        try:
            values = form_values(PasswordChangeForm(request.POST))
            account = services.change_own_password(
                request.user, values["current"], values["password1"], values["password2"]
            )
        except ServiceError as exc:
            context["error"] = exc.message
        else:
            update_session_auth_hash(request, account)  # stay signed in with the new password
            return render(request, "accounts/password_change.html", {"done": True})
    return render(request, "accounts/password_change.html", context)


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    """The accounts below the caller whose password it may reset (the access table decides every row)."""
    rows = [
        {"account": account, "may_reset": services.may_reset(request.user, account)}
        for account in services.resettable_accounts(request.user)[:500]
    ]
    return render(request, "accounts/users.html", {"rows": rows})


@login_required
@never_cache
def account_reset(request: HttpRequest, account_id: int) -> HttpResponse:
    """Reset one account's password: a temporary password (changed at the next sign-in) or a one-time link, shown
    once. An account out of the caller's reach answers 404, existing or not."""
    account = services.get_account_for_reset(request.user, account_id)
    context: dict[str, Any] = {
        "account": account,
        "valid_hours": int(services.RESET_LINK_VALID.total_seconds() // 3600),
    }
    if request.method == "POST":
        try:
            values = form_values(AccountResetForm(request.POST))
            if values["op"] == "link":
                token, link = services.issue_reset_link(request.user, account_id)
                context["link"] = request.build_absolute_uri(reverse("accounts:reset_with_link", args=[token]))
                context["expires_at"] = link.expires_at
            else:
                services.set_temporary_password(request.user, account_id, values["password1"], values["password2"])
                context["temporary_set"] = True
        except NotFound:
            raise
        except ServiceError as exc:
            context["error"] = exc.message
    return render(request, "accounts/account_reset.html", context)
