"""Errors that services raise for users, and the middleware that turns any failure into a page, never a trace."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from airgrade.core.errors import AirgradeError

logger = logging.getLogger("airgrade")


class ServiceError(AirgradeError):
    """A refusal a user should read: the message is in Chinese and names the field and reason."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ([{"field": field, "message": message}] if field else [])

    def as_dict(self) -> dict[str, object]:
        return {"error": self.message, "field": self.field, "errors": self.errors}


class AccessDenied(ServiceError):
    """Outside the caller's role or region scope."""

    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The object changed under the caller (a racing approval, a stale form)."""

    status = 409


def form_int(raw: object, *, field: str, label: str, required: bool = True) -> int | None:
    """A whole number typed into a form or query string; anything else is a ServiceError naming the field, so a
    stray letter never reaches int() in a view and becomes a 500. Empty is None unless `required`."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ServiceError(f"请填写{label}", field=field)
        return None
    try:
        return int(text)
    except ValueError:
        raise ServiceError(f"{label}须为整数，收到 {text[:20]!r}", field=field) from None


class FriendlyErrorMiddleware:
    """Render ServiceErrors and unexpected exceptions as a Chinese error page or JSON, and log the trace."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.conf import settings

        if isinstance(exception, ServiceError):
            status, body = exception.status, exception.as_dict()
        else:
            if settings.DEBUG:
                return None
            logger.exception("unexpected error on %s", request.path)
            status, body = (
                500,
                {"error": "系统内部错误，已记录，请稍后重试或联系管理员。", "field": None, "errors": []},
            )
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
        return render(request, "error.html", {"message": body["error"], "status": status}, status=status)
