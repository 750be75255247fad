"""Page input of the declaration pages: new declaration, the action (confirmation) step, the enterprise's
preparation steps and declared facts, on-site checks, campaigns. The forms only shape input — every field optional
and kept as typed; the services and the workflow table decide and say what is wrong in Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms


def _text(label: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, strip=False)


class PageForm(forms.Form):
    """A form whose per-item fields are named after the page's items (`grade_cement`, `fact__12__pm_concentration`,
    `result__cement__gate_system`): every posted key with one of `prefixes` becomes a text field of its own."""

    prefixes: tuple[str, ...] = ()

    def __init__(self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> None:
        super().__init__(data, files)
        for key in data:
            if self.prefixes and key.startswith(self.prefixes) and key not in self.fields:
                self.fields[key] = _text()

    def typed(self) -> dict[str, Any]:
        """What was typed, to show the page again (empty when the form refused it)."""
        return dict(self.cleaned_data) if self.is_valid() else {}


class NewDeclarationForm(PageForm):
    prefixes = ("grade_",)  # the declared grade per industry of the chosen site
    site = _text("厂区")
    campaign = _text("评级批次")
    is_guarantee = _text("保障类")


class ActionForm(PageForm):
    prefixes = ("grade_",)  # the grade set per industry
    action = _text("操作")
    confirmed = _text()
    expected_state = _text("状态")
    expected_version = _text("版本号")
    opinion = _text("审核意见")
    grade = _text("等级")


class PrepareForm(PageForm):
    step = _text()
    signer_name = _text("承诺人")
    indicator = _text("指标")
    indicator_id = _text("指标")
    # An empty file is the service's to refuse (with its own message), not the form's.
    file = forms.FileField(label="证明材料", required=False, allow_empty_file=True)


class FactsForm(PageForm):
    prefixes = ("fact__", "target__")  # fact__<item>__<fact key>, target__<item>
    step = _text()
    expected_version = _text("版本号")


class OnsiteForm(PageForm):
    prefixes = ("result__", "note__")  # result__<industry>__<indicator>, note__<industry>__<indicator>
    step = _text()
    check = _text("现场核查编号")
    section = _text("核查方面")
    industry_code = _text("行业")
    indicator_id = _text("指标")
    result = _text("核查结果")
    note = _text("现场情况")
    expert = _text("专家")
    signature_name = _text("签字人")
    opinion = _text("专家意见")
    conclusion = _text("核查结论")
    summary = _text("核查情况")


class CampaignForm(PageForm):
    name = _text("批次名称")
    deadline = _text("申报截止时间")
    template = _text("批次模板")
    ratio = _text("B级抽查比例")


class CampaignStepForm(PageForm):
    step = _text()
    seed = _text("随机种子")
