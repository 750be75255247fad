"""Page input of the verification pages: the data import and the county's decision on a case."""

from __future__ import annotations

from django import forms

from airgrade.platform.verification.files import KIND_LABELS

MAX_UPLOAD = 50 * 1024 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="数据类别", choices=list(KIND_LABELS.items()))
    file = forms.FileField(label="文件（CSV 或 xlsx）")
    date_from = forms.DateField(
        label="本文件数据起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="本文件数据截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    commit = forms.BooleanField(label="检查无误后直接导入（不勾选则仅检查）", required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件超过 50 MB，请分文件导入")
        return upload

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data


class JobImportForm(forms.Form):
    """A large file checked and imported as a background job (progress, cancel, then commit on the job's page)."""

    kind = forms.ChoiceField(label="数据类别", choices=list(KIND_LABELS.items()))
    file = forms.FileField(label="文件（CSV 或 xlsx，最大 50 MB）")
    date_from = forms.DateField(
        label="本文件数据起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="本文件数据截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件超过 50 MB，请分文件导入")
        return upload

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="核实结论", choices=[("confirm", "确认未落实（降级）"), ("dismiss", "不予认定")])
    reason = forms.CharField(label="核实意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    rectify_by = forms.DateField(
        label="整改时限（确认未落实时可同时下达整改通知）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RunCrossCheckForm(forms.Form):
    month = forms.CharField(label="核查月份（YYYY-MM）", max_length=7)
    region = forms.CharField(label="区划代码（默认本级）", max_length=6, required=False)


class FindingDecideForm(forms.Form):
    decision = forms.ChoiceField(label="核实结论", choices=[("confirm", "确认属实"), ("dismiss", "不予认定")])
    reason = forms.CharField(label="核实意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    downgrade = forms.BooleanField(label="确认时按此原因降级（不勾选则只下达整改）", required=False, initial=True)
    rectify_by = forms.DateField(
        label="整改时限（确认时可同时下达整改通知）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PointForm(forms.Form):
    site = forms.IntegerField(label="厂区", min_value=1)
    kind = forms.ChoiceField(label="类别", choices=[("meter", "电表"), ("outlet", "排放口在线监测")])
    code = forms.CharField(label="编号", max_length=40)
    line = forms.IntegerField(label="档案生产线", required=False, min_value=1)
    outlet = forms.IntegerField(label="档案排放口", required=False, min_value=1)
    reason = forms.CharField(label="原因（修改已登记的点位时必填）", max_length=500, required=False)


class RegisterImportForm(forms.Form):
    file = forms.FileField(label="点位登记表（CSV 或 xlsx）")
    commit = forms.BooleanField(label="检查无误后直接导入（不勾选则仅检查）", required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件超过 50 MB")
        return upload
