"""Input forms of the gate-ledger site page (issue 11); the services decide, the forms only shape input."""

from __future__ import annotations

from typing import Any

from django import forms

from airgrade.platform.errors import ServiceError

MAX_UPLOAD = 20 * 1024 * 1024


class OpForm(forms.Form):
    """Which write of the site page a post asks for (the button's value, kept as typed); the view refuses an unknown
    one."""

    op = forms.CharField(label="操作", required=False, strip=False)


class VehicleForm(forms.Form):
    kind = forms.CharField(label="类别", max_length=8)
    plate = forms.CharField(label="车牌号", max_length=16, required=False)
    plate_colour = forms.CharField(label="车牌颜色", max_length=16, required=False)
    vin = forms.CharField(label="车辆识别代号", max_length=17, required=False)
    vehicle_type = forms.CharField(label="类型", max_length=64, required=False)
    registration_date = forms.DateField(
        label="注册登记日期", required=False, error_messages={"invalid": "注册登记日期格式应为 YYYY-MM-DD"}
    )
    fuel = forms.CharField(label="燃料", max_length=16)
    stage = forms.CharField(label="排放阶段", max_length=8)
    env_code = forms.CharField(label="环保登记编码", max_length=32, required=False)
    pin = forms.CharField(label="机械识别号", max_length=32, required=False)
    engine = forms.CharField(label="发动机型号", max_length=64, required=False)
    evidence = forms.CharField(label="随车清单/行驶证", max_length=200, required=False)
    owner = forms.CharField(label="所有人/车队", max_length=100, required=False)


class DeviceForm(forms.Form):
    code = forms.CharField(label="设备编号", max_length=32)
    entrance = forms.CharField(label="出入口", max_length=64)
    lane = forms.CharField(label="车道", max_length=32, required=False)
    vendor = forms.CharField(label="厂商", max_length=64, required=False)


class RevokeForm(forms.Form):
    device = forms.IntegerField(label="设备", min_value=1)


class UploadForm(forms.Form):
    device = forms.CharField(label="设备", max_length=32)
    file = forms.FileField(label="门禁导出文件")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件超过 20 MB，请分批上传")
        return upload


class SampleForm(forms.Form):
    seed = forms.IntegerField(label="随机种子", min_value=0, max_value=2**62)
    date_from = forms.DateField(label="起始日期")
    date_to = forms.DateField(label="截止日期")


class FindingForm(forms.Form):
    finding = forms.IntegerField(label="核验发现", min_value=1, max_value=2**62)
    decision = forms.ChoiceField(label="处理结论", choices=[("confirm", "确认（降级）"), ("dismiss", "不予认定")])
    reason = forms.CharField(label="处理意见", max_length=2000)


class ParkForm(forms.Form):
    kind = forms.CharField(label="类别", max_length=8)
    name = forms.CharField(label="名称", max_length=200)
    region = forms.CharField(label="所在区划", max_length=6)
    operator = forms.CharField(label="运营单位", max_length=200)
    operator_credit_code = forms.CharField(label="运营单位统一社会信用代码", max_length=18)
    address = forms.CharField(label="地址", max_length=255, required=False)


def cleaned(form: forms.Form) -> dict[str, Any]:
    """The form's data, or a ServiceError naming the first field that is wrong (shown as a message)."""
    if form.is_valid():
        return form.cleaned_data
    name, problems = next(iter(form.errors.items()))
    label = form.fields[name].label if name in form.fields else name
    raise ServiceError(f"{label}：{problems[0]}", field=name)
