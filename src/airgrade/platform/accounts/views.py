"""Sign-in and sign-out pages."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from airgrade.platform.accounts import services
from airgrade.platform.errors import ServiceError


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    context = {"next": next_url, "username": "", "error": ""}
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")
        context["username"] = username
        try:
            user = services.sign_in(request, username, request.POST.get("password", ""))
        except ServiceError as exc:
            context["error"] = exc.message
            status = exc.status if exc.status != 400 else 200
        else:
            login(request, user)
            return redirect(next_url)
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")
