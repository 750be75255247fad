"""Device credentials on the API: `Authorization: Bearer <credential>` names one live gate device (issue 11)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from airgrade.platform.gates import services
from airgrade.platform.gates.models import GateDevice


class DeviceCredential(HttpBearer):
    """The device a credential belongs to, or None (ninja answers 401) for an unknown or revoked credential."""

    def authenticate(self, request: HttpRequest, token: str) -> GateDevice | None:
        return services.device_for_token(token)
