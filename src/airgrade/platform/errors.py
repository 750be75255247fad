"""Errors that services raise for users, and the middleware that turns any failure into a page, never a trace."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
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
        # Where the error page sends the reader back to, with the button's words; the home page when unset.
        self.back: tuple[str, str] | None = None
        self.title = "无法完成操作"

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


def form_values(form: Any) -> dict[str, Any]:
    """A page form's cleaned values (an app's forms.py), or a ServiceError naming the first field the form itself
    refused, with its label: page forms only shape input, so this is rare (a NUL character) and the services decide
    the rest."""
    if form.is_valid():
        return dict(form.cleaned_data)
    for name, errors in form.errors.items():
        label = getattr(form.fields.get(name), "label", "") or ""
        raise ServiceError(f"{label}：{errors[0]}" if label else str(errors[0]), field=name)
    raise ServiceError("提交的内容无法读取")


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


class PayloadTooLarge(ServiceError):
    """A request body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (files go through the upload fields instead)."""

    status = 413

    def __init__(self) -> None:
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        super().__init__(f"提交的数据超过 {limit:g} MB 的上限，请精简内容；附件请通过上传功能提交")


def error_response(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """The error as JSON (API, or a client asking for JSON) or as the Chinese error page."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})
    back = getattr(exc, "back", None)
    return render(
        request,
        "error.html",
        {
            "message": exc.message,
            "status": exc.status,
            "title": getattr(exc, "title", "无法完成操作"),
            "back_url": back[0] if back else "",
            "back_label": back[1] if back else "",
        },
        status=exc.status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 handler. A body over the size limit is read by a middleware (CSRF reads the form) before any
    view runs; Django then answers 400 through this handler, and here it becomes the 413 it is."""
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, PayloadTooLarge())
    return error_response(request, ServiceError("请求无效"))


class FriendlyErrorMiddleware:
    """Render ServiceErrors and unexpected exceptions as a Chinese error page or JSON, and log the trace."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.conf import settings

        if isinstance(exception, RequestDataTooBig):
            exception = PayloadTooLarge()
        if isinstance(exception, ServiceError):
            return error_response(request, exception)
        if settings.DEBUG:
            return None
        logger.exception("unexpected error on %s", request.path)
        failure = ServiceError("系统内部错误，已记录，请稍后重试或联系管理员。")
        failure.status = 500
        return error_response(request, failure)
