"""Page input of the workbook pages: the upload that starts an import (dry run). The form only shapes input; the
service checks the kind, the file's type and size and says what is wrong in Chinese."""

from __future__ import annotations

from django import forms


class ImportForm(forms.Form):
    kind = forms.CharField(label="导入类型", required=False)
    # An empty or missing file is the service's to refuse (with its own message), not the form's.
    file = forms.FileField(label="工作簿", required=False, allow_empty_file=True)
