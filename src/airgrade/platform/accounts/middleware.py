"""An account with a temporary password (set by its superior) reaches nothing but the change-password page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

# Paths an account with a temporary password may still reach: the change form, signing out, static files, the
# language switch and the reset link (which sets a new password too).
OPEN_PREFIXES = ("/accounts/password/", "/accounts/logout/", "/accounts/reset/", "/static/", "/i18n/")


class TemporaryPasswordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "须先修改临时密码", "field": "password"}, status=403)
            return redirect("accounts:password_change")
        return self.get_response(request)
