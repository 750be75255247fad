"""Shared helpers of the server-rendered workflow pages: dates typed into forms, a simple paginated list, and the
action page (确认步骤) every state-changing step goes through.

An action page states what will happen, shows the fields the service needs, and on POST calls the service. A
refusal comes back on the same page with everything the user typed and the message next to its field; only the
service decides (pages hold no business rules). Out of scope is "not found": the caller loads the object through
its service's visibility check before building the action, and AccessDenied / NotFound from the service are not
turned into field messages but answered as 403 / 404.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.lists import PER_PAGE
from airgrade.platform.permissions import actor_of, permissions_for

# A requirement citation inside a stored text ("（REQ LC-6）", "REQ H21-6, SJZ-3"): code and docs cite them, people
# reading a page do not need them.
REQUIREMENT_IDS = re.compile(r"\s*[（(]\s*REQ[^）)]*[）)]|\s*\bREQ\s+[A-Z0-9]+-\d+[A-Za-z0-9 ,、-]*")


def without_requirement_ids(text: str) -> str:
    """A stored reason or note as a page shows it: requirement citations left out."""
    return REQUIREMENT_IDS.sub("", text or "").strip()


def require_page(allowed: Collection[str], action: str) -> None:
    """A workflow page exists only for those whose access table has its action somewhere (else "not found")."""
    if action not in allowed:
        raise NotFound("页面不存在")


def own_region(user: Any, action: str) -> Any:
    """The caller's own region for an action page that acts on it (opening a window, starting a round, registering
    an expert); "not found" for anyone whose access table lacks the action there."""
    from airgrade.platform.regions.models import Region

    actor = actor_of(user)
    require_page(permissions_for(actor), action)
    return Region.objects.get(code=actor.region_code)


def region_field(region: Any) -> Field:
    """The hidden region input of an own-region action page; the service checks the posted code, so a code of
    another region is refused there, never trusted here."""
    return Field("region", "区划", "hidden", initial=region.code)


def required_date(typed: Mapping[str, str], name: str, label: str) -> dt.date:
    value = form_date(typed.get(name), field=name, label=label)
    assert value is not None  # required: form_date raised on an empty value
    return value


def form_date(raw: object, *, field: str, label: str, required: bool = True) -> dt.date | None:
    """A date typed into a form or query string (YYYY-MM-DD); anything else is a ServiceError naming the field."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ServiceError(f"请填写{label}", field=field)
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceError(f"{label}须为日期（年-月-日），收到 {text[:20]!r}", field=field) from None


def query_date(request: HttpRequest, name: str, default: dt.date) -> tuple[dt.date, str]:
    """A date filter of a list page: (the date to use, an error to show next to the field or "")."""
    try:
        return form_date(request.GET.get(name), field=name, label="日期", required=False) or default, ""
    except ServiceError as exc:
        return default, exc.message


def paginate(request: HttpRequest, rows: Any, per_page: int = PER_PAGE) -> dict[str, Any]:
    """One page of `rows` (a queryset or list) as the context of `lists/_pager.html`: page, querystring (the other
    filters, for the pager links) and total."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    querystring = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return {"page": page, "querystring": querystring, "total": page.paginator.count}


@dataclass(frozen=True)
class Field:
    """One input of an action page. kind: text, textarea, date, select, number or hidden."""

    name: str
    label: str
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    help: str = ""
    initial: str = ""


@dataclass(frozen=True)
class Action:
    """What an action page shows: its title, the consequences, the inputs and the button."""

    label: str
    consequences: tuple[str, ...]
    fields: tuple[Field, ...] = ()
    danger: bool = False
    summary: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def action_page(
    request: HttpRequest,
    action: Action,
    run: Callable[[Mapping[str, str]], Any],
    *,
    back: tuple[str, str],
    done: str | Callable[[Any], str],
    done_message: str,
) -> HttpResponse:
    """GET: the confirmation step with the inputs. POST: call `run(typed)` (which calls the service); on a refusal
    the page again with what was typed and the message at its field (400); on success a redirect to `done`."""
    source = request.POST if request.method == "POST" else request.GET
    typed = {f.name: str(source.get(f.name, f.initial if request.method != "POST" else "")) for f in action.fields}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            result = run(typed)
        except (AccessDenied, NotFound):
            raise
        except ServiceError as exc:
            names = {f.name for f in action.fields if f.kind != "hidden"}
            errors[exc.field if exc.field in names else "__all__"] = exc.message
            status = 400
        else:
            messages.success(request, done_message)
            return redirect(done(result) if callable(done) else done)
    rows = [
        {"field": f, "value": typed.get(f.name, ""), "error": errors.get(f.name, "")}
        for f in action.fields
        if f.kind != "hidden"
    ]
    hidden = [{"field": f, "value": typed.get(f.name, "")} for f in action.fields if f.kind == "hidden"]
    return render(
        request,
        "pages/action.html",
        {
            "action": action,
            "rows": rows,
            "hidden": hidden,
            "error": errors.get("__all__", ""),
            "back_url": back[0],
            "back_label": back[1],
        },
        status=status,
    )
