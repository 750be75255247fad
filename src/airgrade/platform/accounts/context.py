"""Template context: the current actor and the role's Chinese label for every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from airgrade.platform.accounts.permissions import actor_of


def current_actor(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(getattr(request, "user", None))
    return {"actor": actor, "role_label": actor.role.label_zh}
