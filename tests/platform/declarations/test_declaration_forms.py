"""The declaration pages read their input through declarations/forms.py (issue 9 app shape): values arrive as
typed, per-item fields by their prefixes, and a NUL character is refused with a 400 naming the field before any
service writes."""

from __future__ import annotations

from typing import Any

import pytest
from tests.platform.declarations.workflow_helpers import make_campaign, ready_declaration
from tests.platform.page_client import client_for, text

from airgrade.platform.declarations.forms import ActionForm, OnsiteForm
from airgrade.platform.declarations.models import Declaration

pytestmark = pytest.mark.django_db


def test_per_item_fields_come_through_by_their_prefix() -> None:
    form = ActionForm({"action": "declaration.city_approve", "grade_cement": "B", "stray": "x"})
    assert form.is_valid()
    assert form.cleaned_data["grade_cement"] == "B" and "stray" not in form.cleaned_data
    onsite = OnsiteForm({"result__cement__gate_system": "met", "note__cement__gate_system": " 门禁 "})
    assert onsite.is_valid() and onsite.cleaned_data["note__cement__gate_system"] == " 门禁 "  # kept as typed


def test_a_nul_in_an_action_is_refused_and_nothing_moves(users: dict[str, Any]) -> None:
    declaration = ready_declaration(users["enterprise"], make_campaign(users["city"]))
    response = client_for(users["enterprise"]).post(
        f"/declarations/{declaration.pk}/action/",
        {
            "action": "declaration.submit",
            "confirmed": "1",
            "expected_state": declaration.state,
            "opinion": "提交\x00",
        },
    )
    assert response.status_code == 400 and "审核意见" in text(response)
    assert Declaration.objects.get(pk=declaration.pk).state == declaration.state
