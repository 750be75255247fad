"""Template context: the current actor, the role's Chinese label and the actions allowed on the user's own ground."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from airgrade.platform.permissions import actor_of, permissions_for


def current_actor(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(getattr(request, "user", None))
    # nav_permissions: what the user may do on their own ground; templates test `"audit.view" in nav_permissions`.
    return {"actor": actor, "role_label": actor.role.label_zh, "nav_permissions": permissions_for(actor)}
