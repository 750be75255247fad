"""Page input of the self-assessment page (按事实自评): the industry, date and region, one field per fact of the
industry's rules and one per prior-year violation. The form only shapes input; the grading engine checks the facts
and names what is wrong in Chinese."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms


class AssessForm(forms.Form):
    industry = forms.CharField(label="行业", required=False)
    as_of = forms.CharField(label="评级日期", required=False)
    region = forms.CharField(label="区划", required=False)

    def __init__(
        self, data: Mapping[str, Any], facts: Iterable[Mapping[str, Any]] = (), violations: Iterable[str] = ()
    ) -> None:
        super().__init__(data)
        for fact in facts:
            self.fields[f"fact_{fact['key']}"] = forms.CharField(required=False, strip=False)
        for value in violations:
            self.fields[f"violation_{value}"] = forms.BooleanField(required=False)

    def facts(self) -> dict[str, str]:
        """fact key → the text entered (empty when left blank or refused, e.g. a NUL character)."""
        data = getattr(self, "cleaned_data", {})
        return {name.removeprefix("fact_"): data.get(name, "") for name in self.fields if name.startswith("fact_")}

    def violations(self) -> list[str]:
        """The prior-year violations ticked, in the order offered."""
        data = getattr(self, "cleaned_data", {})
        return [
            name.removeprefix("violation_") for name in self.fields if name.startswith("violation_") and data.get(name)
        ]
