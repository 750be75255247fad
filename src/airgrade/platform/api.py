"""The JSON API (django-ninja): one NinjaAPI at /api/, OpenAPI at /api/docs; each app adds its router here."""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import SessionAuth

from airgrade.platform.errors import PayloadTooLarge, ServiceError

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


class StrictJsonParser(Parser):
    """JSON bodies as UTF-8 text whose strings are all encodable: a lone surrogate (JSON "\\ud800") parses in Python
    but cannot be stored or audited, so it is refused here (ninja answers 400) before any service sees it."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        text = request.body.decode("utf-8")
        data = json.loads(text)
        # A lone surrogate can only come from a \\uD800–\\uDFFF escape (UTF-8 text cannot hold one), so the
        # re-encoding check runs only when such an escape is present; large device batches skip it.
        if _SURROGATE_ESCAPE.search(text):
            json.dumps(data, ensure_ascii=False).encode("utf-8")  # UnicodeEncodeError on a lone surrogate
        return cast(dict[str, Any], data)


api = NinjaAPI(
    title="airgrade API",
    version="1",
    description="重点行业绩效分级与应急减排清单平台接口。登录后使用会话 Cookie 调用（写操作需 X-CSRFToken）。",
    auth=SessionAuth(),
    urls_namespace="api",
    parser=StrictJsonParser(),
)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        # loc is ("body", <param>, field…): the user needs the field, not ninja's parameter plumbing.
        {"field": str(err.get("loc", [""])[-1]), "message": err.get("msg", "")}
        for err in exc.errors
    ]
    return api.create_response(request, {"error": "请求数据有误", "field": None, "errors": errors}, status=422)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return service_error(request, PayloadTooLarge())


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals (an unparsable body, a method not allowed) in Chinese, with their status kept.
    message = {
        400: "请求正文不是有效的 UTF-8 JSON",
        403: "CSRF 校验失败，请刷新页面后重试",
        429: "请求过于频繁，请稍后再试",
    }.get(exc.status_code, "请求无效")
    return api.create_response(request, {"error": message, "field": None, "errors": []}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"error": "请先登录", "field": None, "errors": []}, status=401)


def _register_routers() -> None:
    # Imported here so every router registers against the one api object without import cycles.
    from airgrade.platform.audit.api import router as audit_router
    from airgrade.platform.declarations.api import router as declarations_router
    from airgrade.platform.disclosure.api import router as disclosure_router
    from airgrade.platform.emergency.api import router as emergency_router
    from airgrade.platform.enterprises.api import router as enterprises_router
    from airgrade.platform.grades.api import router as grades_router
    from airgrade.platform.regions.api import router as regions_router

    api.add_router("/regions", regions_router)
    api.add_router("/enterprises", enterprises_router)
    api.add_router("/audit", audit_router)
    api.add_router("/declarations", declarations_router)
    api.add_router("/grades", grades_router)
    api.add_router("/public", disclosure_router)
    api.add_router("/emergency", emergency_router)
    from airgrade.platform.gates.api import router as gates_router

    api.add_router("/gates", gates_router)
    from airgrade.platform.verification.api import router as verification_router

    api.add_router("/verification", verification_router)
    from airgrade.platform.targets.api import router as targets_router

    api.add_router("/targets", targets_router)
    from airgrade.platform.scorecards.api import router as scorecards_router

    api.add_router("/scorecards", scorecards_router)
    from airgrade.platform.rulebook.api import grading_router, rules_router

    api.add_router("/rules", rules_router)
    api.add_router("/grading", grading_router)
    from airgrade.platform.jobs.api import router as jobs_router
    from airgrade.platform.workbooks.api import router as workbooks_router

    api.add_router("/jobs", jobs_router)
    api.add_router("/workbooks", workbooks_router)


_register_routers()
