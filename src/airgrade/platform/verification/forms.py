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


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="核实结论", choices=[("confirm", "确认未落实（降级）"), ("dismiss", "不予认定")])
    reason = forms.CharField(label="核实意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    rectify_by = forms.DateField(
        label="整改时限（确认未落实时可同时下达整改通知）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
