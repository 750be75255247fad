"""Page forms of the green-performance evaluation: what a page accepts, in Chinese; the services decide the rest.
The indicator values of a declaration or an on-site check are read by `values_of` (their fields come from the rule
data, so they are not a fixed form)."""

from __future__ import annotations

from typing import Any

from django import forms

from airgrade.platform.errors import ServiceError


class OpForm(forms.Form):
    """Which write of a page a post asks for (the button's value, kept as typed); the view refuses an unknown one."""

    op = forms.CharField(required=False, strip=False)


class RoundActForm(OpForm):
    # An empty or missing workbook is the import's to refuse (with its own message), not the form's.
    file = forms.FileField(required=False, allow_empty_file=True)


class PreAssessForm(forms.Form):
    """The pre-assessment's industry; the indicator values are read by `values_of`."""

    industry = forms.CharField(required=False, strip=False)


class OpenRoundForm(forms.Form):
    region = forms.CharField(max_length=6)
    year = forms.IntegerField(min_value=2000, max_value=2100, error_messages={"invalid": "评价年度须为整数"})
    deadline = forms.DateField(error_messages={"invalid": "申报截止日期格式应为 2025-06-30"})


class RedLineForm(forms.Form):
    reason = forms.CharField(max_length=40, required=False)
    detail = forms.CharField(max_length=300, required=False)


class FalseDataForm(forms.Form):
    detail = forms.CharField(max_length=300, required=False)


class AssignForm(forms.Form):
    expert = forms.IntegerField(min_value=1, error_messages={"invalid": "请选择一位在册的专家"})


class DecisionForm(forms.Form):
    zz_class = forms.CharField(max_length=4, required=False)
    document = forms.CharField(max_length=200, required=False)
    reason = forms.CharField(max_length=2000, required=False)


def cleaned(form: forms.Form) -> dict[str, Any]:
    """The form's values, or a ServiceError naming the first bad field in Chinese (a 400 page)."""
    if form.is_valid():
        return dict(form.cleaned_data)
    field, errors = next(iter(form.errors.items()))
    label = {
        "year": "评价年度",
        "deadline": "申报截止日期",
        "expert": "专家",
        "region": "城市",
        "op": "操作",
        "file": "工作簿",
    }.get(field, field)
    raise ServiceError(f"{label}：{errors[0]}", field=field)


def values_of(data: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Indicator values (`v_<indicator>`) and their evidence (`e_<indicator>`) from a posted form."""
    values = {key[2:]: str(value)[:100] for key, value in data.items() if key.startswith("v_")}
    evidence = {
        key[2:]: str(value).strip()[:500] for key, value in data.items() if key.startswith("e_") and value.strip()
    }
    return values, evidence
