"""Edit forms for enterprises and production lines; the service decides, the form only shapes input."""

from __future__ import annotations

from django import forms

from airgrade.platform.enterprises.models import Enterprise, ProductionLine
from airgrade.platform.numbers import form_field

REASON_REQUIRED = "修改已登记的信息须填写修改原因（记入审计日志）"


class ReasonOnChange(forms.Form):
    """`changing=True` (an edit of a registered record, not a new one): the reason the audit log records is
    required, so every change says why."""

    def __init__(self, *args: object, changing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if changing:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = REASON_REQUIRED


class EnterpriseForm(ReasonOnChange):
    name = forms.CharField(label="企业名称", max_length=200, error_messages={"required": "请填写企业名称"})
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=18, error_messages={"required": "请填写统一社会信用代码"}
    )
    region = forms.CharField(label="所在区划代码", max_length=6, error_messages={"required": "请填写行政区划代码"})
    address = forms.CharField(label="地址", max_length=255, required=False)
    contact_name = forms.CharField(label="联系人", max_length=64, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=32, required=False)
    status = forms.ChoiceField(label="状态", choices=Enterprise.Status.choices)
    reason = forms.CharField(label="修改原因", max_length=500, required=False, widget=forms.TextInput)


class LineForm(ReasonOnChange):
    name = forms.CharField(label="名称", max_length=200, error_messages={"required": "请填写名称"})
    kind = forms.ChoiceField(label="类别", choices=ProductionLine.Kind.choices)
    process_type = forms.CharField(label="工艺类型", max_length=100, required=False)
    capacity = form_field(ProductionLine, "capacity", label="产能")
    capacity_unit = forms.CharField(label="产能单位", max_length=32, error_messages={"required": "请填写产能单位"})
    energy_type = forms.CharField(label="能源类型", max_length=64, required=False)
    status = forms.ChoiceField(label="运行状态", choices=ProductionLine.Status.choices)
    non_interruptible = forms.BooleanField(label="不可中断工序", required=False)
    status_since = forms.DateTimeField(
        label="状态变更时间",
        required=False,
        help_text="运行状态变更时填写实际变更时间（留空为当前时间），记入生产线状态记录",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "状态变更时间格式应为 YYYY-MM-DD HH:MM"},
    )
    reason = forms.CharField(label="修改原因", max_length=500, required=False)

    def __init__(self, *args: object, changing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, changing=changing, **kwargs)
        if not changing:
            del self.fields["status_since"]  # a new line's status starts when it is registered
