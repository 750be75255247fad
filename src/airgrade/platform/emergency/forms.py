"""Page input of the emergency pages: the list editor (list entry, its lines and 自报措施 rows), the entry decisions
(guarantee, small-micro), alert issue and change, and an enterprise task's acknowledgement, report and evidence.
The forms only shape input — every field optional and kept as typed, multi-value fields as lists, a field not posted
at all kept apart from an empty one where the services word the two differently; the services decide and say what is
wrong in Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator


class Text(forms.CharField):
    """Text kept as typed (no strip). `keep_missing`: a field not posted at all is None, not "" — the services
    refuse a missing alert level or number with their own wording, as they did when the views read the post."""

    def __init__(self, label: str = "", *, keep_missing: bool = False) -> None:
        super().__init__(label=label, required=False, strip=False)
        self.keep_missing = keep_missing

    def to_python(self, value: Any) -> Any:
        if value is None and self.keep_missing:
            return None
        return super().to_python(value)


class TextList(forms.Field):
    """Every value posted under one name, in order, kept as typed (region codes, ticked lines, the editor's industry
    and grade columns, which are paired by position)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, label: str = "") -> None:
        super().__init__(label=label, required=False)

    def to_python(self, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        return [str(item) for item in (value if isinstance(value, list | tuple) else [value])]

    def validate(self, value: list[str]) -> None:
        for item in value:
            ProhibitNullCharactersValidator()(item)


class PageForm(forms.Form):
    """A form whose per-row fields are named after the editor's rows (`line-3-name`, `proposal-0-kind`): every
    posted key with one of `prefixes` becomes a text field of its own."""

    prefixes: tuple[str, ...] = ()
    # What a row of each prefix is called, so a refusal names the row ("生产线第 2 行").
    row_names: dict[str, str] = {}

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        for key in data:
            if self.prefixes and key.startswith(self.prefixes) and key not in self.fields:
                self.fields[key] = Text(self._row_label(key))

    def _row_label(self, key: str) -> str:
        prefix, _, rest = key.partition("-")
        index = rest.partition("-")[0]
        name = self.row_names.get(f"{prefix}-", "")
        return f"{name}第 {int(index) + 1} 行" if name and index.isdigit() and len(index) < 6 else name

    def typed(self) -> dict[str, Any]:
        """What was typed, to show the page again: every field the form could read (a refused one, e.g. a NUL
        character, is left out and shows empty)."""
        self.is_valid()
        return dict(self.cleaned_data)


class EntryForm(PageForm):
    """The list editor of one site and year."""

    prefixes = ("line-", "proposal-")  # line-<row>-<field>, proposal-<row>-<level|industry|kind|value|stage|note>
    row_names = {"line-": "生产线", "proposal-": "自报措施"}
    reason = Text("修改原因")
    line_count = Text("生产线行数")
    proposal_count = Text("自报措施行数")
    industry_code = TextList("行业")
    grade = TextList("等级")
    in_industrial_park = Text("位于工业园区")
    transport_mode = Text("运输方式")
    transport_volume_t = Text("年运输量（吨）")
    output_value_10k_yuan = Text("工业产值（万元）")
    energy_use_tce = Text("能源消耗量（吨标煤）")
    annual_output = Text("年产量")
    output_unit = Text("产量单位")
    guarantee_category = Text("保障类类别")
    guarantee_task = Text("保障任务")
    guaranteed_daily_output = Text("保障任务日产量")
    normal_daily_output = Text("正常日产量")
    small_micro = Text("申请认定为小微涉气企业")
    sm_burns_coal = Text("燃煤")
    sm_burns_oil = Text("燃油")
    sm_pollutant_kinds = Text("污染物种类数")
    sm_toxic = Text("有毒有害或恶臭")
    sm_annual_kg = Text("年排放总量（kg）")
    sm_seasonal = Text("季节性生产")
    sm_daily_kg = Text("日排放量（kg）")


class EntryDecisionForm(PageForm):
    """A bureau's decision on an entry: guarantee approve / reject, observed daily output, small-micro certify."""

    action = Text("操作")
    note = Text("说明")
    daily_output = Text("核查日产量", keep_missing=True)
    opinion = Text("认定意见")


class AlertForm(PageForm):
    """Issue an alert: regions, level, times, name, reason."""

    region_codes = TextList("预警区域")
    level = Text("级别", keep_missing=True)
    starts_at = Text("开始时间", keep_missing=True)
    ends_at = Text("预计结束时间", keep_missing=True)
    title = Text("名称")
    reason = Text("依据")


class AlertChangeForm(PageForm):
    """Change an active alert's level, or lift it."""

    action = Text("操作")
    level = Text("预警级别", keep_missing=True)
    reason = Text("原因")


class TaskForm(PageForm):
    """An enterprise task: acknowledge, report execution (lines done, cut per pollutant), bureau evidence."""

    action = Text("操作")
    lines_done = TextList("已落实的生产线")
    note = Text("执行情况说明")
    reported_so2 = Text("二氧化硫实际减排量", keep_missing=True)
    reported_nox = Text("氮氧化物实际减排量", keep_missing=True)
    reported_pm = Text("颗粒物实际减排量", keep_missing=True)
    reported_vocs = Text("挥发性有机物实际减排量", keep_missing=True)
    online_monitoring = Text("在线监测核查")
    electricity_baseline_kwh = Text("平时日用电量", keep_missing=True)
    electricity_alert_kwh = Text("预警期间日用电量", keep_missing=True)
    back = Text()  # the task list's filters, to return to the same page
